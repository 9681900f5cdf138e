"""GET /api/entities (paged list) and /api/entities/{id}: entities with their evidence."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Path, Query
from persecution_graph.graph.encoding import decode
from persecution_graph.graph.model import ENTITY_LABEL, load_model
from persecution_graph.queries.catalogue import load_catalogue
from persecution_graph.queries.search import search

from ..deps import CallerDep, GraphDep

router = APIRouter(tags=["entities"])
TYPES = tuple(load_model().nodes)


def entity(graph: Any, entity_id: str, public_only: bool) -> dict[str, Any] | None:
    """One entity: labels, properties, sources, every relation and the records it may be one
    with (None when not visible)."""
    rows = graph.read(
        f"MATCH (n:{ENTITY_LABEL} {{id: $id}}) "
        "WHERE NOT $public OR n.sensitivity <> 'restricted' "
        "RETURN labels(n) AS labels, properties(n) AS properties",
        id=entity_id,
        public=public_only,
    )
    if not rows:
        return None
    properties = decode(rows[0]["properties"])
    relations = load_catalogue()["relations"].run(graph, {"id": entity_id}, public_only=public_only)
    return {
        "id": entity_id,
        "labels": graph.sorted_labels(rows[0]["labels"]),
        "properties": properties,
        "sources": properties.get("sources", []),
        "relations": relations,
        # Records it may be one with (POSSIBLY_SAME_AS): kept apart until a curator decides.
        "possibly_same_as": [
            {"id": r["other_id"], "name": r["other"], "reason": r["detail"], "sources": r["sources"]}
            for r in relations
            if r["type"] == "POSSIBLY_SAME_AS"
        ],
    }


@router.get("/api/entities/{entity_id}")
def get_entity(
    graph: GraphDep, caller: CallerDep, entity_id: str = Path(max_length=200, examples=["barlyk-mendygazyev"])
) -> dict[str, Any]:
    """The entity's properties, labels, its relations and their sources."""
    found = entity(graph, entity_id, caller.public)
    if found is None:
        raise HTTPException(404, f"no entity with id {entity_id!r}")
    return found


@router.get("/api/entities")
def list_entities(
    graph: GraphDep,
    caller: CallerDep,
    type: str | None = Query(None, description=f"one of {', '.join(TYPES)}", examples=["Person"]),
    q: str | None = Query(None, max_length=200, description="name or alias, any spelling"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> dict[str, Any]:
    """Entities of a type, or matching a name, a page at a time: {total, limit, offset, items}."""
    if type is not None and type not in TYPES:
        raise HTTPException(422, f"unknown type {type!r}; one of {', '.join(TYPES)}")
    if q:
        hits = search(graph, q, limit=offset + limit + 1000, public_only=caller.public)
        if type:
            hits = [h for h in hits if h["labels"][0] == type]
        return {"total": len(hits), "limit": limit, "offset": offset, "items": hits[offset : offset + limit]}
    # The label is checked against the model above; it cannot be a parameter in Cypher.
    label = type or ENTITY_LABEL
    where = "WHERE NOT $public OR n.sensitivity <> 'restricted'"
    total = graph.read(f"MATCH (n:{label}) {where} RETURN count(n) AS n", public=caller.public)[0]["n"]
    rows = graph.read(
        f"MATCH (n:{label}) {where} RETURN n.id AS id, n.name AS name, labels(n) AS labels "
        "ORDER BY n.id SKIP $offset LIMIT $limit",
        public=caller.public,
        offset=offset,
        limit=limit,
    )
    items = [{**row, "labels": graph.sorted_labels(row["labels"])} for row in rows]
    return {"total": total, "limit": limit, "offset": offset, "items": items}
