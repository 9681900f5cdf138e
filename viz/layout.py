"""Where a picture's nodes go, and which labels fit.

An entity's surroundings are laid out in rings: the entity in the middle, each step further out
on a ring of its own, every entity near the one that reaches it, siblings ordered by their tie.
A picture with no centre (a query's results) gets a force layout. Either is computed here, once,
the same for the same picture, so the page, the snapshot, the SVG and the PNG agree.

Labels are drawn only where they fit: in order of importance (the centre first, then groups,
then the nearest and most connected), each label takes the first of eight places around its
node (outwards first: beside, at a corner, above or below) that overlaps no other label and no
node and stays inside the frame (the centre's may cover a node if nowhere else is free);
link labels come after, at the middle of their line or a little to either side. The page does
the same in its script (templates/network.js) at the size the reader sees; the SVG and PNG
here, at theirs.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from .picture import Picture

SCALE = 1000.0
# Rings: the first at least RING units from the centre, each next at least RING_STEP further;
# neighbours on a ring at least SPACING units apart (more beside a large node).
RING = 190.0
RING_STEP = 170.0
SPACING = 42.0
NODE_SIZE = 12.0
CENTER_SIZE = 22.0
# Rings are drawn as ellipses this much wider than tall: pages, screens and prints are landscape,
# and labels, written across, need the room at the sides.
STRETCH = 1.35


def node_size(node: dict[str, Any], center: str | None) -> float:
    """A node's radius in the picture's units: the centre larger, a group by how many it holds."""
    if node["id"] == center:
        return CENTER_SIZE
    if node.get("members"):
        return min(30.0, NODE_SIZE + 2.0 * math.sqrt(len(node["members"])))
    return NODE_SIZE


def layout(picture: Picture, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Positions for every node, the same for the same picture: rings around the centre, or
    a force layout when there is none."""
    if picture.center is not None and any(node["id"] == picture.center for node in picture.nodes):
        return rings(picture)
    return force_layout(picture, seed)


# -- rings around the centre -----------------------------------------------------------------


def _tree(picture: Picture) -> tuple[dict[str, int], dict[str, list[str]], dict[str, str]]:
    """Steps from the centre, each node's children, and the tie (link type) to its parent."""
    around: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for edge in picture.edges:
        around[edge["source"]].append((edge["target"], edge["type"]))
        around[edge["target"]].append((edge["source"], edge["type"]))
    center = str(picture.center)
    hop = {center: 0}
    frontier = [center]
    while frontier:
        reached = []
        for node_id in frontier:
            for other, _ in sorted(around[node_id]):
                if other not in hop:
                    hop[other] = hop[node_id] + 1
                    reached.append(other)
        frontier = sorted(reached)
    by_id = {node["id"]: node for node in picture.nodes}
    children: dict[str, list[str]] = defaultdict(list)
    tie: dict[str, str] = {}
    for node_id in sorted(hop, key=lambda n: (hop[n], n)):
        if node_id == center:
            continue
        nearer = [(other, kind) for other, kind in around[node_id] if hop.get(other) == hop[node_id] - 1]
        given = by_id.get(node_id, {}).get("parent")
        parent, kind = next(
            ((o, k) for o, k in nearer if o == given),
            min(nearer, key=lambda pair: (-len(around[pair[0]]), pair[0], pair[1])),
        )
        children[parent].append(node_id)
        tie[node_id] = kind
    for node_id in children:
        children[node_id].sort(key=lambda c: (tie[c], by_id[c].get("kind") or "", by_id[c].get("name") or c, c))
    return hop, children, tie


def _leaves(node_id: str, children: dict[str, list[str]], memo: dict[str, float]) -> float:
    if node_id not in memo:
        memo[node_id] = sum(_leaves(c, children, memo) for c in children[node_id]) or 1.0
    return memo[node_id]


