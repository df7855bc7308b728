"""Problems found in a playbook, and how they are printed.

A diagnostic reads like a compiler's: ``roles/x.yaml:14:7: error: message``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
FORMATS = ("human", "github", "json")


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem, located in a file relative to the project folder."""

    file: str
    line: int
    col: int
    message: str
    severity: Severity = "error"

    def human(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.severity}: {self.message}"

    def github(self) -> str:
        # Workflow commands escape %, CR and LF in the message, and also ':' and ',' in properties.
        message = _escape(self.message)
        file = _escape(self.file).replace(":", "%3A").replace(",", "%2C")
        return f"::{self.severity} file={file},line={self.line},col={self.col}::{message}"

    def as_dict(self) -> dict[str, str | int]:
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "message": self.message,
        }


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sorted by file, line and column; duplicates dropped."""
    return sorted(set(diagnostics))


def promote_warnings(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """``--strict``: every warning becomes an error."""
    return [Diagnostic(d.file, d.line, d.col, d.message, "error") for d in diagnostics]


def count_summary(diagnostics: list[Diagnostic]) -> str:
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors

    def plural(n: int, word: str) -> str:
        return f"{n} {word}" + ("" if n == 1 else "s")

    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"


def format_diagnostics(diagnostics: list[Diagnostic], fmt: str) -> str:
    """Render diagnostics in one of FORMATS; the text ends without a newline."""
    if fmt == "json":
        return json.dumps(
            {
                "valid": not any(d.severity == "error" for d in diagnostics),
                "diagnostics": [d.as_dict() for d in diagnostics],
            },
            indent=2,
        )
    if fmt == "github":
        return "\n".join(d.github() for d in diagnostics)
    return "\n".join(d.human() for d in diagnostics)
