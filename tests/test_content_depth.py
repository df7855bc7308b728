"""The default playbook deep enough to run an incident from (issue 19): role pages of 1,000 words and more
(the Incident Manager's 2,000), time targets, scripts, decision rights per severity level, conflicts and
pitfalls on every role, each marked where it comes from; the severity page's examples and rules, read from
the RACI matrix; the Communication Lead's message templates on its page, its card and in the exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from pypdf import PdfReader

from .conftest import write_tree
from .sitekit import REPO_ROOT, ROLE_IDS, copy_project, edit, rolebook, soup

GUIDANCE_FIELDS = ("time_targets", "scripts", "decision_rights", "conflicts", "anti_patterns", "guidance")
LIBRARY = sorted(p.stem for p in (REPO_ROOT / "library" / "roles").glob("*.yaml"))


def role_data(rid: str, folder: str = "roles") -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((REPO_ROOT / folder / f"{rid}.yaml").read_text("utf-8"))  # type: ignore[no-any-return]


def article(site: Path, page: str) -> BeautifulSoup:
    found = soup(site / page / "index.html").find("article")
    assert found is not None
    return found  # type: ignore[return-value]


def words(node: BeautifulSoup) -> int:
    return len(node.get_text(" ").split())


def settings() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((REPO_ROOT / "site_config" / "playbook.yaml").read_text("utf-8"))  # type: ignore[no-any-return]


def engaging(rid: str) -> list[str]:
    return [sev["id"] for sev in settings()["severities"] if rid in sev["roles"]]


@pytest.mark.parametrize("rid", ROLE_IDS)
def test_every_default_role_page_is_deep_enough_to_work_from(
    default_site: tuple[Path, Path], rid: str
) -> None:
    page = article(default_site[1], f"roles/{rid}")
    least = 2000 if rid == "incident-manager" else 1000
    assert words(page) >= least, f"{rid}: {words(page)} words"
    data = role_data(rid)
    assert len(data["time_targets"]) >= 2
    assert len(data["anti_patterns"]) >= 3 and len(data["conflicts"]) >= 3
    assert {d["severity"] for d in data["decision_rights"]} == set(engaging(rid))
    # what a responder reads: each kind of guidance under its heading, with its words
    headings = [h.get_text(" ", strip=True).rstrip("¶").strip() for h in page.find_all(["h2", "h3", "h4"])]
    for heading in ("What to say", "Decisions by severity", "When it gets difficult", "Pitfalls"):
        assert heading in headings, (rid, heading)
    assert all(section["title"] in headings for section in data["guidance"])
    targets = page.select_one("ul.rb-targets")
    assert targets is not None and len(targets.find_all("li")) == len(data["time_targets"])
    first = data["time_targets"][0]
    assert first["within"] in targets.get_text(" ")


@pytest.mark.parametrize("rid", ["incident-manager", "communication-lead"])
def test_the_incident_manager_and_communication_lead_have_scripts_for_each_moment(
    default_site: tuple[Path, Path], rid: str
) -> None:
    titles = " | ".join(s["title"].lower() for s in role_data(rid)["scripts"])
    for moment in (r"open", r"status|update", r"hand(ing)? ?over", r"all-clear"):
        assert re.search(moment, titles), (rid, moment, titles)
    # each script shown as written, in a block the page's copy button reads
    page = article(default_site[1], f"roles/{rid}")
    shown = [pre.get_text() for pre in page.select('pre.rb-copy[data-rb-copy="script"]')]
    assert shown == [s["text"].strip("\n") for s in role_data(rid)["scripts"]]


@pytest.mark.parametrize(
    "folder,rid", [("roles", r) for r in ROLE_IDS] + [("library/roles", r) for r in LIBRARY]
)
def test_guidance_beyond_the_guide_is_marked_in_the_data(folder: str, rid: str) -> None:
    data = role_data(rid, folder)
    for field in (*GUIDANCE_FIELDS, "messages"):
        for entry in data.get(field) or []:
            assert entry.get("source") in ("guide", "practice"), (rid, field, entry)
    # the guide's own text stays where it was: the roles still hold their responsibilities and checklists
    assert data["responsibilities"] and data["checklists"]


def test_the_severity_page_gives_examples_and_who_sets_a_level(default_site: tuple[Path, Path]) -> None:
    page = article(default_site[1], "severities")
    text = page.get_text(" ", strip=True)
    for sev in settings()["severities"]:
        heading = page.find(id=sev["id"])
        assert heading is not None
        listed = heading.find_next("p", string=re.compile("Examples of impact")).find_next("ul")
        assert [li.get_text(" ", strip=True) for li in listed.find_all("li")] == sev["examples"]
    assert re.search(r"When in doubt: Pick the higher level", text)
    activities = {
        a["id"]: a for a in yaml.safe_load((REPO_ROOT / "roles/activities.yaml").read_text())["activities"]
    }
    names = {rid: role_data(rid)["name"] for rid in ROLE_IDS}
    for label, activity in (
        ("Who declares", "declare-incident"),
        ("Who raises or lowers a level", "change-severity"),
    ):
        line = next(p for p in page.find_all("p") if p.get_text().startswith(label))
        doers = [rid for rid, letter in activities[activity]["raci"].items() if letter in ("A", "R", "AR")]
        shown = [a.get_text() for a in line.find_all("a", href=re.compile("roles/"))]
        assert sorted(shown) == sorted(names[r] for r in doers)


def test_who_declares_follows_the_raci_matrix(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    old = "raci: {incident-manager: A, operations-team: R, subject-matter-experts: C, communication-lead: I, management-leadership: I}"
    edit(
        project / "roles" / "activities.yaml",
        old,
        old.replace("subject-matter-experts: C", "subject-matter-experts: R"),
    )
    assert rolebook("build", cwd=project).returncode == 0
    line = next(
        p
        for p in article(project / "site", "severities").find_all("p")
        if p.get_text().startswith("Who declares")
    )
    assert "Subject Matter Experts (responsible)" in line.get_text(" ", strip=True)


def test_the_defaults_pass_every_consistency_rule() -> None:
    result = rolebook("validate", "--strict", cwd=REPO_ROOT)
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_the_communication_lead_has_a_template_per_audience_and_stage(
    default_site: tuple[Path, Path],
) -> None:
    messages = role_data("communication-lead")["messages"]
    pairs = {(m["audience"], m["stage"]) for m in messages}
    assert pairs == {
        (a, s)
        for a in ("Status page", "Internal staff", "Executives")
        for s in ("Initial notice", "Update", "Resolved")
    }
    page = article(default_site[1], "roles/communication-lead")
    section = page.find(id="messages")
    assert section is not None
    shown = [pre.get_text() for pre in page.select('pre.rb-copy[data-rb-copy="message"]')]
    assert shown == [m["text"].strip("\n") for m in messages]
    # grouped by audience, each template under its stage
    assert [
        h.get_text(" ", strip=True).rstrip("¶").strip() for h in section.find_all_next("h3", limit=3)
    ] == [
        "Status page",
        "Internal staff",
        "Executives",
    ]


def test_message_templates_are_exported_and_printed(default_site: tuple[Path, Path], tmp_path: Path) -> None:
    project = default_site[0]
    out = tmp_path / "playbook.json"
    assert rolebook("export", "--format", "json", "-o", str(out), cwd=project).returncode == 0
    exported = json.loads(out.read_text("utf-8"))
    assert exported["severity_rules"]["declare"] == settings()["severity_rules"]["declare"]
    role = next(r for r in exported["roles"] if r["id"] == "communication-lead")
    assert [m["id"] for m in role["messages"]] == [
        m["id"] for m in role_data("communication-lead")["messages"]
    ]
    assert rolebook("export", "--format", "markdown", "-o", str(tmp_path / "md"), cwd=project).returncode == 0
    markdown = (tmp_path / "md" / "docs" / "roles" / "communication-lead.md").read_text("utf-8")
    assert "rb-copy" in markdown and "Message templates" in markdown
    pdf = tmp_path / "cl.pdf"
    result = rolebook("cards", "--role", "communication-lead", "--back", "-o", str(pdf), cwd=project)
    assert result.returncode == 0, result.stderr
    back = " ".join(PdfReader(pdf).pages[1].extract_text().split())
    shorts = {m["id"]: m.get("short") for m in role_data("communication-lead")["messages"]}
    for wanted in role_data("communication-lead")["card"]["messages"]:
        assert " ".join(shorts[wanted].split()[:6]) in back, wanted


def test_guidance_is_checked_and_located(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    write_tree(
        project,
        {
            "roles/support-team.yaml": """\
                extends: default
                decision_rights:
                  add:
                    - {severity: sev9, decides: Everything.}
                scripts:
                  add:
                    - {id: answer-a-customer, title: Again, text: Hello.}
                card:
                  messages: [no-such-message]
                """,
        },
    )
    result = rolebook("validate", cwd=project)
    assert result.returncode == 1
    assert (
        "roles/support-team.yaml:4:18: error: unknown severity level 'sev9' (did you mean 'sev3'?)"
        in result.stdout
    )
    assert (
        "roles/support-team.yaml:7:12: error: script id 'answer-a-customer' is listed twice" in result.stdout
    )
    assert (
        "roles/support-team.yaml:9:14: error: unknown message 'no-such-message' (the role has no messages)"
        in result.stdout
    )
    assert "Traceback" not in result.stderr


def own_levels(tmp_path: Path, extra: str = "") -> Path:
    """A new project (`rolebook init`) whose levels have ids and names of its own; ``extra``, one more."""
    project = tmp_path / "p"
    assert rolebook("init", str(project), cwd=tmp_path).returncode == 0
    config = project / "site_config" / "playbook.yaml"
    text = config.read_text("utf-8")
    for old, new in (
        ("id: sev1", "id: p1"), ("id: sev2", "id: p2"), ("id: sev3", "id: p3"),
        ("SEV1 Critical", "P1 Outage"), ("SEV2 Major", "P2 Degraded"), ("SEV3 Minor", "P3 Minor"),
    ):  # fmt: skip
        text = text.replace(old, new)
    config.write_text(text.replace("  - id: p3\n", extra + "  - id: p3\n", 1), "utf-8")
    return project


def test_a_playbook_with_as_many_levels_of_its_own_takes_the_guidance_in_order(tmp_path: Path) -> None:
    project = own_levels(tmp_path)
    result = rolebook("validate", cwd=project)
    assert result.returncode == 0, result.stdout
    assert all("example value" in line for line in result.stdout.splitlines()), result.stdout
    assert rolebook("build", cwd=project).returncode == 0
    for rid in ROLE_IDS:
        page = article(project / "site", f"roles/{rid}")
        assert not re.search(r"\bSEV\d", page.get_text(" ")), rid  # "SEV1" reads "P1" in the inherited text
        rows = page.find(id="decisions-by-severity").find_next("table").find("tbody").find_all("tr")  # type: ignore[union-attr]
        names = {"sev1": "P1 Outage", "sev2": "P2 Degraded", "sev3": "P3 Minor"}
        assert [r.find("a").get_text() for r in rows] == [names[s] for s in engaging(rid)]
    # the defaults' activities limited to SEV1 and SEV2 are limited to P1 and P2
    raci = soup(project / "site" / "raci" / "index.html").get_text(" ")
    assert "Only at: P1 Outage, P2 Degraded" in " ".join(raci.split())


def test_a_playbook_with_other_levels_is_told_where_the_text_names_ours(tmp_path: Path) -> None:
    project = own_levels(
        tmp_path,
        "  - {id: p4, name: P4 Low, description: Cosmetic., roles: [incident-manager, operations-team]}\n",
    )
    result = rolebook("validate", cwd=project)
    named = [line for line in result.stdout.splitlines() if "names severity levels this playbook" in line]
    assert len(named) == len(ROLE_IDS) and all(re.search(r"'SEV1' \(\d+x\)", line) for line in named), named
    assert all(
        re.match(r"roles/[a-z-]+\.yaml:\d+:1: warning: ", line) for line in named
    )  # at the extends line
    # what the defaults give for their levels is left out quietly: no level of this playbook is theirs
    assert not [line for line in result.stdout.splitlines() if "decision rights" in line]


def test_an_overlay_edits_the_guidance_by_its_keys(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    first = role_data("incident-manager")["anti_patterns"][0]["text"]
    write_tree(
        project,
        {
            "roles/incident-manager.yaml": f"""\
                extends: default
                scripts:
                  remove: [poll-for-objections]
                anti_patterns:
                  remove: [{json.dumps(first)}]
                decision_rights:
                  replace:
                    - {{severity: sev3, decides: "Everything at this level, on their own."}}
                """,
        },
    )
    assert rolebook("build", cwd=project).returncode == 0
    page = article(project / "site", "roles/incident-manager")
    assert (
        page.find(id="script-poll-for-objections") is None
        and page.find(id="script-open-the-call") is not None
    )
    assert first not in page.get_text(" ")
    assert "Everything at this level, on their own." in page.get_text(" ")


def test_scripts_and_messages_are_shown_and_copied_exactly_as_written(tmp_path: Path) -> None:
    """A script is never read as Markdown or HTML: angle brackets, indentation, tabs, joined emoji and
    Persian text stay as written; audiences that differ only in case are two groups, none lost."""
    project = copy_project(tmp_path / "p")
    script = "Page <on-call> & [name]:\n  indented *not emphasis*\n\tafter a tab 👩\u200d💻 می\u200cخواهم"  # noqa: RUF001
    write_tree(
        project,
        {
            "roles/support-team.yaml": "extends: default\n"
            + yaml.safe_dump(
                {
                    "scripts": {"add": [{"id": "exact", "title": "Exact", "text": script}]},
                    "messages": [
                        {
                            "id": "a",
                            "audience": "Status page",
                            "stage": "Initial",
                            "text": "First </code></pre>",
                        },
                        {"id": "b", "audience": "status page", "stage": "Update", "text": "Second"},
                    ],
                },
                allow_unicode=True,
            ),
        },
    )
    result = rolebook("build", cwd=project)
    assert result.returncode == 0, result.stderr
    page = article(project / "site", "roles/support-team")
    shown = page.find(id="script-exact").find_next("pre")  # type: ignore[union-attr]
    assert shown.get_text() == script and not shown.find(["em", "on-call"])  # type: ignore[union-attr]
    templates = [pre.get_text() for pre in page.select('pre[data-rb-copy="message"]')]
    assert templates == ["First </code></pre>", "Second"]


def test_a_message_taken_out_leaves_the_card_and_nothing_else(tmp_path: Path) -> None:
    """The default card names the status page's first notice; an overlay that takes it out takes it off the
    card quietly, and a card naming a message the role does not have is an error at its line."""
    project = copy_project(tmp_path / "p")
    cl = project / "roles" / "communication-lead.yaml"
    data = yaml.safe_load(cl.read_text("utf-8"))
    data["messages"] = [m for m in data["messages"] if m["id"] != "staff-initial"]
    cl.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    result = rolebook("validate", cwd=project)
    assert result.returncode == 1 and "unknown message 'staff-initial'" in result.stdout
    init = tmp_path / "init"
    assert rolebook("init", str(init), cwd=tmp_path).returncode == 0
    with (init / "roles" / "communication-lead.yaml").open("a", encoding="utf-8") as overlay:
        overlay.write("messages:\n  remove: [staff-initial]\n")
    checked = rolebook("validate", cwd=init)
    assert checked.returncode == 0 and "message" not in checked.stdout, checked.stdout
    pdf = tmp_path / "cl.pdf"
    assert (
        rolebook("cards", "--role", "communication-lead", "--back", "-o", str(pdf), cwd=init).returncode == 0
    )
    back = " ".join(PdfReader(pdf).pages[1].extract_text().split())
    assert "STATUS PAGE" in back.upper() and "INTERNAL STAFF" not in back.upper()
