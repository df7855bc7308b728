"""Synthetic organizations for the benchmarks: N roles, 3 to 4 activities per role, every rule satisfied."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PHASES = ["prepare", "detect", "respond", "recover", "review"]


def _role(i: int, n: int) -> str:
    def rid(k: int) -> str:
        return f"role-{k % n:04d}"

    lines = [
        f"name: Role {i:04d}",
        f"short: R{i:04d}",
        f"summary: Role number {i} keeps part number {i} of the service running during an incident.",
        "responsibilities:",
        *(
            f"  - Responsibility {j} of role {i}, to watch the part, fix it and report back."
            for j in range(4)
        ),
        "checklists:",
        *(
            f"  {phase}:\n    - Step one of {phase} for role {i}.\n    - Step two of {phase}."
            for phase in PHASES
        ),
    ]
    if n > 1:
        lines += [
            "works_with:",
            f"  - role: {rid(i + 1)}",
            "    how: Share findings and agree on the next step.",
        ]
        if i > 0:
            lines += [
                "escalates_to:",
                f"  - role: {rid((i - 1) // 5)}",
                "    when: The part cannot be fixed.",
            ]
        lines += ["backups:", f"  - {rid(i + 1)}"]
    lines += [
        "handoff:",
        "  - What was tried, and what is left.",
        "skills: [Knows the part well.]",
        "card:",
        "  first_actions: [Join the incident channel., Check the part's dashboard., Report to the lead.]",
        "  do: [Say what you change.]",
        "  dont: [Don't change things silently.]",
        "review:",
        '  owner: "@team"',
        "  last_reviewed: 2026-11-26",
    ]
    return "\n".join(lines) + "\n"


def _activities(n: int) -> str:
    out = ["activities:"]
    count = 0
    for i in range(n):
        for j in range(3 + (i % 2)):  # 3 or 4 activities per role
            a, r, c, inf = (f"role-{(i + k) % n:04d}" for k in range(4))
            letters = {a: "A", r: "R"} if n > 1 else {a: "A"}
            if n > 3:
                letters |= {c: "C", inf: "I"}
            if n == 1:
                letters = {a: "A"}
            raci = ", ".join(f"{k}: {v}" for k, v in letters.items())
            out.append(
                f"  - id: act-{count:05d}\n    name: Activity {j} of role {i}\n    phase: {PHASES[count % 5]}"
            )
            out.append(f"    raci: {{{raci}}}")
            count += 1
    return "\n".join(out) + "\n"


def make_org(n: int, target: Path) -> Path:
    """A project folder with ``n`` roles (n >= 2), written to ``target``."""
    if target.exists():
        shutil.rmtree(target)
    (target / "roles").mkdir(parents=True)
    (target / "site_config").mkdir()
    (target / "docs").mkdir()
    for i in range(n):
        (target / "roles" / f"role-{i:04d}.yaml").write_text(_role(i, n), "utf-8")
    (target / "roles" / "activities.yaml").write_text(_activities(n), "utf-8")
    (target / "site_config" / "playbook.yaml").write_text(
        "title: Synthetic Playbook\norganization: Bench\nversion: '1.0'\npublished: 2026-11-26\n"
        "intro: A synthetic organization for measuring rolebook.\n"
        "severities:\n  - id: sev1\n    name: SEV1\n    description: Everything is down.\n"
        f"    roles: [{', '.join(f'role-{i:04d}' for i in range(n))}]\n",  # a SEV1 engages everyone
        "utf-8",
    )
    shutil.copy(REPO / "mkdocs.yml", target / "mkdocs.yml")
    return target
