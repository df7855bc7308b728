"""The role map's geometry: roles in rows by escalation level, relations as lines between them.

Only coordinates are computed here; templates/assets/role-map.svg.j2 draws them,
so the picture is made at build time and needs no script or outside service.
Roles that others escalate to sit above them, so escalations point upward.
Three kinds of relation are told apart by line style and arrowheads, not by
colour alone: works with (solid), escalates to (dashed, arrow), backs up (dotted, arrow).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from generator.core.playbook import Playbook

NODE_W = 206.0
NODE_H = 46.0
GAP_X = 36.0
GAP_Y = 74.0
KINDS = ("works-with", "escalates-to", "backs-up")
_BEND = {"works-with": 0.0, "escalates-to": 0.12, "backs-up": -0.12}


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


def _levels(playbook: Playbook) -> dict[str, int]:
    """Row of each role: 0 for roles that escalate to nobody, else one below the lowest role escalated to."""
    levels: dict[str, int] = {}

    def level(rid: str, seen: frozenset[str]) -> int:
        if rid not in levels:
            targets = [e.role for e in playbook.roles[rid].escalates_to if e.role in playbook.roles]
            targets = [t for t in targets if t not in seen]  # validation forbids cycles; stay safe anyway
            levels[rid] = 1 + max((level(t, seen | {rid}) for t in targets), default=-1)
        return levels[rid]

    for rid in playbook.roles:
        level(rid, frozenset())
    return levels


def _neighbours(playbook: Playbook) -> dict[str, set[str]]:
    near: dict[str, set[str]] = {rid: set() for rid in playbook.roles}
    for rid, role in playbook.roles.items():
        others = [w.role for w in role.works_with] + [e.role for e in role.escalates_to] + list(role.backups)
        for other in others:
            if other in near and other != rid:
                near[rid].add(other)
                near[other].add(rid)
    return near


def _rows(playbook: Playbook) -> list[list[str]]:
    """Roles per row; within a row, ordered under the roles they relate to (barycentre), ties in site order."""
    levels = _levels(playbook)
    rows: list[list[str]] = [[] for _ in range(max(levels.values(), default=-1) + 1)]
    for rid in playbook.roles:
        rows[levels[rid]].append(rid)
    near = _neighbours(playbook)
    site_order = {rid: i for i, rid in enumerate(playbook.roles)}
    for depth in range(1, len(rows)):
        above = {rid: i / max(len(row) - 1, 1) for row in rows[:depth] for i, rid in enumerate(row)}
        centre: dict[str, tuple[float, int]] = {}
        for rid in rows[depth]:
            xs = [above[n] for n in sorted(near[rid]) if n in above]
            centre[rid] = (round(math.fsum(xs) / len(xs), 9) if xs else 0.5, site_order[rid])
        rows[depth].sort(key=centre.__getitem__)
    return rows


def layout(playbook: Playbook) -> RoleMap:
    rows = _rows(playbook)
    widest = max((len(r) for r in rows), default=1)
    width = widest * (NODE_W + GAP_X) + 40
    height = len(rows) * (NODE_H + GAP_Y) - GAP_Y + 80
    nodes: dict[str, Node] = {}
    for depth, row in enumerate(rows):
        offset = (width - len(row) * (NODE_W + GAP_X) + GAP_X) / 2
        for i, rid in enumerate(row):
            role = playbook.roles[rid]
            x = offset + i * (NODE_W + GAP_X) + NODE_W / 2
            y = 40 + depth * (NODE_H + GAP_Y) + NODE_H / 2
            nodes[rid] = Node(rid, role.name, role.short, round(x, 1), round(y, 1))
    position = {rid: (depth, row.index(rid)) for depth, row in enumerate(rows) for rid in row}

    def bend(a: str, b: str, kind: str) -> float:
        """How far a line curves: it arcs around the roles it would otherwise cross."""
        (ra, ia), (rb, ib) = position[a], position[b]
        length = math.dist((nodes[a].x, nodes[a].y), (nodes[b].x, nodes[b].y)) or 1.0
        # A quadratic curve passes half-way to its control point: clear half a box plus a margin.
        if ra == rb and abs(ia - ib) > 1:  # same row, not neighbours: over the roles between
            return (-1 if ia < ib else 1) * (NODE_H + 40) / length + _BEND[kind] / 2
        if abs(ra - rb) > 1:  # skips a row: around the roles in it
            side = 1 if (rb - ra) * (ib - ia + 0.5) > 0 else -1
            return side * (NODE_W + 40) / length + _BEND[kind] / 2
        return _BEND[kind]

    edges: list[Edge] = []
    paired: set[frozenset[str]] = set()

    def add(kind: str, a: str, b: str, label: str) -> None:
        edges.append(Edge(kind, a, b, _path(nodes[a], nodes[b], bend(a, b, kind)), label))

    for rid, role in playbook.roles.items():
        for link in role.works_with:
            if frozenset((rid, link.role)) not in paired:  # one line for a pair that lists each other
                paired.add(frozenset((rid, link.role)))
                add("works-with", rid, link.role, f"{role.name} works with {nodes[link.role].name}")
        for esc in role.escalates_to:
            add("escalates-to", rid, esc.role, f"{role.name} escalates to {nodes[esc.role].name}")
        for backup in role.backups:
            add("backs-up", backup, rid, f"{nodes[backup].name} backs up {role.name}")
    return RoleMap(round(width, 1), round(height, 1), NODE_W, NODE_H, tuple(nodes.values()), tuple(edges))
