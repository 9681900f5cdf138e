"""Subgraphs for pictures: the surroundings of an entity, the links of the entities a reader
expands, and the entities of a query's rows with the edges among them. What a network view
draws, as the caller's view may see it, as records (graph/records.py): each node and edge
with its properties, decoded, like an export."""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..graph.encoding import to_json_text
from ..graph.model import ENTITY_LABEL
from ..graph.records import Edge, Node
from ..graph.scope import View
from .cache import KeptAnswers
from .procedures.network import (
    NODES_CYPHER,
    TEXTS_KEPT,
    Link,
    edge_texts,
    ego_walk,
    incident,
    kept_or_read,
    read_links,
    read_steps,
)
from .shelf import shelved

# Ego networks kept until the next load, per scope: a reader who filters, expands and opens
# groups asks for the same surroundings again at each step. Apart from the kept whole-graph
# answers (queries/cache.py KEPT), so pictures never push those out.
SURROUNDINGS = KeptAnswers(size=24, whole_graph=False)
T = TypeVar("T")


@dataclass
class Subgraph:
    """Nodes and edges to draw. `center`: the entity a picture of surroundings is drawn around;
    `cut`: what stopped the answer short (None when whole): for surroundings {"limit", "step"}
    (the limit stopped it while adding that step), for expanded links the limit; `reached`: the
    furthest step any edge of the surroundings lies at."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    center: str | None = None
    cut: Any = None
    reached: int = 0

    def as_dict(self) -> dict[str, Any]:
        """As the API sends it: the records as the JSON export writes them."""
        return {
            "center": self.center,
            "nodes": [node.as_dict() for node in self.nodes],
            "edges": [edge.as_dict() for edge in self.edges],
            "cut": self.cut,
            "reached": self.reached,
        }


def nodes_drawn(view: View, ids: list[str]) -> list[Node]:
    """The entities with these ids, sorted by id, with their properties; those read for an
    earlier picture are not read again (kept_records)."""
    found = kept_or_read(view, "nodes", ids, lambda missing: _read_nodes(view, missing, view.node))
    return [found[entity_id] for entity_id in sorted(set(ids)) if entity_id in found]


def node_texts(view: View, ids: list[str]) -> dict[str, bytes]:
    """The entities with these ids as the API sends records (``Node.as_dict()`` as JSON text,
    View.node_text), by id; kept as text (TEXTS_KEPT)."""
    return kept_or_read(view, "node-texts", ids, lambda missing: _read_nodes(view, missing, view.node_text), TEXTS_KEPT)


def _read_nodes(view: View, ids: list[str], make: Callable[[dict[str, Any]], T]) -> dict[str, T]:
    return {row["properties"]["id"]: make(row) for row in view.read_plain_table(NODES_CYPHER, ids=ids)}


def link_counts(view: View, ids: list[str]) -> dict[str, int]:
    """How many links each of these entities has in the whole graph this view may see (a
    picture says which of its nodes have more than it draws)."""
    rows = view.read(
        f"UNWIND $ids AS entity_id MATCH (n:{ENTITY_LABEL} {{id: entity_id}})-[e]-(:{ENTITY_LABEL}) "
        "WHERE VISIBLE(e) RETURN entity_id AS id, count(e) AS links",
        ids=ids,
    )
    return {row["id"]: int(row["links"]) for row in rows}


def _drawn(walked: list[tuple[int, Link]], read: Container[str], entity_id: str) -> tuple[list[Link], list[str], int]:
    """What a picture of an ego walk draws, for the pictures' subgraph and the API's text alike:
    the links whose edge was read, in (source, type, target, id) order, their ends and the
    centre, in id order, and the last step they reach."""
    drawn = sorted(link for _, link in walked if link[3] in read)
    ids = sorted({entity_id} | {link[0] for link in drawn} | {link[2] for link in drawn})
    reached = max((hop for hop, link in walked if link[3] in read), default=0)
    return drawn, ids, reached


def _cut(limit: int, stopped: int | None) -> dict[str, int] | None:
    return {"limit": limit, "step": stopped} if stopped else None


def _surroundings(view: View, entity_id: str, depth: int, limit: int) -> Subgraph:
    walked, stopped = ego_walk(view, entity_id, depth, limit)
    read = {step.edge.id: step.edge for step in read_steps(view, walked, read_links(view))}
    drawn, ids, reached = _drawn(walked, read, entity_id)
    nodes = nodes_drawn(view, ids)
    if not any(node.id == entity_id for node in nodes):
        return Subgraph(center=entity_id)
    edges = [read[link[3]] for link in drawn]
    return Subgraph(nodes, edges, center=entity_id, cut=_cut(limit, stopped), reached=reached)


def ego_subgraph(view: View, entity_id: str, depth: int, limit: int) -> Subgraph:
    """The entity's surroundings: the edges the ego network found within `depth` steps, at most
    `limit` of them, and their ends (no nodes when the view cannot see the entity). Kept until
    the next load; the answer is shared, so a caller copies what it changes."""
    key = ("ego", view.scope.value, entity_id, depth, limit)
    found: Subgraph = SURROUNDINGS.get(
        view, key, lambda: view.in_one_generation(lambda: _surroundings(view, entity_id, depth, limit))
    )
    return found


def ego_json(view: View, entity_id: str, depth: int, limit: int) -> bytes | None:
    """``ego_subgraph(...).as_dict()`` as the API sends it, JSON text (None when the view cannot
    see the entity): written from records kept as text (edge_texts, node_texts), so a record
    read for an earlier answer is neither decoded nor written again, and the many kept are
    never scanned by the cycle collector. Kept until the next load, like the subgraph."""
    key = ("ego-json", view.scope.value, entity_id, depth, limit)
    found: bytes | None = SURROUNDINGS.get(
        view, key, lambda: view.in_one_generation(lambda: _surroundings_json(view, entity_id, depth, limit))
    )
    return found


def _surroundings_json(view: View, entity_id: str, depth: int, limit: int) -> bytes | None:
    walked, stopped = ego_walk(view, entity_id, depth, limit)
    shelf = shelved(view)  # every record's text, once the warm-up wrote it (queries/shelf.py)
    if shelf is not None:
        edges = shelf.edges.get(link[3] for _, link in walked)
    else:
        edges = edge_texts(view, [link for _, link in walked], read_links(view))
    drawn, ids, reached = _drawn(walked, edges, entity_id)
    nodes = shelf.nodes.get(ids) if shelf is not None else node_texts(view, ids)
    if entity_id not in nodes:
        return None
    return b"".join(
        [
            b'{"center":',
            to_json_text(entity_id).encode(),
            b',"nodes":[',
            b",".join(nodes[node] for node in ids if node in nodes),
            b'],"edges":[',
            b",".join(edges[link[3]] for link in drawn),
            b'],"cut":',
            to_json_text(_cut(limit, stopped)).encode(),
            f',"reached":{reached}}}'.encode(),
        ]
    )


def links_of(view: View, ids: list[str], limit: int) -> Subgraph:
    """Every link of these entities (at most `limit`), with the entities at their other ends;
    `cut` is the limit when it stopped the answer."""
    if not ids:
        return Subgraph()
    return view.in_one_generation(lambda: _links_of(view, ids, limit))


def _links_of(view: View, ids: list[str], limit: int) -> Subgraph:
    # From the graph's edges by entity (as an ego network walks): a hub's thousands of edges are
    # not expanded in the engine, only the ones kept are read.
    links = read_links(view)
    first, more = incident(links, ids, limit)
    edges = [step.edge for step in read_steps(view, [(1, link) for link in first], links)]
    ends = sorted({e.source for e in edges} | {e.target for e in edges} | set(ids))
    return Subgraph(nodes_drawn(view, ends), edges, cut=limit if more else None)


def subgraph(view: View, ids: list[str]) -> Subgraph:
    """The entities with these ids and every edge among them: what a network view draws."""
    return view.in_one_generation(lambda: _subgraph(view, ids))


def _subgraph(view: View, ids: list[str]) -> Subgraph:
    rows = view.read(
        f"MATCH (a:{ENTITY_LABEL})-[e]->(b:{ENTITY_LABEL}) WHERE a.id IN $ids AND b.id IN $ids AND VISIBLE(e) "
        "RETURN type(e) AS type, a.id AS source, b.id AS target, properties(e) AS properties "
        "ORDER BY source, type, target, properties.id",
        ids=ids,
    )
    return Subgraph(nodes_drawn(view, ids), [view.edge(row) for row in rows])


__all__ = ["Subgraph", "ego_json", "ego_subgraph", "link_counts", "links_of", "nodes_drawn", "subgraph"]
