"""Strict YAML: plain data only, every value keeping its line and column.

Scalars follow the YAML 1.2 core idea rather than PyYAML's 1.1 defaults: only
``true``/``false`` are booleans (``no`` stays the word "no"), only plain decimal
numbers are integers, and everything else (``1.0``, ``2024-04-15``) stays text,
so a version keeps the digits its author wrote and pydantic reads dates.
Tags, anchors and aliases are refused: a role file is data, not a program.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

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
    """The file is not acceptable YAML; located at ``line``/``col``."""

    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


def _loc(node: Node) -> Loc:
    return Loc(node.start_mark.line + 1, node.start_mark.column + 1)


def _scalar(node: ScalarNode) -> Any:
    tag = node.tag
    if tag == _STR:
        return node.value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return node.value.lower() == "true"
    if tag == _INT:
        try:
            return int(node.value)
        except ValueError as exc:
            loc = _loc(node)
            raise YamlProblem(f"not an integer: {node.value!r}", loc.line, loc.col) from exc
    loc = _loc(node)
    raise YamlProblem(
        f"YAML tag {tag!r} is not allowed: role files hold plain text, numbers, lists and mappings",
        loc.line,
        loc.col,
    )


class _Walker:
    def __init__(self, doc: YamlDoc) -> None:
        self.doc = doc
        self.seen: set[int] = set()

    def value(self, node: Node, path: Path_) -> Any:
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
            return _scalar(node)
        if node.tag not in (_SEQ, _MAP):
            loc = _loc(node)
            raise YamlProblem(f"YAML tag {node.tag!r} is not allowed", loc.line, loc.col)
        if isinstance(node, SequenceNode):
            return [self.value(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, MappingNode)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            loc = _loc(key_node)
            if not isinstance(key_node, ScalarNode) or key_node.tag == _MAP:
                raise YamlProblem("a mapping key must be plain text", loc.line, loc.col)
            key = _scalar(key_node)
            key = key if isinstance(key, str) else key_node.value
            if key in result:
                first = self.doc.keys[(*path, key)]
                raise YamlProblem(
                    f"duplicate key {key!r} (first defined on line {first.line})", loc.line, loc.col
                )
            self.doc.keys[(*path, key)] = loc
            result[key] = self.value(value_node, (*path, key))
        return result


def parse_yaml(text: str, path: str) -> YamlDoc:
    """Parse one YAML document into plain data with locations.

    Raises YamlProblem for anything that is not a single plain-data document.
    """
    doc = YamlDoc(path, None)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            doc.data = _Walker(doc).value(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem and "expected a single document" in exc.context:
            problem = "more than one YAML document in the file ('---' separates documents)"
        raise YamlProblem(problem, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"invalid YAML: {exc}") from None
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
