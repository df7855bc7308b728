"""Problems found in a playbook, and how they are printed.

A diagnostic reads like a compiler's: ``roles/x.yaml:14:7: error: message``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
FORMATS = ("human", "github", "json")


def one_line(text: str) -> str:
    """One line, with control and formatting characters (newlines, bidi overrides) written as escapes."""
    return "".join(
        c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii") for c in text
    )


_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """Text to print: control characters (but newline and tab) and bidi controls written as ``\\uXXXX``,
    so nothing from a file can move the cursor, retitle the terminal or reorder what is shown."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem, located in a file relative to the project folder; its message is always one line.

    Every problem rolebook reports is one: a playbook's, a card's that does not fit, a template's, a
    diff's. A problem that belongs to no file (an unknown git revision, a refused output path) has
    the file ``""`` and line and column 0, and reads ``error: message``."""

    file: str
    line: int
    col: int
    message: str
    severity: Severity = "error"

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", one_line(self.message))
        object.__setattr__(self, "file", one_line(self.file))

    def human(self) -> str:
        if not self.file:
            return f"{self.severity}: {self.message}"
        return f"{self.file}:{self.line}:{self.col}: {self.severity}: {self.message}"

    def github(self) -> str:
        # Workflow commands escape %, CR and LF in the message, and also ':' and ',' in properties.
        message = _escape(self.message)
        if not self.file:
            return f"::{self.severity}::{message}"
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


MAX_PER_FILE = 50


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sorted by file, line and column; duplicates dropped; at most MAX_PER_FILE for one file."""
    result: list[Diagnostic] = []
    per_file: dict[str, int] = {}
    hidden_errors: set[str] = set()
    for d in sorted(set(diagnostics)):
        per_file[d.file] = per_file.get(d.file, 0) + 1
        if per_file[d.file] <= MAX_PER_FILE:
            result.append(d)
        elif d.severity == "error":
            hidden_errors.add(d.file)
    for file, count in per_file.items():
        if count > MAX_PER_FILE:
            last = next(d for d in reversed(result) if d.file == file)
            summary = f"{count - MAX_PER_FILE} more problems in this file are not shown"
            # an error only if one of them is: hidden warnings do not make a playbook invalid
            severity: Severity = "error" if file in hidden_errors else "warning"
            result.insert(result.index(last) + 1, Diagnostic(file, last.line, last.col, summary, severity))
    return result


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
