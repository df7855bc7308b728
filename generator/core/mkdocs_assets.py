"""Stylesheets and scripts that mkdocs.yml adds to every page: each must be a file of the site.

mkdocs.yml is edited by many hands like the playbook; an `extra_javascript` or `extra_css` entry
naming another host would make every page of the playbook load that host's code or styles, which
the site never does (it works offline and loads nothing from another host). Read as YAML nodes, so
each entry is reported at its line; MkDocs' own tags (!ENV, ...) are left alone.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.core.mkdocs_settings import found_config_file
from generator.diagnostics import Diagnostic

ASSET_KEYS = ("extra_javascript", "extra_css")
# a scheme (https:, data:, javascript:...) or a network-path reference (//host/...), after any blanks
_ELSEWHERE = re.compile(r"^\s*(?:[A-Za-z][A-Za-z0-9+.-]*:|[/\\]{2})")


def _entries(node: Node) -> list[ScalarNode]:
    """The path of each entry: a plain string, or the `path` of a mapping ({path, defer, async, type})."""
    if not isinstance(node, SequenceNode):
        return []
    found: list[ScalarNode] = []
    for item in node.value:
        if isinstance(item, ScalarNode):
            found.append(item)
        elif isinstance(item, MappingNode):
            found += [
                v
                for k, v in item.value
                if isinstance(k, ScalarNode) and k.value == "path" and isinstance(v, ScalarNode)
            ]
    return found


def remote_assets(project: Path) -> list[Diagnostic]:
    """An error for each stylesheet or script of mkdocs.yml that is not a file of the site."""
    path = found_config_file(project)
    if path is None:
        return []
    try:
        root = yaml.compose(path.read_text("utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []  # MkDocs says what is wrong with its file
    if not isinstance(root, MappingNode):
        return []
    out = []
    for key, value in root.value:
        if not (isinstance(key, ScalarNode) and key.value in ASSET_KEYS):
            continue
        for entry in _entries(value):
            if _ELSEWHERE.match(entry.value):
                mark = entry.start_mark
                message = (
                    f"{key.value} loads {entry.value!r}, which is not a file of the site: the playbook site "
                    "loads nothing from another host; put the file in docs/ and name it by its path there"
                )
                out.append(Diagnostic(path.name, mark.line + 1, mark.column + 1, message))
    return out
