"""Where the built-in defaults are: inside the installed package, or the repository in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # generator/
DEFAULT_PREFIX = "default"  # `extends: default` or `extends: default/<role id>`
# How the built-in files (the defaults' and the library's) are named in messages and merged origins
DEFAULTS_LABEL = "(rolebook defaults)"


def defaults_root() -> Path:
    """The folder holding the default roles/, site_config/, templates/, mkdocs.yml and scaffold/."""
    packaged = _PACKAGE / "_defaults"
    return packaged if packaged.is_dir() else _PACKAGE.parent


def builtin_templates() -> Path:
    return defaults_root() / "templates"
