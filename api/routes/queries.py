"""GET /api/queries and /api/queries/{name}: the named-query catalogue.

Each named query gets a route of its own, whose parameters (typed, bounded, required or not)
come from its catalogue entry, so the OpenAPI document describes every query exactly.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi import Query as QueryParam
from fastapi.responses import JSONResponse, Response

from ...queries.catalogue import Parameter, Query, load_catalogue, paged_parameters
from ...queries.output import DOWNLOADS, TABLE_FORMATS, file_name, write
from ...queries.tables import query_table
from ..deps import ViewDep

router = APIRouter(tags=["queries"])
PYTHON_TYPES: dict[str, Any] = {"string": str, "int": int, "date": dt.date, "bool": bool}


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


def answer(query: Query, request: Request, view: ViewDep) -> Response:
    """Rows as JSON, or as a CSV or spreadsheet file (``format``), a page at a time for paged
    queries; an id that names no entity is 404."""
    params = dict(request.query_params)
    fmt = params.pop("format", "json")
    params = paged_parameters(query, params)
    response: Response
    if fmt == "json":
        rows = query.run(view, params)
        response = JSONResponse(rows)
    else:
        table = query_table(view, query, params, request.app.state.data_folder)
        rows = table.rows
        response = Response(
            write(fmt, table, str(request.base_url)),
            media_type=TABLE_FORMATS[fmt].media_type,
            headers={"Content-Disposition": f'attachment; filename="{file_name(fmt, query.name)}"'},
        )
    following = query.next_page(params, rows)
    if following is not None:
        extra = {"format": fmt} if fmt != "json" else {}
        response.headers["Link"] = f'<{request.url.path}?{urlencode({**following, **extra})}>; rel="next"'
    return response


def _declared(parameter: Parameter) -> inspect.Parameter:
    """A query parameter as FastAPI reads it from a signature: type, bounds, required."""
    bounds: dict[str, Any] = {}
    if parameter.type == "int":
        bounds = {"ge": parameter.minimum, "le": parameter.upper}
    if parameter.type == "string":
        bounds = {"max_length": 200}
    python_type: Any = PYTHON_TYPES[parameter.type]
    annotation = Annotated[
        python_type | None,
        QueryParam(alias=parameter.name, description=parameter.description or None, **bounds),
    ]
    default = inspect.Parameter.empty if parameter.required else parameter.default
    # Named through an alias: a parameter may be called `from`, which Python cannot name.
    return inspect.Parameter(
        f"p_{parameter.name}", inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default
    )


def endpoint(query: Query) -> Callable[..., Response]:
    """The route function of one named query; its signature declares the query's parameters."""

    def run_named_query(request: Request, view: ViewDep, **_: Any) -> Response:
        return answer(query, request, view)

    fixed = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation)
        for name, annotation in (("request", Request), ("view", ViewDep))
    ]
    fmt = inspect.Parameter(
        "format",
        inspect.Parameter.KEYWORD_ONLY,
        annotation=Annotated[
            Literal[DOWNLOADS],  # type: ignore[valid-type]
            QueryParam(description="; ".join(f"{n}: {TABLE_FORMATS[n].description}" for n in DOWNLOADS)),
        ],
        default="json",
    )
    run_named_query.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [*fixed, *(_declared(p) for p in query.parameters), fmt]
    )
    return run_named_query


for _query in load_catalogue().values():
    router.add_api_route(
        f"/api/queries/{_query.name}",
        endpoint(_query),
        methods=["GET"],
        summary=_query.title,
        description=_query.description
        + (
            "\n\nRows come a page of 100 at a time unless `limit` is given (at most 10,000; `limit=0`: "
            'every row); a full page carries a `Link: <...>; rel="next"` header.'
            if _query.paged
            else ""
        ),
        response_model=None,
        name=f"query-{_query.name}",
    )


@router.get("/api/queries/{name}", response_model=None, include_in_schema=False)
def unknown_query(name: str) -> Response:
    """Any other name: not a query."""
    raise HTTPException(404, f"no query named {name!r}")