def _ideal_angles(center: str, children: dict[str, list[str]]) -> dict[str, float]:
    """Each node in the middle of an arc as wide as its share of the leaves below it."""
    memo: dict[str, float] = {}
    angles: dict[str, float] = {}
    stack = [(center, -math.pi / 2, 2 * math.pi)]
    while stack:
        node_id, start, span = stack.pop()
        total = _leaves(node_id, children, memo)
        for child in children[node_id]:
            share = span * _leaves(child, children, memo) / total
            angles[child] = start + share / 2
            stack.append((child, start, share))
            start += share
    return angles


def _spread(angles: list[float], gaps: list[float]) -> list[float]:
    """Angles (sorted) moved apart to at least the gap between neighbours on a circle, each as
    little as it can: pushed forwards, then the whole run shifted back to its middle."""
    count = len(angles)
    if count < 2:
        return angles
    spread = list(angles)
    for _ in range(3):
        for i in range(1, count):
            spread[i] = max(spread[i], spread[i - 1] + gaps[i])
        overflow = spread[-1] - (spread[0] + 2 * math.pi - gaps[0])
        if overflow > 0:
            spread = [a - overflow * i / (count - 1) for i, a in enumerate(spread)]
        shift = sum(a - b for a, b in zip(spread, angles, strict=True)) / count
        spread = [a - shift for a in spread]
    return spread


def rings(picture: Picture) -> dict[str, tuple[float, float]]:
    """The centre in the middle, each step on a ring, each node near the one that reaches it."""
    center = str(picture.center)
    hop, children, _ = _tree(picture)
    ideal = _ideal_angles(center, children)
    sizes = {node["id"]: node_size(node, picture.center) for node in picture.nodes}
    by_ring: dict[int, list[str]] = defaultdict(list)
    for node_id, step in hop.items():
        if step:
            by_ring[step].append(node_id)
    positions = {center: (0.0, 0.0)}
    radius = 0.0
    for step in sorted(by_ring):
        members = sorted(by_ring[step], key=lambda n: (ideal[n], n))
        room = sum(SPACING + sizes.get(n, NODE_SIZE) for n in members)
        radius = max(RING if step == 1 else radius + RING_STEP, room / (2 * math.pi * 0.92 * (1 + STRETCH) / 2))
        gaps = [
            (SPACING + (sizes.get(members[i - 1], NODE_SIZE) + sizes.get(n, NODE_SIZE)) / 2) / radius
            for i, n in enumerate(members)
        ]
        for node_id, angle in zip(members, _spread([ideal[n] for n in members], gaps), strict=True):
            positions[node_id] = (STRETCH * radius * math.cos(angle), radius * math.sin(angle))
    return positions


# -- force layout, for pictures with no centre --------------------------------------------------


