"""GET /api/graph/ego/{id} and /api/export/{format}: an entity's surroundings, and the whole graph
as a download in any registered format."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import Response

from ...graph.formats import FORMATS, file_name, render
from ...queries.subgraphs import ego_json
from ..deps import ViewDep

router = APIRouter(tags=["graph"])


@router.get(
    "/api/graph/ego/{entity_id}",
    response_class=Response,
    responses={200: {"content": {"application/json": {"schema": {"type": "object"}}}}},
)
def ego(
    view: ViewDep,
    entity_id: str = Path(max_length=200, examples=["barlyk-mendygazyev"]),
    depth: int = Query(1, ge=1, le=3),
    limit: int = Query(200, ge=1, le=5000),
) -> Response:
    """Nodes and edges within `depth` steps of an entity, at most `limit` edges, as the JSON
    export writes records (`properties` with their `sources`); `cut` says what the limit left
    out, `reached` the furthest step drawn."""
    # Written from records kept as JSON text (queries/subgraphs.py ego_json), not built and
    # serialised again for each answer.
    found = ego_json(view, entity_id, depth, limit)
    if found is None:
        raise HTTPException(404, f"no entity with id {entity_id!r}")
    return Response(found, media_type="application/json")


@router.get("/api/export/{fmt}", response_model=None)
def export(view: ViewDep, fmt: str = Path(examples=["json"])) -> Response:
    """The whole graph as a download, public records only for the public, in any format of
    graph/formats (json, graphml, gexf, neo4j-import, cypher, ftm, dump)."""
    found = FORMATS.get(fmt)
    if found is None:
        raise HTTPException(404, f"no export format {fmt!r}; one of {', '.join(FORMATS)}")
    return Response(
        render(found, view),
        media_type=found.media_type,
        headers={"Content-Disposition": f'attachment; filename="{file_name(found)}"'},
    )
