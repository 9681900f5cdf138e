"""GET /api/queries and /api/queries/{name}: the named-query catalogue."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import PlainTextResponse, Response
from persecution_graph.queries.catalogue import load_catalogue
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


@router.get("/api/queries/{name}", response_model=None)
def run_query(name: str, request: Request, graph: GraphDep, caller: CallerDep) -> Response | list[dict[str, Any]]:
    """Rows as JSON (or CSV with `format=csv`); parameters go in the query string."""
    query = load_catalogue().get(name)
    if query is None:
        raise HTTPException(404, f"no query named {name!r}")
    params = dict(request.query_params)
    fmt = params.pop("format", "json")
    rows = query.run(graph, params, public_only=caller.public)
    if fmt == "csv":
        return PlainTextResponse(render(rows, query.column_names, "csv"), media_type="text/csv")
    return rows
