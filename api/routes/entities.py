"""GET /api/entities/{id}: one entity with its evidence."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Path
from persecution_graph.graph.encoding import decode
from persecution_graph.graph.model import ENTITY_LABEL
from persecution_graph.queries.catalogue import load_catalogue

from ..deps import PUBLIC_ONLY, GraphDep

router = APIRouter(tags=["entities"])


@router.get("/api/entities/{entity_id}")
def get_entity(
    graph: GraphDep, entity_id: str = Path(max_length=200, examples=["mukhtar-ablyazov"])
) -> dict[str, Any]:
    """The entity's properties, labels, its relations and their sources."""
    rows = graph.read(
        f"MATCH (n:{ENTITY_LABEL} {{id: $id}}) "
        "WHERE NOT $public OR n.sensitivity <> 'restricted' "
        "RETURN labels(n) AS labels, properties(n) AS properties",
        id=entity_id,
        public=PUBLIC_ONLY,
    )
    if not rows:
        raise HTTPException(404, f"no entity with id {entity_id!r}")
    properties = decode(rows[0]["properties"])
    relations = load_catalogue()["relations"].run(graph, {"id": entity_id}, public_only=PUBLIC_ONLY)
    return {
        "id": entity_id,
        "labels": graph.sorted_labels(rows[0]["labels"]),
        "properties": properties,
        "sources": properties.get("sources", []),
        "relations": relations,
    }
