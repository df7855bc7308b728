"""The theme's templates in the sandbox: Material's, rolebook's own partials, and mkdocs.yml's custom_dir.

MkDocs renders every page through its theme's templates. rolebook has it render them in the same
narrowed sandbox as its own templates, where they read MkDocs' objects (page, nav, config) but
nothing of rolebook's, and call only plain value methods, macros and the theme's globals: not the
configuration's, the files' or the plugins' methods.
"""

from __future__ import annotations

from typing import Any

import jinja2
from jinja2.sandbox import safe_range
from markupsafe import Markup

from generator.render.sandbox import GuardedEnvironment


class ThemeEnvironment(GuardedEnvironment):
    theme = True


def _text_of(value: Any) -> Markup:
    """``striptags`` that keeps its result escaped: the text of an HTML fragment, as HTML."""
    return Markup.escape(Markup(str(value)).striptags())


def sandboxed_theme(env: jinja2.Environment) -> jinja2.Environment:
    """The theme environment MkDocs made, as a narrowed sandbox with the same loader, filters, tests,
    globals (translations included) and extensions."""
    if isinstance(env, ThemeEnvironment):
        return env
    safe = ThemeEnvironment(
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
    safe.globals["range"] = safe_range  # the sandbox's range, which refuses huge ranges
    safe.policies.update(env.policies)
    return safe
