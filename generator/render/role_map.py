"""The role map's geometry: roles in rows by escalation level, relations as lines between them.

Only coordinates are computed here; templates/assets/role-map.svg.j2 draws them,
so the picture is made at build time and needs no script or outside service.
Roles that others escalate to sit above them, so escalations point upward; the order
within the rows keeps lines from crossing (role_map_order). Each box is as wide as its
name, broken over two lines if long, and every line starts and ends on a box's border,
at a place of its own, so arrowheads touch their boxes. Three kinds of relation are told
apart by line style and arrowheads, not by colour alone: works with (solid), escalates to
(dashed, arrow), backs up (dotted, arrow); the home page shows one kind at a time.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from generator.core.playbook import Playbook
from generator.render.role_map_order import KINDS, Pair, arrange, weight
from generator.render.role_map_text import text_width, wrap

__all__ = ["KINDS", "Edge", "Node", "RoleMap", "crossings", "layout"]

NAME_PX = 14.0  # font size of a name, in the picture's units: CSS pixels at its natural size
SHORT_PX = 12.0  # font size of the abbreviation (regular weight: measured in bold, to be safe)
LINE_H = 17.0  # one line of text
ASCENT = 13.0  # from the top of a line to its baseline
PAD_X, PAD_Y = 12.0, 8.0  # from a box's sides to its text
MIN_W, MAX_W = 132.0, 250.0  # a box's width, unless more lines meet one of its sides
GAP_X, GAP_Y = 40.0, 84.0  # between boxes in a row; between rows
LANE = 7.0  # between two lines running side by side
PORT_GAP, PORT_INSET = 9.0, 10.0  # between two lines meeting a box's side; from a corner to the first
MARGIN = 20.0
STUB = 14.0  # a line between rows leaves and meets a box straight, this far: longer than an arrowhead
MIN_SCALE = 0.75  # the page shrinks the picture no further: names stay 10.5 pixels high, abbreviations 9


@dataclass(frozen=True)
class Node:
    id: str
    name: str
    short: str
    lines: tuple[str, ...]  # the name as drawn: one line, or two
    x: float  # the box's centre
    y: float
    w: float
    h: float
    works_with: tuple[str, ...] = ()  # related roles' ids, for the list shown instead on small screens
    escalates_to: tuple[str, ...] = ()
    backs_up: tuple[str, ...] = ()

    @property
    def left(self) -> float:
        return round(self.x - self.w / 2, 1)

    @property
    def top(self) -> float:
        return round(self.y - self.h / 2, 1)

    @property
    def baselines(self) -> tuple[float, ...]:
        """Where each line of the name is written, then the abbreviation."""
        return tuple(round(self.top + PAD_Y + ASCENT + LINE_H * i, 1) for i in range(len(self.lines) + 1))


@dataclass(frozen=True)
class Edge:
    kind: str
    source: str
    target: str
    points: tuple[tuple[float, float], ...]  # from a point on the source's border to one on the target's
    label: str

    @property
    def d(self) -> str:
        """The SVG path data."""
        return " ".join(f"{'L' if i else 'M'}{_fmt(x)},{_fmt(y)}" for i, (x, y) in enumerate(self.points))


@dataclass(frozen=True)
class RoleMap:
    width: float
    height: float
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    @property
    def min_width(self) -> float:
        """The narrowest the page draws the picture (it scrolls sideways instead)."""
        return round(self.width * MIN_SCALE)


def _fmt(v: float) -> str:
    text = f"{v:.1f}"
    return "0.0" if text == "-0.0" else text


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


@dataclass(frozen=True)
class _Relation:
    kind: str
    source: str
    target: str
    label: str


def _relations(playbook: Playbook) -> list[_Relation]:
    roles = playbook.roles
    out: list[_Relation] = []
    paired: set[frozenset[str]] = set()

    def add(kind: str, source: str, target: str, verb: str) -> None:
        if source in roles and target in roles and source != target:
            out.append(_Relation(kind, source, target, f"{roles[source].name} {verb} {roles[target].name}"))

    for rid, role in roles.items():
        for link in role.works_with:
            if frozenset((rid, link.role)) not in paired:  # one line for a pair that lists each other
                paired.add(frozenset((rid, link.role)))
                add("works-with", rid, link.role, "works with")
        for esc in role.escalates_to:
            add("escalates-to", rid, esc.role, "escalates to")
        for backup in role.backups:
            add("backs-up", backup, rid, "backs up")
    return out


@dataclass
class _End:
    """One end of a line, on a side of a box; ``key`` orders the ends along the side."""

    role: str
    side: str  # top, bottom, left or right
    key: tuple[float, float, int, int]
    point: tuple[float, float] = (0.0, 0.0)


@dataclass
class _Route:
    relation: _Relation
    start: _End
    end: _End
    middle: list[tuple[float, float]] = field(default_factory=list)
    lane_y: float | None = None  # a line between two roles of a row, with roles between, runs over it

    def points(self) -> tuple[tuple[float, float], ...]:
        (sx, sy), (ex, ey) = self.start.point, self.end.point
        if self.lane_y is not None:
            return ((sx, sy), (sx, self.lane_y), (ex, self.lane_y), (ex, ey))
        if self.start.side in ("left", "right"):
            return ((sx, sy), (ex, ey))
        # between rows: straight off the box and straight into the other, so an arrowhead meets its
        # box's border square on, whatever the slant of the line between
        up = -STUB if self.start.side == "top" else STUB
        return ((sx, sy), (sx, round(sy + up, 1)), *self.middle, (ex, round(ey - up, 1)), (ex, ey))


def _place_ends(routes: Iterable[_Route], nodes: dict[str, Node]) -> None:
    """Spread the ends meeting each side of a box along it, in the order of their keys: lines reach a
    side in the order they come from, so they do not cross next to the box."""
    sides: dict[tuple[str, str], list[_End]] = {}
    for route in routes:
        for end in (route.start, route.end):
            sides.setdefault((end.role, end.side), []).append(end)
    for (rid, side), ends in sides.items():
        node = nodes[rid]
        ends.sort(key=lambda e: e.key)
        for i, end in enumerate(ends):
            if side in ("top", "bottom"):
                x = node.left + PORT_INSET + (node.w - 2 * PORT_INSET) * (i + 0.5) / len(ends)
                end.point = (round(x, 1), node.top if side == "top" else round(node.top + node.h, 1))
            else:
                y = node.y + (i - (len(ends) - 1) / 2) * LANE
                end.point = (node.left if side == "left" else round(node.left + node.w, 1), round(y, 1))


def _size(name: str, short: str, ends: int) -> tuple[tuple[str, ...], float, float]:
    """The lines of a role's name, and its box's width and height; ``ends``: the most lines meeting
    one side of it."""
    lines = wrap(name, MAX_W - 2 * PAD_X, NAME_PX)
    text = max([text_width(line, NAME_PX) for line in lines] + [text_width(short, SHORT_PX)])
    width = max(MIN_W, min(MAX_W, math.ceil(text + 2 * PAD_X)), ends * PORT_GAP + 2 * PORT_INSET)
    return lines, float(width), 2 * PAD_Y + LINE_H * (len(lines) + 1)


def layout(playbook: Playbook) -> RoleMap:
    roles = playbook.roles
    if not roles:
        return RoleMap(2 * MARGIN, 2 * MARGIN, (), ())
    index = {rid: i for i, rid in enumerate(roles)}
    levels = _levels(playbook)
    pairs: dict[Pair, list[_Relation]] = {}
    for rel in _relations(playbook):
        a, b = sorted((rel.source, rel.target), key=lambda r: (levels[r], index[r]))
        pairs.setdefault((a, b), []).append(rel)
    for rels in pairs.values():
        rels.sort(key=lambda rel: KINDS.index(rel.kind))  # stable: a kind's lines keep playbook order
    ends = {rid: [0, 0] for rid in roles}  # lines meeting the top and the bottom of each box
    for (a, b), rels in pairs.items():
        ends[a][levels[a] < levels[b]] += len(rels)
        ends[b][0] += len(rels)
    sizes = {rid: _size(role.name, role.short, max(ends[rid])) for rid, role in roles.items()}
    rows, xs = arrange(
        list(roles),
        levels,
        {pair: weight(rel.kind for rel in rels) for pair, rels in pairs.items()},
        {rid: size[1] for rid, size in sizes.items()},
        GAP_X,
        LANE,
    )
    position = {slot: i for row in rows for i, slot in enumerate(row)}

    # Lines within a row: beside each other straight across; with roles between, over the row, each in
    # a lane of its own, the shorter ones nearer the row, so they nest without crossing.
    lanes: list[list[_Relation]] = [[] for _ in rows]
    for (a, b), rels in pairs.items():
        lo, hi = sorted((position[a], position[b]))
        if levels[a] == levels[b] and any(isinstance(s, str) for s in rows[levels[a]][lo + 1 : hi]):
            lanes[levels[a]].extend(rels)
    for over in lanes:
        over.sort(key=lambda rel: abs(position[rel.source] - position[rel.target]))
    lane_of = {id(rel): i for over in lanes for i, rel in enumerate(over)}

    # Rows from the top, each as high as its highest box, below a gap that holds the lanes over it.
    heights = [max(sizes[s][2] for s in row if isinstance(s, str)) for row in rows]
    tops: list[float] = []
    y = MARGIN
    for level, height in enumerate(heights):
        y += (GAP_Y if level else 0) + (LANE * len(lanes[level]) + 10 if lanes[level] else 0)
        tops.append(y)
        y += height
    half = {s: (sizes[s][1] if isinstance(s, str) else LANE * len(pairs[s[0]])) / 2 for s in xs}
    shift = MARGIN - min(xs[s] - half[s] for s in xs)

    nodes: dict[str, Node] = {}
    for rid, role in roles.items():
        lines, w, h = sizes[rid]
        listed = [link.role for link in role.works_with]  # its own list first, then who lists it
        listed += [other for other, r in roles.items() if rid in {link.role for link in r.works_with}]
        nodes[rid] = Node(
            rid,
            role.name,
            role.short,
            lines,
            round(xs[rid] + shift, 1),
            round(tops[levels[rid]] + heights[levels[rid]] / 2, 1),
            w,
            h,
            works_with=tuple(dict.fromkeys(o for o in listed if o in roles and o != rid)),
            escalates_to=tuple(
                dict.fromkeys(e.role for e in role.escalates_to if e.role in roles and e.role != rid)
            ),
            backs_up=tuple(other for other, r in roles.items() if rid in r.backups and other != rid),
        )

    routes: list[_Route] = []
    for (a, b), rels in pairs.items():
        for k, rel in enumerate(rels):
            i = len(routes)
            rightward = nodes[a].x < nodes[b].x
            if levels[a] != levels[b]:  # down from a's bottom to b's top, through the rows between
                offset = (k - (len(rels) - 1) / 2) * LANE  # a pair's lines side by side
                middle: list[tuple[float, float]] = []
                for level in range(levels[a] + 1, levels[b]):
                    x = round(xs[((a, b), level)] + shift + offset, 1)
                    middle += [(x, tops[level]), (x, round(tops[level] + heights[level], 1))]
                first = middle[0][0] if middle else nodes[b].x
                last = middle[-1][0] if middle else nodes[a].x
                route = _Route(
                    rel, _End(a, "bottom", (0, first, k, i)), _End(b, "top", (0, last, k, i)), middle
                )
            elif id(rel) in lane_of:  # over the row: its ends are the outermost on the way it goes
                lane = lane_of[id(rel)]
                out, back = (1, -lane, k, i), (-1, lane, k, i)
                route = _Route(
                    rel,
                    _End(a, "top", out if rightward else back),
                    _End(b, "top", back if rightward else out),
                    lane_y=round(tops[levels[a]] - 10 - lane * LANE, 1),
                )
            else:
                near_side, far_side = ("right", "left") if rightward else ("left", "right")
                route = _Route(rel, _End(a, near_side, (0, 0, k, i)), _End(b, far_side, (0, 0, k, i)))
            if rel.source != a:
                route = _Route(rel, route.end, route.start, route.middle[::-1], route.lane_y)
            routes.append(route)
    _place_ends(routes, nodes)

    edges = tuple(
        Edge(r.relation.kind, r.relation.source, r.relation.target, r.points(), r.relation.label)
        for r in routes
    )
    right = max(xs[s] + shift + half[s] for s in xs)
    return RoleMap(
        round(right + MARGIN, 1), round(tops[-1] + heights[-1] + MARGIN, 1), tuple(nodes.values()), edges
    )


def _cross(
    p: tuple[float, float], q: tuple[float, float], r: tuple[float, float], s: tuple[float, float]
) -> bool:
    """Whether segments pq and rs cross at a point inside both."""
    d = (q[0] - p[0]) * (s[1] - r[1]) - (q[1] - p[1]) * (s[0] - r[0])
    if d == 0:
        return False
    t = ((r[0] - p[0]) * (s[1] - r[1]) - (r[1] - p[1]) * (s[0] - r[0])) / d
    u = ((r[0] - p[0]) * (q[1] - p[1]) - (r[1] - p[1]) * (q[0] - p[0])) / d
    return 0 < t < 1 and 0 < u < 1


def crossings(rolemap: RoleMap, kinds: Iterable[str] = KINDS) -> int:
    """How many times the drawn lines of the given kinds cross one another."""
    chosen = set(kinds)
    paths = [edge.points for edge in rolemap.edges if edge.kind in chosen]
    return sum(
        _cross(*s, *t)
        for a, b in itertools.combinations(paths, 2)
        for s in itertools.pairwise(a)
        for t in itertools.pairwise(b)
    )
