"""Subgraphs for pictures: the surroundings of an entity, and the entities of a query's rows
with the edges among them. What a network view draws, as the caller's view may see it."""

from __future__ import annotations

from typing import Any

from ..graph.encoding import decode_evidence
from ..graph.model import ENTITY_LABEL
from ..graph.scope import View
from .procedures import Rows, marked
from .procedures.network import ego_network


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


def ego_subgraph(view: View, entity_id: str, depth: int, limit: int) -> dict[str, Any]:
    """The entity's surroundings as {"center", "nodes", "edges"}: the edges the ego network
    found (no second look at the database for them), and their ends."""
    rows = ego_network(view, {"id": entity_id, "depth": depth, "limit": limit})
    ids = sorted({entity_id} | {r["source_id"] for r in rows} | {r["target_id"] for r in rows})
    nodes = nodes_drawn(view, ids)
    if not any(node["id"] == entity_id for node in nodes):
        return {"center": entity_id, "nodes": [], "edges": []}
    edges = [
        {
            "id": row["edge_id"],
            "source": row["source_id"],
            "target": row["target_id"],
            "type": row["type"],
            "date": row["date"],
            "detail": row["detail"],
            "sources": decode_evidence(row["sources"]),
        }
        for row in rows
    ]
    edges.sort(key=lambda e: (e["source"], e["type"], e["target"], e["id"]))
    return {"center": entity_id, "nodes": nodes, "edges": edges}


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
