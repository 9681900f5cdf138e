"""GET /api/graph/ego/{id} and /api/export/{format}: subgraphs and the whole graph."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import Response
from persecution_graph.graph import formats
from persecution_graph.queries.catalogue import load_catalogue
from persecution_graph.queries.procedures import subgraph

from ..deps import CallerDep, GraphDep

router = APIRouter(tags=["graph"])
EXPORT_FORMATS = tuple(formats.WRITERS)
MEDIA = {
    "json": ("application/json", "json"),
    "graphml": ("application/xml", "graphml"),
    "gexf": ("application/xml", "gexf"),
    "cypher": ("text/plain; charset=utf-8", "cypher"),
    "ftm": ("application/x-ndjson", "ftm.json"),
    "csv": ("application/zip", "neo4j-import.zip"),
}


def ego_subgraph(graph: Any, entity_id: str, depth: int, limit: int, public_only: bool) -> dict[str, Any]:
    """The entity's surroundings as {"center", "nodes", "edges"} (edges as the ego query found them)."""
    rows = load_catalogue()["ego-network"].run(
        graph, {"id": entity_id, "depth": depth, "limit": limit}, public_only=public_only
    )
    ids = sorted({entity_id} | {r["source_id"] for r in rows} | {r["target_id"] for r in rows})
    drawn = subgraph(graph, ids, public_only)
    if not any(node["id"] == entity_id for node in drawn["nodes"]):
        return {"center": entity_id, "nodes": [], "edges": []}
    kept = {(r["source_id"], r["type"], r["target_id"]) for r in rows}
    drawn["edges"] = [e for e in drawn["edges"] if (e["source"], e["type"], e["target"]) in kept]
    return {"center": entity_id, **drawn}


@router.get("/api/graph/ego/{entity_id}")
def ego(
    graph: GraphDep,
    caller: CallerDep,
    entity_id: str = Path(max_length=200, examples=["barlyk-mendygazyev"]),
    depth: int = Query(1, ge=1, le=3),
    limit: int = Query(200, ge=1, le=5000),
) -> dict[str, Any]:
    """Nodes and edges within `depth` steps of an entity, at most `limit` edges, with sources."""
    found = ego_subgraph(graph, entity_id, depth, limit, caller.public)
    if not found["nodes"]:
        raise HTTPException(404, f"no entity with id {entity_id!r}")
    return found


@router.get("/api/export/{fmt}", response_model=None)
def export(graph: GraphDep, caller: CallerDep, fmt: str = Path(examples=["json"])) -> Response:
    """The whole graph as a download (public records only for the public): json, graphml,
    gexf, cypher, ftm (FollowTheMoney, one entity per line) or csv (zip for neo4j-admin)."""
    if fmt not in EXPORT_FORMATS:
        raise HTTPException(404, f"no export format {fmt!r}; one of {', '.join(EXPORT_FORMATS)}")
    data = graph.export(public_only=caller.public)
    body = formats.WRITERS[fmt](data)
    media, extension = MEDIA[fmt]
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="persecution-graph.{extension}"'},
    )
