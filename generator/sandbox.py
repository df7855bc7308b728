"""Templates run in Jinja's sandbox: a template is text from many hands, never a program.

rolebook's own templates, a project's overrides in templates/, and the theme templates MkDocs
renders the site with (Material's, and a project's partials in templates/theme/) all render in
Jinja's immutable sandbox. A template reads the values it is given and calls the filters it is
given; it cannot reach Python internals (``cycler.__init__.__globals__``), change a list or a
dict, or read a file through a link out of the project.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from .errors import TemplateProblem
from .links import LEAVES, inside
from .text import plain, rich, rich_block


class ProjectLoader(jinja2.FileSystemLoader):
    """Templates from one folder of a project; a template that a link takes out of the project is refused
    before it is read."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder))
        self.folder = folder
        self.root = folder.parent

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        candidate = self.folder.joinpath(*jinja2.loaders.split_template_path(template))
        if (candidate.exists() or candidate.is_symlink()) and not inside(candidate, self.root):
            where = candidate.relative_to(self.root).as_posix()
            raise TemplateProblem(f"{where}: {LEAVES}")
        return super().get_source(environment, template)


# Jinja's own filters that templates may use: each works on the values it is given and reaches nothing else.
SAFE_FILTERS = (
    "abs", "batch", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape", "first",
    "float", "forceescape", "format", "groupby", "indent", "int", "items", "join", "last", "length", "list",
    "lower", "map", "max", "min", "reject", "rejectattr", "replace", "reverse", "round", "select",
    "selectattr", "slice", "sort", "string", "striptags", "sum", "title", "trim", "truncate", "unique",
    "upper", "urlencode", "wordcount", "wordwrap",
)  # fmt: skip


_NO_ESCAPE = re.compile(r"\{%[-+]?\s*autoescape\b")


class TemplateEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox: a template reads the values it is given, calls no Python internals,
    changes no list or dict, and sees only the filters and globals rolebook provides."""

    def __init__(self, loader: jinja2.BaseLoader, searched: list[str]) -> None:
        super().__init__(
            loader=loader,
            undefined=jinja2.StrictUndefined,
            # every value is escaped for HTML, in Markdown pages too (they hold HTML blocks and attributes);
            # the filters plain, rich and rich_block return text already made safe
            autoescape=jinja2.select_autoescape(
                enabled_extensions=(),
                disabled_extensions=("css", "css.j2"),
                default_for_string=True,
                default=True,
            ),
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.searched = searched
        self.filters = {name: self.filters[name] for name in SAFE_FILTERS}
        self.filters.update(rich=rich, rich_block=rich_block, plain=plain)
        self.tests = {name: test for name, test in self.tests.items() if name not in ("callable",)}
        self.globals = {}

    def preprocess(self, source: str, name: str | None = None, filename: str | None = None) -> str:
        """A template may not switch escaping off: values stay text whatever an override writes."""
        found = _NO_ESCAPE.search(source)
        if found:
            line = source.count("\n", 0, found.start()) + 1
            raise jinja2.TemplateSyntaxError(
                "templates may not turn escaping off ('autoescape'); use the plain, rich or rich_block filters",
                line,
                name,
                filename,
            )
        return super().preprocess(source, name, filename)


def _text_of(value: Any) -> Markup:
    """``striptags`` that keeps its result escaped: the text of an HTML fragment, as HTML."""
    return Markup.escape(Markup(str(value)).striptags())


def sandboxed_theme(env: jinja2.Environment) -> jinja2.Environment:
    """The theme environment MkDocs made, as an immutable sandbox with the same loader, filters,
    tests, globals (translations included) and extensions."""
    if isinstance(env, ImmutableSandboxedEnvironment):
        return env
    safe = ImmutableSandboxedEnvironment(
        loader=env.loader, auto_reload=env.auto_reload, autoescape=env.autoescape, undefined=env.undefined
    )
    for extension in env.extensions.values():
        safe.add_extension(type(extension))
    safe.filters.update(env.filters)
    # Jinja's striptags decodes character references, so a title holding "&lt;script&gt;" (escaped text,
    # as MkDocs keeps titles) would come out as live markup where a theme uses it, as in <title>.
    safe.filters["striptags"] = _text_of
    safe.tests.update(env.tests)
    safe.globals.update(env.globals)
    safe.policies.update(env.policies)
    return safe