def _force_layout(size: int, pairs: list[tuple[int, int]], seed: int, iterations: int = 80) -> Any:
    """Fruchterman-Reingold on one connected component, in numpy, in a unit box.

    Repulsion is estimated from a fixed-seed random sample of the other nodes (scaled up to
    the whole), so a step costs O(n * sample + edges) instead of O(n^2): 10,000 nodes are laid
    out in seconds, and the same graph always gets the same picture.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    pos = rng.random((size, 2))
    if size == 1:
        return pos * 0 + 0.5
    k = 1.0 / math.sqrt(size)
    sample = min(size - 1, 48)
    src = np.array([a for a, _ in pairs], dtype=int)
    dst = np.array([b for _, b in pairs], dtype=int)
    step = 0.1
    for _ in range(iterations):
        others = rng.integers(0, size, size=(size, sample))
        delta = pos[:, None, :] - pos[others]
        dist2 = (delta**2).sum(-1) + 1e-6
        repulsion = (delta / dist2[..., None]).sum(1) * (k * k) * ((size - 1) / sample)
        attraction = np.zeros_like(pos)
        if len(pairs):
            d = pos[src] - pos[dst]
            force = d * np.sqrt((d**2).sum(-1))[:, None] / k
            np.add.at(attraction, src, -force)
            np.add.at(attraction, dst, force)
        move = repulsion + attraction
        length = np.sqrt((move**2).sum(-1))[:, None] + 1e-9
        pos += move / length * np.minimum(length, step)
        step *= 0.95
    pos -= pos.min(0)
    return pos / max(float(pos.max()), 1e-9)


def force_layout(view: Picture, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Positions for every node, the same for the same graph (fixed seed).

    Each connected component is laid out on its own and the components are packed in rows,
    largest first, each in a square whose side grows with the square root of its size.
    """
    network = nx.Graph()
    network.add_nodes_from(node["id"] for node in view.nodes)
    network.add_edges_from((e["source"], e["target"]) for e in view.edges if e["source"] != e["target"])
    components = sorted((sorted(c) for c in nx.connected_components(network)), key=lambda c: (-len(c), c[0]))
    positions: dict[str, tuple[float, float]] = {}
    sides = [math.sqrt(len(c)) if len(c) > 1 else 1.0 for c in components]
    total_side = max(math.sqrt(sum(side * side for side in sides)) * 1.6, max(sides, default=1.0))
    x = y = row_height = 0.0
    for members in components:
        side = math.sqrt(len(members)) if len(members) > 1 else 1.0
        if x > 0 and x + side > total_side:
            x, y, row_height = 0.0, y + row_height + 0.5, 0.0
        index = {node: i for i, node in enumerate(members)}
        pairs = [(index[a], index[b]) for a, b in network.subgraph(members).edges()]
        unit = _force_layout(len(members), pairs, seed)
        for node, (px, py) in zip(members, unit, strict=True):
            positions[node] = ((x + float(px) * side) * SCALE / 4, (y + float(py) * side) * SCALE / 4)
        x += side + 0.5
        row_height = max(row_height, side)
    return positions


# -- labels where they fit ---------------------------------------------------------------------

Box = tuple[float, float, float, float]  # left, top, width, height


@dataclass(frozen=True)
class Label:
    """A label drawn: its text, font size in pixels, box, and what it names."""

    text: str
    px: float
    left: float
    top: float
    width: float
    height: float
    of: str  # "node" or "edge"
    id: str


def _overlap(a: Box, b: Box, pad: float = 1.0) -> bool:
    return (
        a[0] < b[0] + b[2] + pad and b[0] < a[0] + a[2] + pad and a[1] < b[1] + b[3] + pad and b[1] < a[1] + a[3] + pad
    )


def _hits_disc(box: Box, x: float, y: float, r: float) -> bool:
    nearest_x = min(max(x, box[0]), box[0] + box[2])
    nearest_y = min(max(y, box[1]), box[1] + box[3])
    return (nearest_x - x) ** 2 + (nearest_y - y) ** 2 < r * r


@dataclass(frozen=True)
class Mark:
    """A node as drawn on the frame: centre, radius in pixels, label and its importance."""

    id: str
    x: float
    y: float
    r: float
    text: str
    px: float
    rank: tuple[Any, ...]


@dataclass(frozen=True)
class Line:
    """A link as drawn on the frame: its ends, the radii of its end nodes, label, importance."""

    id: str
    x1: float
    y1: float
    x2: float
    y2: float
    text: str
    px: float
    rank: tuple[Any, ...]


def node_places(mark: Mark, width: float, cx: float, cy: float) -> list[Box]:
    """The eight places of a node's label, outwards from (cx, cy) first."""
    h = label_height(mark.px)
    right = (mark.x + mark.r + 3, mark.y - h / 2, width, h)
    left = (mark.x - mark.r - 3 - width, mark.y - h / 2, width, h)
    below = (mark.x - width / 2, mark.y + mark.r + 2, width, h)
    above = (mark.x - width / 2, mark.y - mark.r - 2 - h, width, h)
    d = mark.r * 0.7
    corners = [  # the four corners, for crowded places
        (mark.x + d + 2, mark.y - d - h, width, h),
        (mark.x + d + 2, mark.y + d, width, h),
        (mark.x - d - 2 - width, mark.y - d - h, width, h),
        (mark.x - d - 2 - width, mark.y + d, width, h),
    ]
    dx, dy = mark.x - cx, mark.y - cy
    if abs(dx) < 1e-6 and abs(dy) < 1e-6:
        return [below, above, right, left, *corners]
    side = [right, left] if dx >= 0 else [left, right]
    upright = [below, above] if dy >= 0 else [above, below]
    outer = corners[(0 if dx >= 0 else 2) + (1 if dy >= 0 else 0)]
    if abs(dx) >= abs(dy) * 0.7:
        order = [side[0], outer, upright[0], upright[1], side[1]]
    else:
        order = [upright[0], outer, side[0], side[1], upright[1]]
    return order + [corner for corner in corners if corner != outer]


