"""The shortest chain of facts between two entities, each step with its evidence."""

from __future__ import annotations

from typing import Any

from ...graph.model import ENTITY_LABEL
from ...graph.scope import View
from . import EDGES_BY_ANCHOR, Rows, cached, procedure
from .network import Links, read_links

# -- shortest path -------------------------------------------------------------------------

# Every step of a chain in one statement, each found from its end with fewer edges.
HOPS_CYPHER = (
    EDGES_BY_ANCHOR
    + """RETURN step.number AS number, x.id AS x_id, x.name AS x_name, y.id AS y_id, y.name AS y_name,
       type(e) AS edge, startNode(e) = x AS x_starts, e.date AS date, e.sources AS sources
"""
)
MAX_PATH_STEPS = 8


Adjacency = dict[str, list[tuple[str, str]]]


def read_adjacency(view: View) -> Adjacency:
    """Every entity's neighbours and the edges to them, sorted, in either direction (cached
    until the next load): a path search then costs no database round trip per step."""
    return cached(view, "adjacency", lambda: _adjacency(read_links(view)))  # type: ignore[no-any-return]


def _adjacency(links: Links) -> Adjacency:
    """The graph's links without perpetrator-not-stated (no one: two people detained, or
    released, by no one named are not linked by it) nor a possible duplicate (a curator's
    doubt, not a fact)."""
    adjacency: Adjacency = {}
    for node in sorted(links.of):
        if node in links.no_one:
            continue
        neighbours = []
        for source, type_, target, edge in links.of[node]:
            other = target if source == node else source
            if type_ != "POSSIBLY_SAME_AS" and other not in links.no_one:
                neighbours.append((other, edge))
        if neighbours:
            adjacency[node] = sorted(neighbours)
    return adjacency


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
    # parents[side][node] = (previous node, edge id) on the way from that side's end
    parents: list[dict[str, tuple[str, str] | None]] = [{start: None}, {goal: None}]
    depth: list[dict[str, int]] = [{start: 0}, {goal: 0}]
    frontiers = [[start], [goal]]
    meeting = None
    for _ in range(MAX_PATH_STEPS):
        side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
        if not frontiers[side]:
            return []
        reached: list[str] = []
        candidates: list[tuple[int, str]] = []
        for a in sorted(frontiers[side]):
            for b, edge in adjacency.get(a, ()):
                if b in parents[side]:
                    continue
                parents[side][b] = (a, edge)
                depth[side][b] = depth[side][a] + 1
                reached.append(b)
                if b in parents[1 - side]:
                    candidates.append((depth[0][b] + depth[1][b], b))
        if candidates:
            meeting = min(candidates)[1]  # the shortest of the chains that meet at this level
            break
        frontiers[side] = reached
    if meeting is None:
        return []
    chain: list[tuple[str, str, str]] = []  # (from, to, edge) from start to goal
    node = meeting
    while (step := parents[0][node]) is not None:
        chain.insert(0, (step[0], node, step[1]))
        node = step[0]
    node = meeting
    while (step := parents[1][node]) is not None:
        chain.append((node, step[0], step[1]))
        node = step[0]
    return _hops(view, chain, adjacency)


def _hops(view: View, chain: list[tuple[str, str, str]], adjacency: Adjacency) -> Rows:
    """The steps of a chain (from, to, edge id) as rows, with names, date and evidence."""
    steps = []
    for number, (a, b, edge) in enumerate(chain, 1):
        anchor, other = (a, b) if len(adjacency.get(a, ())) <= len(adjacency.get(b, ())) else (b, a)
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
