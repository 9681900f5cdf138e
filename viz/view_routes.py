"""The network views (/views/...): self-contained pictures of an entity's surroundings or a
query's results, as HTML, SVG or PNG, read through the caller's view of the graph."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path as FilePath

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from ..graph.scope import View
from ..queries.catalogue import load_catalogue
from ..queries.sources import source_records
from .network import VIEW_POLICY, Picture, to_html, to_png, to_svg
from .views import ego_view, query_view, snapshot_name

VIEW_FORMATS = ("html", "svg", "png")


def _respond(picture: Picture, view: View, fmt: str, snapshot: bool, stem: str, embed_url: str) -> Response:
    if fmt == "svg":
        return Response(to_svg(picture), media_type="image/svg+xml")
    if fmt == "png":
        with tempfile.NamedTemporaryFile(suffix=".png") as handle:
            to_png(picture, FilePath(handle.name))
            return Response(FilePath(handle.name).read_bytes(), media_type="image/png")
    page = to_html(picture, sources=source_records(view), embed_url=None if snapshot else embed_url)
    headers = {"Content-Security-Policy": VIEW_POLICY}
    if snapshot:
        headers["Content-Disposition"] = f'attachment; filename="{snapshot_name(picture, stem)}"'
    return HTMLResponse(page, headers=headers)


def views_router(get_view: Callable[..., View]) -> APIRouter:
    """The views' routes, reading through the caller's view (``get_view``)."""
    views = APIRouter(tags=["views"])
    caller_view = Depends(get_view)

    @views.get("/views/network/{entity_id}", response_class=HTMLResponse)
    def network_view(
        request: Request,
        entity_id: str = Path(max_length=200, examples=["barlyk-mendygazyev"]),
        depth: int = Query(1, ge=1, le=3),
        limit: int = Query(300, ge=1, le=20000),
        format: str = Query("html", pattern="^(html|svg|png)$"),
        snapshot: bool = Query(False, description="download as a frozen HTML file"),
        view: View = caller_view,
    ) -> Response:
        """The network around an entity: self-contained HTML (or SVG, PNG), no request to other hosts."""
        picture = ego_view(view, entity_id, depth, limit)
        if picture is None:
            raise HTTPException(404, f"no entity with id {entity_id!r}")
        return _respond(picture, view, format, snapshot, entity_id, str(request.url))

    @views.get("/views/query/{name}", response_class=HTMLResponse)
    def query_network_view(name: str, request: Request, view: View = caller_view) -> Response:
        """The entities in a named query's results and the edges among them."""
        query = load_catalogue().get(name)
        if query is None:
            raise HTTPException(404, f"no query named {name!r}")
        if not query.entity_columns:
            raise HTTPException(404, f"query {name!r} returns no entities to draw")
        params = dict(request.query_params)
        fmt = params.pop("format", "html")
        snapshot = params.pop("snapshot", "false").lower() in ("1", "true")
        if fmt not in VIEW_FORMATS:
            raise HTTPException(422, f"format must be one of {', '.join(VIEW_FORMATS)}")
        return _respond(query_view(view, query, params), view, fmt, snapshot, name, str(request.url))

    return views
