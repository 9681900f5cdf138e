"""The shortest chain of facts between two entities, each step with its evidence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ...graph.model import ENTITY_LABEL
from ...graph.scope import View
from . import EDGES_BY_ANCHOR, Rows, cached, procedure
from .network import Link, Links, Order, read_links, read_order

# -- shortest path -------------------------------------------------------------------------

# Every step of a chain in one statement, each found from its end with fewer edges.
HOPS_CYPHER = (
    EDGES_BY_ANCHOR
    + """RETURN step.number AS number, x.id AS x_id, x.name AS x_name, y.id AS y_id, y.name AS y_name,
       type(e) AS edge, startNode(e) = x AS x_starts, e.date AS date, e.sources AS sources
"""
)
MAX_PATH_STEPS = 8
NOT_A_STEP = "POSSIBLY_SAME_AS"  # a curator's doubt, not a fact


@dataclass(frozen=True)
class Adjacency:
    """Every entity's neighbours and the edges to them, as arrays (compressed rows): entity
    ``i`` (``order.ids[i]``) reaches ``others[starts[i]:starts[i + 1]]`` through the
    edges ``edges[...]`` (places in ``every``, Links.every), sorted by the other end's id, then
    the edge's id. A walk then expands a whole level at once in numpy: at 1M entities a level
    through a court with tens of thousands of acts was a Python loop over each of them."""

    order: Order
    starts: np.ndarray
    others: np.ndarray
    edges: np.ndarray
    every: list[Link]

    def degree(self, node: str) -> int:
        i = self.order.index.get(node)
        return 0 if i is None else int(self.starts[i + 1] - self.starts[i])


def read_adjacency(view: View) -> Adjacency:
    """The graph's adjacency (kept until the next load): a path search then costs no database
    round trip per step."""
    return cached(view, "adjacency", lambda: adjacency_of(read_links(view), read_order(view)))  # type: ignore[no-any-return]


def adjacency_of(links: Links, order: Order) -> Adjacency:
    """The graph's links without perpetrator-not-stated (no one: two people detained, or
    released, by no one named are not linked by it) nor a possible duplicate. A link from an
    entity to itself is one neighbour of it, as any other."""
    index, no_one = order.index, links.no_one
    kept = [
        (index[source], index[target], place)
        for place, (source, type_, target, _) in enumerate(links.every)
        if type_ != NOT_A_STEP and source not in no_one and target not in no_one
    ]
    count = len(kept)
    sources, targets, places = (np.fromiter((link[k] for link in kept), dtype=np.int32, count=count) for k in range(3))
    del kept
    both = sources != targets  # a loop is a neighbour once, under its one end
    rows = np.concatenate([sources, targets[both]])
    others = np.concatenate([targets, sources[both]])
    edges = np.concatenate([places, places[both]])
    ordered = np.lexsort((order.edge_rank[edges], others, rows))
    starts = np.zeros(len(order.ids) + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=len(order.ids)), out=starts[1:])
    return Adjacency(order, starts, others[ordered], edges[ordered], links.every)


@procedure("path")
def path(view: View, params: dict[str, Any]) -> Rows:
    """The shortest chain between two entities: a breadth-first search from both ends at
    once over the graph's adjacency (read once per load), at most MAX_PATH_STEPS steps. Among
    chains of equal length the first found in id order is given, so the answer is stable."""
    start, goal = params["from"], params["to"]
    ends = view.read(
        f"MATCH (n:{ENTITY_LABEL}) WHERE n.id IN $ids AND VISIBLE(n) RETURN n.id AS id",
        ids=[start, goal],
    )
    if {row["id"] for row in ends} != {start, goal} or start == goal:
        return []
    adjacency = read_adjacency(view)
    chain = shortest_chain(adjacency, start, goal)
    return _hops(view, chain, adjacency) if chain else []


def shortest_chain(adjacency: Adjacency, start: str, goal: str) -> list[tuple[str, str, str]]:
    """The steps (from, to, edge id) of the shortest chain from ``start`` to ``goal``, none if
    there is none within MAX_PATH_STEPS. Each side's level is expanded whole, its entities in id
    order and each one's neighbours in the adjacency's order; an entity reached twice keeps the
    first way found; where the two sides meet, the shortest chain through the meeting entity
    first in id order is taken."""
    index = adjacency.order.index
    if start not in index or goal not in index:
        return []
    size = len(index)
    # per side: each entity's previous entity and edge on the way from that side's end, and its
    # steps from it (-1: not reached)
    parent = [np.full(size, -1, dtype=np.int32) for _ in range(2)]
    via = [np.full(size, -1, dtype=np.int32) for _ in range(2)]
    depth = [np.full(size, -1, dtype=np.int16) for _ in range(2)]
    ends = (index[start], index[goal])
    frontiers = [np.array([ends[0]], dtype=np.int32), np.array([ends[1]], dtype=np.int32)]
    levels = [0, 0]
    for side in range(2):
        depth[side][ends[side]] = 0
    meeting = -1
    for _ in range(MAX_PATH_STEPS):
        side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
        if not len(frontiers[side]):
            return []
        reached, previous, edges = _expand(adjacency, frontiers[side])
        new = depth[side][reached] < 0
        reached, previous, edges = reached[new], previous[new], edges[new]
        # the first way to each entity, in the order the level found them
        reached, first = np.unique(reached, return_index=True)
        levels[side] += 1
        parent[side][reached] = previous[first]
        via[side][reached] = edges[first]
        depth[side][reached] = levels[side]
        met = reached[depth[1 - side][reached] >= 0]
        if len(met):
            lengths = depth[0][met].astype(np.int32) + depth[1][met]
            meeting = int(met[np.flatnonzero(lengths == lengths.min())[0]])  # met is in id order
            break
        frontiers[side] = reached
    if meeting < 0:
        return []
    ids, every = adjacency.order.ids, adjacency.every
    chain: list[tuple[str, str, str]] = []  # (from, to, edge) from start to goal
    node = meeting
    while node != ends[0]:
        before = int(parent[0][node])
        chain.insert(0, (ids[before], ids[node], every[via[0][node]][3]))
        node = before
    node = meeting
    while node != ends[1]:
        after = int(parent[1][node])
        chain.append((ids[node], ids[after], every[via[1][node]][3]))
        node = after
    return chain


def _expand(adjacency: Adjacency, frontier: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (neighbour, entity, edge) of a level's entities, the entities in id order, each
    one's neighbours in the adjacency's order."""
    frontier = np.sort(frontier)
    firsts = adjacency.starts[frontier]
    counts = adjacency.starts[frontier + 1] - firsts
    total = int(counts.sum())
    # positions firsts[k], firsts[k] + 1, ... for each entity k: one range per entity, in order
    positions = np.repeat(firsts - (np.cumsum(counts) - counts), counts) + np.arange(total)
    return adjacency.others[positions], np.repeat(frontier, counts), adjacency.edges[positions]


def _hops(view: View, chain: list[tuple[str, str, str]], adjacency: Adjacency) -> Rows:
    """The steps of a chain (from, to, edge id) as rows, with names, date and evidence."""
    steps = []
    for number, (a, b, edge) in enumerate(chain, 1):
        anchor, other = (a, b) if adjacency.degree(a) <= adjacency.degree(b) else (b, a)
        steps.append({"number": number, "anchor": anchor, "other": other, "edge": edge})
    found = {row["number"]: row for row in view.read(HOPS_CYPHER, steps=steps)}
    rows = []
    for number, (a, _, _) in enumerate(chain, 1):
        hop = found[number]
        forward = hop["x_id"] == a  # the anchor is the step's first end
        ends = ("x", "y") if forward else ("y", "x")
        rows.append(
            {
                "step": number,
                "from_id": hop[f"{ends[0]}_id"],
                "from_name": hop[f"{ends[0]}_name"],
                "edge": hop["edge"],
                "direction": "forward" if hop["x_starts"] == forward else "backward",
                "to_id": hop[f"{ends[1]}_id"],
                "to_name": hop[f"{ends[1]}_name"],
                "date": hop["date"],
                "sources": hop["sources"],
            }
        )
    return rows
