"""What changed in the activity (RACI) matrix, one sentence per change.

A letter is compared as the duties it carries (A/R is both Accountable and Responsible), so a role that
gains or loses either duty is named, also when the other one stays.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from generator.core.model import Activity
from generator.core.raci import LETTER_LABELS, LETTER_NAMES, duties
from generator.review.diff_values import Same, as_is, changed, model_changes

_SAID = ("id", "name", "phase", "description", "severities", "raci")
_ORDER = "RACI"  # duties named in this order


def duty_names(held: Iterable[str]) -> str:
    """'Responsible', or 'Accountable and Responsible (A/R)' for the pair."""
    letters = sorted(held, key=_ORDER.index)
    if letters == ["A", "R"]:
        return f"{LETTER_NAMES['AR']} ({LETTER_LABELS['AR']})"
    return " and ".join(LETTER_NAMES[letter] for letter in letters)


def activity_changes(
    before: Iterable[Activity],
    after: Iterable[Activity],
    names: Mapping[str, str],
    same: Same = as_is,
    levels: Mapping[str, str] | None = None,
    phases: Mapping[str, str] | None = None,
) -> list[str]:
    """Activities added and removed, and each change to one: its name, phase, description, severity
    levels, every RACI duty gained or lost, and the order within a phase. ``levels`` and ``phases`` name
    severity levels and phases by id (otherwise the ids are shown)."""
    levels, phases = levels or {}, phases or {}
    old = {a.id: a for a in before}
    new = {a.id: a for a in after}
    lines = [f"activity added: {a.name}" for a_id, a in new.items() if a_id not in old]
    lines += [f"activity removed: {a.name}" for a_id, a in old.items() if a_id not in new]
    for a_id in [i for i in new if i in old]:
        was, now = old[a_id], new[a_id]
        if same(was.name) != same(now.name):
            lines.append(f"{was.name}: renamed to “{now.name}”")
        if was.phase != now.phase:
            lines.append(
                f"{now.name}: moved from phase {phases.get(was.phase, was.phase)} to {phases.get(now.phase, now.phase)}"
            )
        if same(was.description or "") != same(now.description or ""):
            lines.append(changed(f"{now.name}: description", was.description, now.description))
        lines += _severity_changes(now.name, was.severities, now.severities, levels)
        lines += model_changes(f"{now.name}:", was, now, same, skip=_SAID)
        lines += raci_changes(now.name, was.raci, now.raci, names)
    for phase in dict.fromkeys(a.phase for a in new.values()):
        kept = [i for i, a in new.items() if a.phase == phase and i in old and old[i].phase == phase]
        if kept != [i for i, a in old.items() if a.phase == phase and i in kept]:
            order = ", ".join(new[i].name for i in kept)
            lines.append(f"activity order changed in phase {phases.get(phase, phase)}: {order}")
    return lines


def _severity_changes(
    activity: str, was: list[str] | None, now: list[str] | None, levels: Mapping[str, str]
) -> list[str]:
    if was == now:
        return []
    if now is None:
        return [f"{activity}: now applies at every severity level"]
    shown = ", ".join(levels.get(s, s) for s in now)
    if was is None:
        return [f"{activity}: now applies only at {shown}"]
    lines = [f"{activity}: now also applies at {levels.get(s, s)}" for s in now if s not in was]
    lines += [f"{activity}: no longer applies at {levels.get(s, s)}" for s in was if s not in now]
    return lines or [f"{activity}: severity levels reordered: {shown}"]


def raci_changes(
    activity: str, was: Mapping[str, str], now: Mapping[str, str], names: Mapping[str, str]
) -> list[str]:
    """Each duty gained or lost in one activity's RACI, in both directions; a moved A is one sentence."""
    old = {role: duties(letter) for role, letter in was.items()}
    new = {role: duties(letter) for role, letter in now.items()}
    old_a = [role for role, held in old.items() if "A" in held]
    new_a = [role for role, held in new.items() if "A" in held]
    lines = []
    moved: set[str] = set()
    if len(old_a) == len(new_a) == 1 and old_a != new_a:
        moved = {old_a[0], new_a[0]}
        lines.append(
            f"{activity}: Accountable moves from {names.get(old_a[0], old_a[0])} to {names.get(new_a[0], new_a[0])}"
        )
    for role in dict.fromkeys([*was, *now]):
        before, after = old.get(role, frozenset()), new.get(role, frozenset())
        if role in moved:  # the A is said above
            before, after = before - {"A"}, after - {"A"}
        gained, lost = after - before, before - after
        name = names.get(role, role)
        if gained and lost:
            lines.append(f"{activity}: {name} changes from {duty_names(before)} to {duty_names(after)}")
        elif gained:
            also = " also" if new.get(role, frozenset()) - gained else ""
            lines.append(f"{activity}: {name} is now{also} {duty_names(gained)}")
        elif lost:
            lines.append(f"{activity}: {name} is no longer {duty_names(lost)}")
    return lines