def label_height(px: float) -> float:
    return math.ceil(px * 1.25)


class _Grid:
    """Boxes filed by the cells of a grid they touch: a label looks only at its neighbours."""

    def __init__(self, size: float = 64.0) -> None:
        self.size = size
        self.cells: dict[tuple[int, int], list[Any]] = defaultdict(list)

    def _keys(self, box: Box) -> list[tuple[int, int]]:
        s = self.size
        xs = range(math.floor(box[0] / s), math.floor((box[0] + box[2]) / s) + 1)
        return [(gx, gy) for gx in xs for gy in range(math.floor(box[1] / s), math.floor((box[1] + box[3]) / s) + 1)]

    def add(self, box: Box, item: Any) -> None:
        for cell in self._keys(box):
            self.cells[cell].append(item)

    def any(self, box: Box, test: Callable[[Any], bool]) -> bool:
        return any(test(item) for cell in self._keys(box) for item in self.cells.get(cell, ()))


def place_labels(
    marks: list[Mark],
    lines: list[Line],
    frame: Box,
    measure: Callable[[str, float], float],
) -> list[Label]:
    """Labels that fit: no two overlap, none covers a node, none leaves the frame."""
    placed: list[Label] = []
    labelled, discs = _Grid(), _Grid()
    for mark in marks:
        discs.add((mark.x - mark.r - 1, mark.y - mark.r - 1, 2 * mark.r + 2, 2 * mark.r + 2), mark)
    left_edge, top_edge, frame_w, frame_h = frame
    first = min(marks, key=lambda m: m.rank, default=None)
    cx, cy = (first.x, first.y) if first and first.rank[0] == 0 else (left_edge + frame_w / 2, top_edge + frame_h / 2)

    def free(box: Box, own: str | None, over_nodes: bool = False) -> bool:
        if box[0] < left_edge + 2 or box[1] < top_edge + 2:
            return False
        if box[0] + box[2] > left_edge + frame_w - 2 or box[1] + box[3] > top_edge + frame_h - 2:
            return False
        if labelled.any(box, lambda p: _overlap(box, (p.left, p.top, p.width, p.height))):
            return False
        return over_nodes or not discs.any(box, lambda m: m.id != own and _hits_disc(box, m.x, m.y, m.r + 1))

    def take(label: Label) -> None:
        placed.append(label)
        labelled.add((label.left - 1, label.top - 1, label.width + 2, label.height + 2), label)

    for mark in sorted(marks, key=lambda m: m.rank):
        if not mark.text:
            continue
        places = node_places(mark, measure(mark.text, mark.px), cx, cy)
        # The centre's label is always drawn: over other nodes if nowhere else.
        passes = (False, True) if mark.rank[0] == 0 else (False,)
        found = next((box for over in passes for box in places if free(box, mark.id, over)), None)
        if found:
            take(Label(mark.text, mark.px, *found, of="node", id=mark.id))
    for line in sorted(lines, key=lambda item: item.rank):
        if not line.text:
            continue
        width, h = measure(line.text, line.px), label_height(line.px)
        for t in (0.5, 0.38, 0.62):
            x, y = line.x1 + (line.x2 - line.x1) * t, line.y1 + (line.y2 - line.y1) * t
            box = (x - width / 2, y - h / 2, width, h)
            if free(box, None):
                take(Label(line.text, line.px, *box, of="edge", id=line.id))
                break
    return placed
