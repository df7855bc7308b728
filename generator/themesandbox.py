"""The theme's templates in the sandbox: Material's, rolebook's partials, and a project's own partials.

MkDocs renders every page through its theme's templates. rolebook has it render them in the same
narrowed sandbox as its own templates, where they read MkDocs' objects (page, nav, config) but
nothing of rolebook's, and call only plain value methods, macros and the theme's globals. A
project's partials in templates/theme/ are checked too: each renders inside a filter that refuses
what could run script, so a pull request cannot add script to the site through them. A page layout
that extends Material's base belongs in mkdocs.yml's ``custom_dir``, which is configuration and
reviewed as such.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import safe_range
from markupsafe import Markup

from .sandbox import GuardedEnvironment
from .scriptless import script_in

_EXTENDS = re.compile(r"\{%[-+]?\s*extends\b")
_CHECK = "rolebook_scriptless"


class ThemeEnvironment(GuardedEnvironment):
    theme = True


def _text_of(value: Any) -> Markup:
    """``striptags`` that keeps its result escaped: the text of an HTML fragment, as HTML."""
    return Markup.escape(Markup(str(value)).striptags())


def _scriptless(value: str, name: str) -> str:
    found = script_in(str(value))
    if found:
        raise SecurityError(f"{name} writes {found}; partials of the project may not add script to the site")
    return value


class _ProjectPartials(jinja2.BaseLoader):
    """The theme's loader, with each template found in the project's theme folder wrapped in the check."""

    def __init__(self, inner: jinja2.BaseLoader, folder: Path) -> None:
        self.inner = inner
        self.folder = os.path.realpath(folder)

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        source, filename, uptodate = self.inner.get_source(environment, template)
        if filename is None or not os.path.realpath(filename).startswith(self.folder + os.sep):
            return source, filename, uptodate
        found = _EXTENDS.search(source)
        if found:
            raise jinja2.TemplateSyntaxError(
                "templates/theme/ holds partials; a page layout that extends the theme belongs in "
                "mkdocs.yml's custom_dir",
                source.count("\n", 0, found.start()) + 1,
                template,
                filename,
            )
        # on the template's first line, so its line numbers stay as written; the one newline at the end
        # of a template is dropped by Jinja, and is here too
        body = source[:-1] if source.endswith("\n") else source
        wrapped = f"{{% filter {_CHECK}({template!r}) %}}{body}{{% endfilter %}}"
        return wrapped, filename, uptodate


def sandboxed_theme(env: jinja2.Environment, project_theme: Path | None = None) -> jinja2.Environment:
    """The theme environment MkDocs made, as a narrowed sandbox with the same loader, filters, tests,
    globals (translations included) and extensions; the project's partials in ``project_theme`` checked."""
    if isinstance(env, ThemeEnvironment):
        return env
    loader = env.loader
    if loader is not None and project_theme is not None:
        loader = _ProjectPartials(loader, project_theme)
    safe = ThemeEnvironment(
        loader=loader, auto_reload=env.auto_reload, autoescape=env.autoescape, undefined=env.undefined
    )
    for extension in env.extensions.values():
        safe.add_extension(type(extension))
    safe.filters.update(env.filters)
    # Jinja's striptags decodes character references, so a title holding "&lt;script&gt;" (escaped text,
    # as MkDocs keeps titles) would come out as live markup where a theme uses it, as in <title>.
    safe.filters["striptags"] = _text_of
    safe.filters[_CHECK] = _scriptless
    safe.tests.update(env.tests)
    safe.globals.update(env.globals)
    safe.globals["range"] = safe_range  # the sandbox's range, which refuses huge ranges
    safe.policies.update(env.policies)
    return safe
