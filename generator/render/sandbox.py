"""Templates run in Jinja's sandbox: a template is text from many hands, never a program.

rolebook's own templates, a project's overrides in templates/, and the theme templates MkDocs
renders the site with (Material's, and a project's partials in templates/theme/) all render in
Jinja's immutable sandbox. A template reads the values it is given and calls the filters it is
given; it cannot reach Python internals (``cycler.__init__.__globals__``), change a list or a
dict, or read a file through a link out of the project.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import re
import types
from pathlib import Path
from typing import Any

import jinja2
import jinja2.runtime
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape
from pydantic import BaseModel

from generator.core.links import LEAVES, inside
from generator.errors import TemplateProblem
from generator.render.safe_text import SafeText, plain, rich, rich_block, verbatim


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

# Values whose own methods a template may call (str.split, dict.get, date.isoformat, ...); the immutable
# sandbox already refuses the methods that change a list, dict or set.
# Exactly these types: a subclass (MkDocs' PluginCollection is a dict) may add methods that do anything.
_VALUE_TYPES = frozenset(
    {str, bytes, int, float, bool, list, tuple, dict, set, frozenset, dt.date, dt.datetime, dt.time, Markup}
)
_JINJA_RUNTIME = (jinja2.runtime.Macro, jinja2.runtime.BlockReference, jinja2.runtime.LoopContext)


def _rolebook_defines(cls: type, attr: str) -> bool:
    """Whether the class in ``cls``'s hierarchy that defines ``attr`` is one of rolebook's own."""
    for klass in cls.__mro__:
        if attr in vars(klass):
            return klass.__module__.startswith(_OWN)
    return False


_OWN = __name__.partition(".")[0] + "."  # "generator."


_OUTWARD = (type, types.ModuleType)


def _reaches_out(value: Any) -> bool:
    """A class, a module or a class method: a way from a value to code that makes or loads things."""
    if isinstance(value, _OUTWARD):
        return True
    kind = type(value)
    return (kind is types.MethodType or kind is types.BuiltinMethodType) and isinstance(value.__self__, type)


class GuardedEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, narrowed to what templates need: the data of the values they are given, their plain
    methods, and the template's own macros. pydantic's methods (``parse_raw`` unpickles, ``parse_file``
    reads files), classes, modules and class methods are out of reach."""

    theme = False  # a theme template reads MkDocs' objects, and nothing of rolebook's

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # everything but the value itself depends on the object's type and the name: decided once for both
        key = (type(obj), attr)
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = self._verdicts[key] = self._type_allows(obj, attr)
        return verdict and not _reaches_out(value)

    @functools.cached_property
    def _verdicts(self) -> dict[tuple[type, str], bool]:
        return {}

    def _type_allows(self, obj: Any, attr: str) -> bool:
        if not super().is_safe_attribute(obj, attr, None):
            return False
        if isinstance(obj, BaseModel):
            return not self.theme and (attr in type(obj).model_fields or _rolebook_defines(type(obj), attr))
        return not (self.theme and type(obj).__module__.startswith(_OWN))

    def is_safe_callable(self, obj: Any) -> bool:
        if type(obj) is jinja2.runtime.Macro:  # most calls, in Material's templates
            return True
        if any(obj is g for g in self.globals.values()):  # namespace(), gettext, what rolebook provides
            return True
        wrapped = getattr(obj, "__wrapped__", None)  # Jinja's own wrapper of str.format, which it checks
        if wrapped is not None and getattr(wrapped, "__name__", "") in ("format", "format_map"):
            return self.is_safe_callable(wrapped)
        if not super().is_safe_callable(obj) or _reaches_out(obj):
            return False
        owner = getattr(obj, "__self__", None)
        if isinstance(obj, _JINJA_RUNTIME) or isinstance(owner, _JINJA_RUNTIME):  # macros, loop.cycle()
            return True
        if inspect.isbuiltin(obj) or inspect.ismethod(obj):
            if type(owner) in _VALUE_TYPES:
                return True
            return (
                not self.theme
                and type(owner).__module__.startswith(_OWN)
                and not isinstance(owner, BaseModel)
            )
        # plain functions rolebook hands to its templates (role_page, href, md, card_pdf)
        return not self.theme and inspect.isfunction(obj) and (obj.__module__ or "").startswith(_OWN)


def _escaped(value: Any) -> SafeText:
    return SafeText(escape(str(value)) if not hasattr(value, "__html__") else value.__html__())


class TemplateEnvironment(GuardedEnvironment):
    """Jinja's immutable sandbox: a template reads the values it is given, calls no Python internals,
    changes no list or dict, and sees only the filters and globals rolebook provides."""

    def __init__(self, loader: jinja2.BaseLoader, searched: list[str]) -> None:
        super().__init__(
            loader=loader,
            undefined=jinja2.StrictUndefined,
            # every value is escaped for HTML in every template, Markdown pages too (they hold HTML blocks
            # and attributes); the filters plain, rich and rich_block return text already made safe
            autoescape=True,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.searched = searched
        self.checked = False  # whether what templates write is checked for script (render sets it)
        self.filters = {name: self.filters[name] for name in SAFE_FILTERS}
        self.filters.update(rich=rich, rich_block=rich_block, plain=plain, verbatim=verbatim)
        # escaped text, like every safe value a template gets, stays safe only whole (text.SafeText)
        for name in ("e", "escape", "forceescape"):
            self.filters[name] = _escaped
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


_TEMPLATE_FILES = (".j2", ".md", ".css", ".svg", ".html")


def template_file_shown(filename: str, projects: list[Path]) -> str:
    """A project's template named from its project folder (``templates/pages/role.md.j2``)."""
    path = Path(filename)
    return next((path.relative_to(p).as_posix() for p in projects if path.is_relative_to(p)), filename)


def template_place(exc: BaseException, projects: list[Path]) -> tuple[str, int] | None:
    """The template file and line where ``exc`` was raised (the innermost template in its traceback)."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return template_file_shown(exc.filename or exc.name or "?", projects), exc.lineno
    tb, place = exc.__traceback__, None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(_TEMPLATE_FILES):
            place = template_file_shown(filename, projects), tb.tb_lineno
        tb = tb.tb_next
    return place


def template_location(exc: BaseException, projects: list[Path]) -> str | None:
    """``file:line`` of the template where ``exc`` was raised, if it was raised in one."""
    place = template_place(exc, projects)
    return f"{place[0]}:{place[1]}" if place else None


def template_problem(
    exc: BaseException, projects: list[Path], searched: list[str], name: str | None = None
) -> TemplateProblem:
    """What went wrong in a template, located at the template's file and line (else named by ``name``)."""
    file, line = template_place(exc, projects) or ("", 0)
    prefix = "" if file else f"{name or 'a template'}: "
    said = str(exc) if len(str(exc)) <= 300 else str(exc)[:300] + "..."
    if isinstance(exc, jinja2.TemplateNotFound):
        message = f"template {exc.name!r} not found; searched: {', '.join(searched)}"
        return TemplateProblem(message, file, line)  # located where it was included, if it was
    if isinstance(exc, jinja2.TemplateSyntaxError):
        message = f"template syntax error: {exc.message}"
    elif isinstance(exc, SecurityError):
        message = (
            f"not allowed in a template: {said.rstrip('.')}; templates read the values they are given "
            "and call the filters they are given, nothing else"
        )
    elif isinstance(exc, jinja2.UndefinedError):
        message = f"undefined value in template: {exc.message}"
    else:
        message = f"error while rendering: {type(exc).__name__}: {said}"
    return TemplateProblem(prefix + message, file, line)
