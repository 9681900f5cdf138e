"""Subgraphs for pictures: the surroundings of an entity, the links of the entities a reader
expands, and the entities of a query's rows with the edges among them. What a network view
draws, as the caller's view may see it."""

from __future__ import annotations

from typing import Any

from ..graph.encoding import decode_evidence
from ..graph.model import ENTITY_LABEL
from ..graph.scope import View
from .cache import KeptAnswers
from .procedures import Rows, marked
from .procedures.network import ego_rows

# Ego networks kept until the next load, per scope: a reader who filters, expands and opens
# groups asks for the same surroundings again at each step. Apart from the kept whole-graph
# answers (queries/cache.py KEPT), so pictures never push those out.
SURROUNDINGS = KeptAnswers(size=24)

# The links of entities a reader expands, one index lookup per id; a hub sends back at most
# $room of them (the picture says so).
LINKS_OF_CYPHER = f"""
UNWIND $ids AS entity_id
MATCH (a:{ENTITY_LABEL} {{id: entity_id}})-[e]-(b:{ENTITY_LABEL})
WHERE VISIBLE(e)
RETURN DISTINCT startNode(e).id AS source_id, type(e) AS type, endNode(e).id AS target_id, e.date AS date,
       e.id AS edge_id,
       coalesce(e.relation, e.role, e.kind, replace(e.sentence_type, '_', ' '), e.category, e.reason) AS detail,
       e.attribution AS attribution, e.involvement AS involvement, e.sources AS sources
ORDER BY source_id, type, target_id, edge_id
LIMIT $room
"""


def nodes_drawn(view: View, ids: list[str]) -> Rows:
    """The entities with these ids, as a picture labels them, with their evidence."""
    nodes = view.read(
        f"MATCH (n:{ENTITY_LABEL}) WHERE n.id IN $ids AND VISIBLE(n) "
        "RETURN n.id AS id, n.name AS name, labels(n) AS labels, n.date AS date, "
        "n.sources AS sources ORDER BY id",
        ids=ids,
    )
    for node in nodes:
        node["labels"] = view.sorted_labels(node["labels"])
        node["sources"] = decode_evidence(node["sources"])
    return nodes


def link_counts(view: View, ids: list[str]) -> dict[str, int]:
    """How many links each of these entities has in the whole graph this view may see (a
    picture says which of its nodes have more than it draws)."""
    rows = view.read(
        f"UNWIND $ids AS entity_id MATCH (n:{ENTITY_LABEL} {{id: entity_id}})-[e]-(:{ENTITY_LABEL}) "
        "WHERE VISIBLE(e) RETURN entity_id AS id, count(e) AS links",
        ids=ids,
    )
    return {row["id"]: int(row["links"]) for row in rows}


def _edge(row: dict[str, Any], mark: bool = True) -> dict[str, Any]:
    """An edge as a picture draws it; its detail says what a reader must know of an act
    ("attempted only"), unless the row says it already (`mark` False)."""
    return {
        "id": row["edge_id"],
        "source": row["source_id"],
        "target": row["target_id"],
        "type": row["type"],
        "date": row["date"],
        "detail": marked(row["detail"], row) if mark else row["detail"],
        "sources": decode_evidence(row["sources"]),
    }


def _surroundings(view: View, entity_id: str, depth: int, limit: int) -> dict[str, Any]:
    rows, stopped = ego_rows(view, entity_id, depth, limit)
    cut = {"limit": limit, "step": stopped} if stopped else None
    ids = sorted({entity_id} | {r["source_id"] for r in rows} | {r["target_id"] for r in rows})
    nodes = nodes_drawn(view, ids)
    if not any(node["id"] == entity_id for node in nodes):
        return {"center": entity_id, "nodes": [], "edges": [], "cut": None, "reached": 0}
    edges = sorted(
        (_edge(row, mark=False) for row in rows), key=lambda e: (e["source"], e["type"], e["target"], e["id"])
    )
    reached = max((row["hop"] for row in rows), default=0)
    return {"center": entity_id, "nodes": nodes, "edges": edges, "cut": cut, "reached": reached}


def ego_subgraph(view: View, entity_id: str, depth: int, limit: int) -> dict[str, Any]:
    """The entity's surroundings as {"center", "nodes", "edges", "cut", "reached"}: the edges
    the ego network found within `depth` steps, at most `limit` of them, and their ends.
    `cut` is None when the picture is whole, else {"limit", "step"}: the limit stopped it while
    adding that step. `reached`: the furthest step any edge lies at. Kept until the next load;
    the answer is shared, so a caller copies what it changes."""
    key = ("ego", view.scope.value, entity_id, depth, limit)
    return SURROUNDINGS.get(view, key, lambda: _surroundings(view, entity_id, depth, limit))


def links_of(view: View, ids: list[str], limit: int) -> dict[str, Any]:
    """Every link of these entities (at most `limit`), with the entities at their other ends,
    as {"nodes", "edges", "cut"}; `cut` is the limit when it stopped the answer."""
    if not ids:
        return {"nodes": [], "edges": [], "cut": None}
    rows = view.read(LINKS_OF_CYPHER, ids=sorted(ids), room=limit + 1)
    cut = limit if len(rows) > limit else None
    edges = [_edge(row) for row in rows[:limit]]
    ends = sorted({e["source"] for e in edges} | {e["target"] for e in edges} | set(ids))
    return {"nodes": nodes_drawn(view, ends), "edges": edges, "cut": cut}


def subgraph(view: View, ids: list[str]) -> dict[str, Rows]:
    """The entities with these ids and every edge among them: what a network view draws."""
    nodes = nodes_drawn(view, ids)
    edges = view.read(
        f"MATCH (a:{ENTITY_LABEL})-[e]->(b:{ENTITY_LABEL}) WHERE a.id IN $ids AND b.id IN $ids AND VISIBLE(e) "
        "RETURN e.id AS id, a.id AS source, b.id AS target, type(e) AS type, e.date AS date, "
        "coalesce(e.relation, e.role, e.kind, e.term, e.category, e.reason) AS detail, "
        "e.attribution AS attribution, e.involvement AS involvement, e.sources AS sources "
        "ORDER BY source, type, target, id",
        ids=ids,
    )
    for edge in edges:
        edge["detail"] = marked(edge["detail"], edge)
        edge["sources"] = decode_evidence(edge["sources"])
    return {"nodes": nodes, "edges": edges}


__all__ = ["ego_subgraph", "link_counts", "links_of", "nodes_drawn", "subgraph"]
