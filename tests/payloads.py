"""Hostile values for every field of a playbook that reaches output, and what must never come of them.

Each payload passes validation (raw HTML and script links are refused at load, so these are the
forms that get through: character references, quotes that would close an attribute, script URLs
written as plain text) and would run script if a value were placed unescaped anywhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# Each calls alert(): a browser test fails on any dialog. Short enough for one-line names (80 characters).
PAYLOADS = (
    "&lt;/title&gt;&lt;img src=x onerror=alert(1)&gt;",
    '" onfocus="alert(2)" autofocus x="',
    "' onmouseover='alert(3)' x='",
    "&#60;script&#62;alert(4)&#60;/script&#62;",
    "&lt;svg/onload=alert(5)&gt;",
    "javascript:alert(6)",
    "&#x3C;/textarea&#x3E;&#x3C;img src=x onerror=alert(7)&#x3E;",
    "{{ 7*7 }} {% raw %}`</script>`",
)


class _Cycle:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self, tag: str) -> str:
        """The next payload, made unique with a number (names must differ); ``tag`` says where it goes."""
        payload = PAYLOADS[self.n % len(PAYLOADS)]
        self.n += 1
        return f"{payload} {self.n}"


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text("utf-8"))


def _dump(path: Path, data: Any) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), "utf-8")


def _texts(items: list[str], next_payload: _Cycle, tag: str) -> list[str]:
    return [next_payload(f"{tag}{i}") for i in range(len(items))] or [next_payload(tag)]


def poison(project: Path) -> None:
    """Put payloads into every field of a copy of the default playbook that reaches a page, card or export."""
    p = _Cycle()
    settings_path = project / "site_config" / "playbook.yaml"
    settings = _load(settings_path)
    settings["title"] = p("title")
    settings["organization"] = p("org")
    settings["intro"] = p("intro") + "\n\n" + p("intro2")
    for phase in settings["phases"]:
        phase["name"] = p(f"ph-{phase['id']}")
        phase["description"] = p(f"phd-{phase['id']}")
    for sev in settings["severities"]:
        sev["name"] = p(f"sev-{sev['id']}")
        sev["description"] = p(f"sevd-{sev['id']}")
        sev["respond_within"] = p(f"rw-{sev['id']}")
        sev["update_every"] = p(f"ue-{sev['id']}")
    _dump(settings_path, settings)
    contacts_path = project / "site_config" / "contacts.yaml"
    contacts = _load(contacts_path)
    for rid, contact in contacts["contacts"].items():
        contact["channel"] = p(f"ch-{rid}")
        contact["pager"] = p(f"pg-{rid}")
        contact["email"] = f'x"onmouseover="alert(8)"\'@{rid}.example'
        contact["links"] = [{"title": p(f"lk-{rid}"), "url": "https://example.org/a?b=1&c=2#x"}]
    _dump(contacts_path, contacts)
    for path in sorted((project / "roles").glob("*.yaml")):
        data = _load(path)
        if "activities" in data:
            for act in data["activities"]:
                act["name"] = p(f"act-{act['id']}")
                act["description"] = p(f"actd-{act['id']}")
            _dump(path, data)
            continue
        rid = path.stem
        data["name"] = p(f"name-{rid}")
        data["short"] = "R&D+" + str(len(rid))[:2]
        data["summary"] = p(f"sum-{rid}")
        for key in ("responsibilities", "handoff", "skills", "training"):
            if key in data:
                data[key] = _texts(data[key], p, f"{key[:3]}-{rid}-")
        for phase, items in data.get(
            "checklists", {}
        ).items():  # payloads share their first words: ids of their own
            texts = _texts(items, p, f"ck-{rid}-{phase}-")
            data["checklists"][phase] = [{"id": f"{phase}-{i}", "text": text} for i, text in enumerate(texts)]
        for entry in data.get("works_with", []):
            entry["how"] = p(f"how-{rid}")
        for entry in data.get("escalates_to", []):
            entry["when"] = p(f"when-{rid}")
        card = data.get("card", {})
        for key in ("first_actions", "do", "dont"):
            if key in card:
                card[key] = _texts(card[key][:2], p, f"{key}-{rid}-")
        if "review" in data:
            data["review"]["owner"] = p(f"own-{rid}")
        # the guidance beyond the checklists: every text of its first two entries of each kind
        guidance = {
            "time_targets": ("what",),
            "scripts": ("title", "when", "text"),
            "decision_rights": ("decides", "asks"),
            "conflicts": ("when", "do"),
            "anti_patterns": ("text", "instead"),
            "guidance": ("title", "text"),
            "messages": ("audience", "stage", "text", "short"),
        }
        for key, fields in guidance.items():
            entries = data.get(key) or []
            data[key] = entries[:2]
            for i, entry in enumerate(data[key]):
                for name in fields:
                    if name in entry:
                        entry[name] = p(f"{key[:4]}-{name}-{rid}-{i}")
        if data.get("messages"):
            card["messages"] = [m["id"] for m in data["messages"]]
        _dump(path, data)
