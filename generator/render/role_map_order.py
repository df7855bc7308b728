"""The order of the roles within the role map's rows, and their places: few crossing lines.

Grandalf's layered (Sugiyama) layout orders each row and places the boxes; it knows only lines
between rows, so the order is then improved counting the lines within rows too: each slot of a row
moves to the place where the crossings cost least, from grandalf's order and from a few shuffled
ones (shuffled the same way every time: the same playbook gives the same map, byte for byte).
A line that skips rows takes a slot in each row it passes, so it bends through a gap between boxes.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Sequence

from grandalf.graphs import Edge, Vertex, graph_core  # type: ignore[import-untyped]
from grandalf.layouts import SugiyamaLayout  # type: ignore[import-untyped]

KINDS = ("works-with", "escalates-to", "backs-up")
STARTS = 16  # shuffled orders tried besides grandalf's ...
WORK = 150_000  # ... until this much counting is done: a large playbook stops sooner, at the same place
# A crossing shows in the view of all lines and, if both lines are of one kind, in that kind's own view
# too: it costs more, the most for escalations, the view shown first.
SAME_KIND = (3, 12, 3)

Pair = tuple[str, str]  # two related roles: the upper first, or in one row the first in the playbook
Slot = str | tuple[Pair, int]  # in a row: a role, or where the line of a pair that skips it crosses it
Weight = tuple[int, int, int]  # how many lines of each kind a bundle between two slots holds


def weight(kinds: Iterable[str]) -> Weight:
    listed = list(kinds)
    return (listed.count(KINDS[0]), listed.count(KINDS[1]), listed.count(KINDS[2]))


def _price(a: Weight, b: Weight) -> int:
    """What a crossing of two bundles of lines costs."""
    same = SAME_KIND[0] * a[0] * b[0] + SAME_KIND[1] * a[1] * b[1] + SAME_KIND[2] * a[2] * b[2]
    return sum(a) * sum(b) + same


def _add(a: Weight, b: Weight) -> Weight:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


class _Rows:
    """Rows of slots and the lines between and within them, reordered to cost less."""

    def __init__(
        self,
        rows: list[list[Slot]],
        links: Iterable[tuple[Slot, Slot, Weight]],
        flat: Iterable[tuple[str, str, Weight]],
    ) -> None:
        self.rows = rows
        self.work = 0
        row_of = {slot: r for r, row in enumerate(rows) for slot in row}
        self.up: dict[Slot, list[tuple[Slot, Weight]]] = {slot: [] for slot in row_of}
        self.down: dict[Slot, list[tuple[Slot, Weight]]] = {slot: [] for slot in row_of}
        self.above: dict[Slot, Weight] = dict.fromkeys(row_of, (0, 0, 0))  # lines coming down to it
        for upper, lower, w in links:
            self.down[upper].append((lower, w))
            self.up[lower].append((upper, w))
            self.above[lower] = _add(self.above[lower], w)
        self.flat: list[list[tuple[str, str, Weight]]] = [[] for _ in rows]
        for line in flat:
            self.flat[row_of[line[0]]].append(line)

    def _pairs(self, row: list[Slot], pos: dict[Slot, int]) -> dict[tuple[Slot, Slot], int]:
        """What the lines of two slots of a row cost, crossing each other, when the first is left."""
        price: dict[tuple[Slot, Slot], int] = {}
        for s, t in itertools.permutations(row, 2):
            price[(s, t)] = sum(
                _price(w1, w2)
                for side in (self.up, self.down)
                for n1, w1 in side[s]
                for n2, w2 in side[t]
                if pos[n1] > pos[n2]
            )
        return price

    def _flat(self, r: int, row: Sequence[Slot]) -> int:
        """What the lines within row r cost: each crosses the lines coming down to the slots it passes
        (over the row if roles are between its ends, else straight across), and lines over the row
        cross each other when their ends interleave."""
        if not self.flat[r]:
            return 0
        self.work += len(row) + len(self.flat[r])
        pos: dict[Slot, int] = {}
        down: list[Weight] = [(0, 0, 0)]  # lines coming down to the slots left of each place
        roles = [0]  # roles left of each place
        for i, slot in enumerate(row):
            pos[slot] = i
            down.append(_add(down[-1], self.above[slot]))
            roles.append(roles[-1] + isinstance(slot, str))
        total = 0
        over = []
        for a, b, w in self.flat[r]:
            lo, hi = sorted((pos[a], pos[b]))
            passed = (
                down[hi][0] - down[lo + 1][0],
                down[hi][1] - down[lo + 1][1],
                down[hi][2] - down[lo + 1][2],
            )
            total += _price(w, passed)
            if roles[hi] > roles[lo + 1]:
                over.append((lo, hi, w))
        for (a1, b1, w1), (a2, b2, w2) in itertools.combinations(over, 2):
            if a1 < a2 < b1 < b2 or a2 < a1 < b2 < b1:
                total += _price(w1, w2)
        return total

    def total(self) -> int:
        pos = {slot: i for row in self.rows for i, slot in enumerate(row)}
        between = sum(
            _price(w1, w2)
            for row in self.rows
            for s, t in itertools.combinations(row, 2)
            for n1, w1 in self.down[s]
            for n2, w2 in self.down[t]
            if pos[n1] > pos[n2]
        )
        return between + sum(self._flat(r, row) for r, row in enumerate(self.rows))

    def sift(self, passes: int = 12) -> None:
        """Move each slot to the place in its row where the crossings cost least, while that helps."""
        for _ in range(passes):
            better = False
            for r, row in enumerate(self.rows):
                price = self._pairs(row, {slot: i for line in self.rows for i, slot in enumerate(line)})
                for slot in list(row):
                    start = row.index(slot)
                    row.remove(slot)
                    here = sum(price[(slot, t)] for t in row)  # placed first
                    costs = []
                    for i in range(len(row) + 1):
                        if i:  # one place further right: past row[i - 1]
                            here += price[(row[i - 1], slot)] - price[(slot, row[i - 1])]
                        costs.append(here + self._flat(r, [*row[:i], slot, *row[i:]]))
                    best = min(range(len(costs)), key=costs.__getitem__)
                    if costs[best] < costs[start]:
                        row.insert(best, slot)
                        better = True
                    else:
                        row.insert(start, slot)
            if not better:
                return

    def refine(self, starts: int) -> bool:
        """The cheapest order found by sifting from the given order and from shuffled ones; True if it
        differs from the given order."""
        given = [list(row) for row in self.rows]
        shuffle = random.Random(0).shuffle
        best: tuple[int, list[list[Slot]]] | None = None
        for attempt in range(starts + 1):
            if attempt and (self.work > WORK or best is None or best[0] == 0):
                break
            if attempt:
                for row, original in zip(self.rows, given, strict=True):
                    row[:] = original
                    shuffle(row)
            self.sift()
            price = self.total()
            if best is None or price < best[0]:
                best = (price, [list(row) for row in self.rows])
        assert best is not None
        for row, chosen in zip(self.rows, best[1], strict=True):
            row[:] = chosen
        return best[1] != given


class _View:
    """The size and place of a vertex, as grandalf reads and writes them."""

    def __init__(self, w: float) -> None:
        self.w, self.h = w, 10.0
        self.xy = (0.0, 0.0)


def arrange(
    order: Sequence[str],
    levels: dict[str, int],
    pairs: dict[Pair, Weight],
    widths: dict[str, float],
    gap: float,
    lane: float,
) -> tuple[list[list[Slot]], dict[Slot, float]]:
    """Each row's slots left to right, and the x of each slot's centre (boxes ``gap`` apart, a line
    ``lane`` from its neighbours)."""
    vertex = {rid: Vertex(rid) for rid in order}
    for rid, v in vertex.items():
        v.view = _View(widths[rid])
    root = Vertex(None)  # above the top row, joined to each of its roles: the graph is laid out as one
    root.view = _View(1.0)
    tops = [Edge(root, vertex[rid]) for rid in order if levels[rid] == 0]
    spans = {
        pair: Edge(vertex[pair[0]], vertex[pair[1]]) for pair in pairs if levels[pair[0]] != levels[pair[1]]
    }
    sug = SugiyamaLayout(graph_core([root, *vertex.values()], [*tops, *spans.values()]))
    sug.xspace = gap
    sug.init_all(roots=[root], inverted_edges=[])
    item: dict[Slot, object] = {rid: v for rid, v in vertex.items()}
    links: list[tuple[Slot, Slot, Weight]] = []
    for pair, edge in spans.items():
        chain: list[Slot] = [pair[0]]
        for rank, dummy in sorted(sug.ctrls.get(edge, {}).items()):
            if not isinstance(dummy, Vertex):
                dummy.view.w = lane * sum(pairs[pair])
                item[(pair, rank - 1)] = dummy  # ranks count from the root's: one above the top row
                chain.append((pair, rank - 1))
        chain.append(pair[1])
        links += [(u, v, pairs[pair]) for u, v in itertools.pairwise(chain)]
    sug.draw(N=8.5)
    slot_of = {id(obj): slot for slot, obj in item.items()}
    rows: list[list[Slot]] = [[slot_of[id(obj)] for obj in layer] for layer in sug.layers[1:]]
    flat = [(a, b, w) for (a, b), w in pairs.items() if levels[a] == levels[b]]
    if _Rows(rows, links, flat).refine(STARTS):
        for layer, row in zip(sug.layers[1:], rows, strict=True):
            layer[:] = [item[slot] for slot in row]
        for layer in sug.layers:
            layer.setup(sug)
        sug.setxy()
    return rows, {slot: float(obj.view.xy[0]) for slot, obj in item.items()}  # type: ignore[attr-defined]
