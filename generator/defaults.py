"""Where the built-in defaults (templates) are found."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def builtin_templates() -> Path:
    """The default templates: shipped inside the package, or the repository's templates/ in a checkout."""
    packaged = _PACKAGE / "_defaults" / "templates"
    return packaged if packaged.is_dir() else _PACKAGE.parent / "templates"
