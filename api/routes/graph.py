"""GET /api/graph/ego/{id} and /api/export/{format}: subgraphs and the whole graph."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import Response
from persecution_graph.graph import formats
from persecution_graph.queries.procedures import ego_subgraph

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
