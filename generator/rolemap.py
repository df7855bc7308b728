"""The role map's geometry: roles on a circle, relations as lines between them.

Only coordinates are computed here; templates/assets/role-map.svg.j2 draws them,
so the picture is made at build time and needs no script or outside service.
Three kinds of relation are told apart by line style and arrowheads, not by
colour alone: works with (solid), escalates to (dashed, arrow), backs up (dotted, arrow).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .playbook import Playbook

NODE_W = 206.0
NODE_H = 46.0
SQUASH = 0.8  # the circle is drawn as a slightly flattened ellipse to suit wide screens
KINDS = ("works-with", "escalates-to", "backs-up")
_BEND = {"works-with": 0.0, "escalates-to": 0.18, "backs-up": -0.18}


@dataclass(frozen=True)
class Node:
    id: str
    name: str
    short: str
    x: float
    y: float


@dataclass(frozen=True)
class Edge:
    kind: str
    source: str
    target: str
    d: str  # SVG path data
    label: str


@dataclass(frozen=True)
class RoleMap:
    width: float
    height: float
    node_w: float
    node_h: float
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


def _fmt(v: float) -> str:
    text = f"{v:.1f}"
    return "0.0" if text == "-0.0" else text


def _to_border(cx: float, cy: float, dx: float, dy: float) -> tuple[float, float]:
    """Where a ray from a node's centre in direction (dx, dy) leaves the node's box (with a margin)."""
    half_w, half_h = NODE_W / 2 + 4, NODE_H / 2 + 4
    scale = min(half_w / abs(dx) if dx else math.inf, half_h / abs(dy) if dy else math.inf)
    return cx + dx * scale, cy + dy * scale


def _path(a: Node, b: Node, bend: float) -> str:
    mx, my = (a.x + b.x) / 2, (a.y + b.y) / 2
    # control point: off the midpoint, perpendicular to the line, by `bend` of its length
    qx, qy = mx - (b.y - a.y) * bend, my + (b.x - a.x) * bend
    sx, sy = _to_border(a.x, a.y, qx - a.x, qy - a.y)
    ex, ey = _to_border(b.x, b.y, qx - b.x, qy - b.y)
    if bend == 0:
        return f"M{_fmt(sx)},{_fmt(sy)} L{_fmt(ex)},{_fmt(ey)}"
    return f"M{_fmt(sx)},{_fmt(sy)} Q{_fmt(qx)},{_fmt(qy)} {_fmt(ex)},{_fmt(ey)}"


def layout(playbook: Playbook) -> RoleMap:
    ids = list(playbook.roles)
    count = len(ids)
    # The circle grows with the number of roles so neighbouring boxes do not overlap.
    radius = max(200.0, (NODE_W + 24) * count / (2 * math.pi)) if count > 1 else 0.0
    width = 2 * radius + NODE_W + 40
    height = 2 * radius * SQUASH + NODE_H + 40
    nodes: dict[str, Node] = {}
    for i, rid in enumerate(ids):
        angle = -math.pi / 2 + 2 * math.pi * i / max(count, 1)
        role = playbook.roles[rid]
        nodes[rid] = Node(
            rid,
            role.name,
            role.short,
            round(width / 2 + radius * math.cos(angle), 1),
            round(height / 2 + radius * SQUASH * math.sin(angle), 1),
        )
    edges: list[Edge] = []
    paired: set[frozenset[str]] = set()
    for rid, role in playbook.roles.items():
        for link in role.works_with:
            pair = frozenset((rid, link.role))
            if pair not in paired:  # one line for a pair that lists each other
                paired.add(pair)
                edges.append(
                    Edge(
                        "works-with",
                        rid,
                        link.role,
                        _path(nodes[rid], nodes[link.role], 0.0),
                        f"{role.name} works with {nodes[link.role].name}",
                    )
                )
        for esc in role.escalates_to:
            edges.append(
                Edge(
                    "escalates-to",
                    rid,
                    esc.role,
                    _path(nodes[rid], nodes[esc.role], _BEND["escalates-to"]),
                    f"{role.name} escalates to {nodes[esc.role].name}",
                )
            )
        for backup in role.backups:
            edges.append(
                Edge(
                    "backs-up",
                    backup,
                    rid,
                    _path(nodes[backup], nodes[rid], _BEND["backs-up"]),
                    f"{nodes[backup].name} backs up {role.name}",
                )
            )
    return RoleMap(round(width, 1), round(height, 1), NODE_W, NODE_H, tuple(nodes.values()), tuple(edges))
