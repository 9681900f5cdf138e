"""GET /api/queries and /api/queries/{name}: the named-query catalogue."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from persecution_graph.queries.catalogue import PAGE_SIZE, Query, load_catalogue
from persecution_graph.queries.output import render

from ..deps import CallerDep, GraphDep

router = APIRouter(tags=["queries"])


@router.get("/api/queries")
def list_queries() -> list[dict[str, Any]]:
    """Every named query with its parameters and columns."""
    return [
        {
            "name": q.name,
            "title": q.title,
            "description": q.description,
            "parameters": [
                {
                    "name": p.name,
                    "type": p.type,
                    "default": p.default,
                    "required": p.required,
                    "description": p.description,
                }
                for p in q.parameters
            ],
            "columns": list(q.columns),
        }
        for q in load_catalogue().values()
    ]


def paged_parameters(query: Query, given: dict[str, str]) -> dict[str, str]:
    """What a request asked for, with a page of PAGE_SIZE rows unless it asked for a size."""
    if query.paged and "limit" not in given:
        return {**given, "limit": str(PAGE_SIZE)}
    return given


@router.get("/api/queries/{name}", response_model=None)
def run_query(name: str, request: Request, graph: GraphDep, caller: CallerDep) -> Response:
    """Rows as JSON (or CSV with `format=csv`); parameters go in the query string. Queries
    whose rows can run into thousands (``paged``) answer a page of 100 rows unless given
    ``limit`` (at most 10,000; ``limit=0``: every row) and ``offset``; when a page is full, a
    ``Link: <...>; rel="next"`` header gives the address of the next one."""
    query = load_catalogue().get(name)
    if query is None:
        raise HTTPException(404, f"no query named {name!r}")
    params = dict(request.query_params)
    fmt = params.pop("format", "json")
    params = paged_parameters(query, params)
    rows = query.run(graph, params, public_only=caller.public)
    response: Response
    if fmt == "csv":
        response = PlainTextResponse(render(rows, query.column_names, "csv"), media_type="text/csv")
    else:
        response = JSONResponse(rows)
    following = query.next_page(params, rows)
    if following is not None:
        extra = {"format": fmt} if fmt != "json" else {}
        response.headers["Link"] = f'<{request.url.path}?{urlencode({**following, **extra})}>; rel="next"'
    return response
