"""Strict YAML: plain data only, every value keeping its line and column.

Scalars follow the YAML 1.2 core idea rather than PyYAML's 1.1 defaults: only
``true``/``false`` are booleans (``no`` stays the word "no"), only plain decimal
numbers are integers, and everything else (``1.0``, ``2024-04-15``) stays text,
so a version keeps the digits its author wrote and pydantic reads dates.
Custom tags (``!!python/...``, ``!env``), anchors and aliases are refused: a role
file is data, not a program. The standard tags ``!!str``, ``!!int``, ``!!bool``,
``!!null``, ``!!seq`` and ``!!map`` are accepted.
Control, bidirectional and invisible characters are found in every value and key,
whatever escape wrote them, and kept as located problems (see ``characters``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
import yaml.reader
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from generator.core.characters import Kind, key_kind, refused, value_kind
from generator.core.yaml_traps import Trap, comment_lines, cut_by_comment, joined_items, syntax_hint
from generator.diagnostics import Severity

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 64

Path_ = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


class _Resolver(BaseResolver):
    """Resolves plain scalars to null, bool, int or str and nothing else."""


_Resolver.add_implicit_resolver(_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
_Resolver.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_Resolver.add_implicit_resolver(_INT, re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))


try:  # PyYAML built with libyaml parses about ten times faster.
    from yaml._yaml import CParser

    class _Loader(CParser, _Resolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _Resolver.__init__(self)

except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Loader(Reader, Scanner, Parser, Composer, _Resolver):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)
            _Resolver.__init__(self)


@dataclass(frozen=True)
class Loc:
    line: int
    col: int


@dataclass
class YamlDoc:
    """A parsed file: its data and where each value (and each mapping key) stands."""

    path: str
    data: Any
    values: dict[Path_, Loc] = field(default_factory=dict)
    keys: dict[Path_, Loc] = field(default_factory=dict)
    problems: list[YamlProblem] = field(default_factory=list)  # refused characters and traps, located
    source: str = field(default="", repr=False)  # the text parsed, for finding a word inside a value

    def loc(self, path: Path_, *, key: bool = False) -> Loc:
        """The location of ``path``, or of its nearest existing parent."""
        table = self.keys if key else self.values
        if path in table:
            return table[path]
        for cut in range(len(path) - 1, -1, -1):
            if path[:cut] in self.keys and cut:
                return self.keys[path[:cut]]
            if path[:cut] in self.values:
                return self.values[path[:cut]]
        return Loc(1, 1)


class YamlProblem(Exception):
    """The file is not acceptable YAML (or, kept in YamlDoc.problems with severity "warning", valid YAML
    that likely means something else than was written); located at ``line``/``col``."""

    def __init__(self, message: str, line: int = 1, col: int = 1, severity: Severity = "error") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col
        self.severity: Severity = severity


def _short_tag(tag: str) -> str:
    """``tag:yaml.org,2002:python/object`` as the user wrote it: ``!!python/object``."""
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _loc(node: Node) -> Loc:
    return Loc(node.start_mark.line + 1, node.start_mark.column + 1)


def _scalar(node: ScalarNode) -> Any:
    tag, value = node.tag, node.value
    loc = _loc(node)
    if tag == _STR:
        return value
    if tag == _NULL:
        if value not in ("", "~", "null", "Null", "NULL"):
            raise YamlProblem(
                f"{_clip(value)!r} is not empty: '!!null' fits only an empty value", loc.line, loc.col
            )
        return None
    if tag == _BOOL:
        if value.lower() not in ("true", "false"):
            raise YamlProblem(
                f"{_clip(value)!r} is not a yes/no value: write true or false", loc.line, loc.col
            )
        return value.lower() == "true"
    if tag == _INT:
        if not re.fullmatch(r"[-+]?[0-9]+", value):
            raise YamlProblem(f"{_clip(value)!r} is not a whole number", loc.line, loc.col)
        try:
            return int(value)
        except ValueError:  # beyond Python's limit on digits
            raise YamlProblem(f"number too long: {_clip(value)!r}", loc.line, loc.col) from None
    raise YamlProblem(_tag_message(tag), loc.line, loc.col)


def _tag_message(tag: str) -> str:
    if tag in (_STR, _NULL, _BOOL, _INT):
        return f"YAML tag '{_short_tag(tag)}' fits a single value, not a list or mapping"
    return f"YAML tag '{_short_tag(tag)}' is not allowed: playbook files hold plain text, numbers, lists and mappings"


class _Walker:
    def __init__(self, doc: YamlDoc, text: str) -> None:
        self.doc = doc
        self.text = text
        doc.source = text
        self.seen: set[int] = set()
        self.comments = comment_lines(text)  # only a scalar ending on one of these can be cut short

    def traps(self, node: ScalarNode, path: Path_, list_col: int | None) -> None:
        """Warnings for unquoted text that YAML reads otherwise than it looks (see ``yaml_traps``)."""
        key = path[-1] if path and isinstance(path[-1], str) and list_col is None else None
        found: list[Trap] = []
        if node.end_mark.line > node.start_mark.line:
            found = joined_items(self.text, node, key, list_col)
        if node.end_mark.line in self.comments:
            cut = cut_by_comment(self.text, node, key)
            found += [cut] if cut else []
        self.doc.problems.extend(YamlProblem(t.message, t.line, t.col, "warning") for t in found)

    def characters(self, node: ScalarNode, value: str, kind: Kind) -> None:
        """Keep a problem for the first refused character, located where it stands if it is
        written as itself, or at the start of the value if an escape wrote it."""
        found = refused(value, kind)
        if found is None:
            return
        start, end = node.start_mark.index, node.end_mark.index
        raw = self.text.find(value[found[0]], start, max(end, start))
        at = _loc(node) if raw < 0 else _position(self.text, raw)
        self.doc.problems.append(YamlProblem(found[1], at.line, at.col))

    def value(self, node: Node, path: Path_, list_col: int | None = None) -> Any:
        if id(node) in self.seen:  # the composer hands out the anchored node again
            loc = self.doc.keys.get(path) or _loc(node)
            raise YamlProblem(
                "YAML anchors and aliases are not allowed: write the value out", loc.line, loc.col
            )
        self.seen.add(id(node))
        if len(path) > MAX_DEPTH:
            loc = _loc(node)
            raise YamlProblem(f"nesting deeper than {MAX_DEPTH} levels", loc.line, loc.col)
        self.doc.values[path] = _loc(node)
        if isinstance(node, ScalarNode):
            scalar = _scalar(node)
            if isinstance(scalar, str):
                self.characters(node, scalar, value_kind(path))
            # plain (style '' from libyaml, None from Python) text or empty value, on several lines or
            # with a comment after it; a number, true/false or '~' is left alone
            end = node.end_mark.line
            suspect = end != node.start_mark.line or end in self.comments
            if suspect and not node.style and (isinstance(scalar, str) or node.value == ""):
                self.traps(node, path, list_col)
            return scalar
        if node.tag not in (_SEQ, _MAP):
            loc = _loc(node)
            raise YamlProblem(_tag_message(node.tag), loc.line, loc.col)
        if isinstance(node, SequenceNode):
            dash = None if node.flow_style else node.start_mark.column
            return [self.value(item, (*path, i), dash) for i, item in enumerate(node.value)]
        assert isinstance(node, MappingNode)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            loc = _loc(key_node)
            if not isinstance(key_node, ScalarNode) or key_node.tag == _MAP:
                raise YamlProblem("a mapping key must be plain text", loc.line, loc.col)
            key = _scalar(key_node)
            key = key if isinstance(key, str) else key_node.value
            self.characters(key_node, key, key_kind(path))
            if key in result:
                first = self.doc.keys[(*path, key)]
                hint = ""
                if path and path[-1] == "raci":  # one role, two letters: the A/R it could not write
                    hint = "; a role holds one letter per activity: AR makes it Accountable and Responsible"
                raise YamlProblem(
                    f"duplicate key {key!r} (first defined on line {first.line}){hint}", loc.line, loc.col
                )
            self.doc.keys[(*path, key)] = loc
            result[key] = self.value(value_node, (*path, key))
        return result


def _position(text: str, index: int) -> Loc:
    line_start = text.rfind("\n", 0, index) + 1
    return Loc(text.count("\n", 0, index) + 1, index - line_start + 1)


def _refuse_anchors(text: str) -> None:
    """Anchors (&x) and aliases (*x), found from the parser's events so each is located exactly."""
    if "&" not in text and "*" not in text:  # neither can occur: skip the second pass
        return
    loader = _Loader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if event is None:
                break
            mark = event.start_mark
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            if isinstance(event, yaml.AliasEvent):
                raise YamlProblem(
                    f"YAML aliases (*{event.anchor}) are not allowed: write the value out", line, col
                )
            anchor = getattr(event, "anchor", None)
            if anchor:
                raise YamlProblem(f"YAML anchors (&{anchor}) are not allowed: write the value out", line, col)
    finally:
        loader.dispose()


