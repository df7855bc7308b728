"""The RACI letters: what each means, how it is shown, and which duties it carries.

A role may be both Accountable and Responsible for one activity, the most common pattern in real
charts; the file format writes it ``AR`` (``A/R`` and ``RA`` read the same) and every output shows "A/R".
"""

from __future__ import annotations

from collections.abc import Mapping

from generator.core.fields import Letter

LETTER_NAMES: dict[str, str] = {
    "R": "Responsible",
    "A": "Accountable",
    "AR": "Accountable and Responsible",
    "C": "Consulted",
    "I": "Informed",
}
# How a letter is written in a matrix, a list, a card, a spreadsheet or a diff.
LETTER_LABELS: dict[str, str] = {"R": "R", "A": "A", "AR": "A/R", "C": "C", "I": "I"}
# The four letters of the legend; AR is both of its first two.
LEGEND = ("R", "A", "C", "I")


def accountable(letter: str) -> bool:
    return letter in ("A", "AR")


def responsible(letter: str) -> bool:
    return letter in ("R", "AR")


def duties(letter: str) -> frozenset[str]:
    """The single letters a cell carries: {"A", "R"} for AR."""
    return frozenset({"A", "R"}) if letter == "AR" else frozenset({letter})


def accountable_role(raci: Mapping[str, Letter]) -> list[str]:
    return [role for role, letter in raci.items() if accountable(letter)]


def responsible_roles(raci: Mapping[str, Letter]) -> list[str]:
    return [role for role, letter in raci.items() if responsible(letter)]