def _reader_problem(exc: yaml.reader.ReaderError, text: str) -> YamlProblem:
    position = max(0, min(exc.position, len(text)))
    before = text[:position]
    line = before.count("\n") + 1
    col = position - (before.rfind("\n") + 1) + 1
    char = exc.character
    shown = f"U+{char:04X}" if isinstance(char, int) else repr(char)
    return YamlProblem(f"control character {shown} is not allowed in YAML text", line, col)


def parse_yaml(text: str, path: str) -> YamlDoc:
    """Parse one YAML document into plain data with locations.

    Raises YamlProblem for anything that is not a single plain-data document.
    """
    doc = YamlDoc(path, None)
    try:
        _refuse_anchors(text)
    except yaml.MarkedYAMLError:
        pass  # a syntax error: reported below, by the pass that builds the data
    except yaml.reader.ReaderError as exc:
        raise _reader_problem(exc, text) from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            doc.data = _Walker(doc, text).value(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem and "expected a single document" in exc.context:
            problem = "more than one YAML document in the file ('---' separates documents)"
        elif mark:
            problem = syntax_hint(problem, text, mark.line, mark.column)
        raise YamlProblem(problem, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1) from None
    except yaml.reader.ReaderError as exc:
        raise _reader_problem(exc, text) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"invalid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise YamlProblem(f"nesting too deep (more than {MAX_DEPTH} levels)") from None
    finally:
        loader.dispose()
    return doc


def decode(raw: bytes) -> str:
    """UTF-8 text, with or without a byte-order mark; CRLF read as LF."""
    if len(raw) > MAX_FILE_BYTES:
        raise YamlProblem(f"file is larger than {MAX_FILE_BYTES // 1024} KiB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise YamlProblem(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8", line, col
        ) from None
    return text.replace("\r\n", "\n")
