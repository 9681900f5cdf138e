"""The network views (/views/...): self-contained pictures of an entity's surroundings, as the
reader composed them, or of a page of a query's results, as HTML, SVG or PNG, read through the
caller's view of the graph; and the picture of a state as JSON, for the exploring page."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path as FilePath

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ..graph.scope import View
from ..queries.catalogue import load_catalogue, paged_parameters
from ..queries.sources import source_records
from .explore import ViewState
from .network import VIEW_POLICY, Picture, cited, payload, to_html, to_png, to_svg
from .views import ego_view, embed_address, public_url, query_view, snapshot_name

VIEW_FORMATS = ("html", "svg", "png")
# What a view's address may carry besides the state.
VIEW_OPTIONS = ("format", "snapshot")
STATE_EXAMPLES = {
    "depth": "steps from the entity, 1-3 (default 1)",
    "hide_links": "link types left out, comma-separated (DETAINED_BY,LISTED_IN)",
    "hide_kinds": "entity kinds left out, comma-separated (Place,Source)",
    "from": "links dated from (YYYY, YYYY-MM or YYYY-MM-DD)",
    "to": "links dated up to",
    "undated": "0 leaves out links with no date when a range is given",
    "expand": "entities whose links are added, comma-separated",
    "open": "groups drawn one by one, comma-separated",
    "limit": "most links drawn (default 2000)",
}


def _image(picture: Picture, fmt: str, stem: str) -> Response:
    name = f"{stem}-{picture.drawn_on[:10]}.{fmt}"
    disposition = {"Content-Disposition": f'inline; filename="{name}"'}
    if fmt == "svg":
        return Response(to_svg(picture), media_type="image/svg+xml", headers=disposition)
    with tempfile.NamedTemporaryFile(suffix=".png") as handle:
        to_png(picture, FilePath(handle.name))
        return Response(FilePath(handle.name).read_bytes(), media_type="image/png", headers=disposition)


def _page(
    picture: Picture, view: View, snapshot: bool, stem: str, entity_id: str | None, embed: str | None
) -> Response:
    page = to_html(
        picture,
        sources=source_records(view),
        embed_url=None if snapshot else embed,
        frozen=snapshot,
        entity_id=entity_id,
    )
    headers = {"Content-Security-Policy": VIEW_POLICY}
    if snapshot:
        headers["Content-Disposition"] = f'attachment; filename="{snapshot_name(picture, stem)}"'
    return HTMLResponse(page, headers=headers)


def _state(request: Request, view: View) -> ViewState:
    given = {k: v for k, v in request.query_params.items() if k not in VIEW_OPTIONS}
    return ViewState.parse(given, view.model)


def views_router(get_view: Callable[..., View]) -> APIRouter:
    """The views' routes, reading through the caller's view (``get_view``)."""
    views = APIRouter(tags=["views"])
    caller_view = Depends(get_view)

    def composed(request: Request, entity_id: str, view: View) -> Picture:
        picture = ego_view(view, entity_id, state=_state(request, view))
        if picture is None:
            raise HTTPException(404, f"no entity with id {entity_id!r}")
        return picture

    @views.get("/views/network/{entity_id}", response_class=HTMLResponse)
    def network_view(
        request: Request,
        entity_id: str = Path(max_length=200, examples=["barlyk-mendygazyev"]),
        depth: int = Query(1, ge=1, le=3, description=STATE_EXAMPLES["depth"]),
        format: str = Query("html", pattern="^(html|svg|png)$"),
        snapshot: bool = Query(False, description="download as a frozen HTML file"),
        view: View = caller_view,
    ) -> Response:
        """The network around an entity, to explore: self-contained HTML (or SVG, PNG), no request
        to other hosts. The address carries what the reader composed (depth, hide_links,
        hide_kinds, from, to, undated, expand, open, limit), and every format draws it."""
        picture = composed(request, entity_id, view)
        if format != "html":
            return _image(picture, format, entity_id)
        embed = embed_address(public_url(str(request.base_url)), entity_id)
        return _page(picture, view, snapshot, entity_id, entity_id, embed)

    @views.get("/views/network/{entity_id}/data")
    def network_data(
        request: Request,
        entity_id: str = Path(max_length=200, examples=["barlyk-mendygazyev"]),
        view: View = caller_view,
    ) -> JSONResponse:
        """The picture of a state as the exploring page draws it: nodes with their positions,
        links, key, filters offered, what was left out and why."""
        picture = composed(request, entity_id, view)
        return JSONResponse({**payload(picture, view.model), "sources": cited(picture, source_records(view))})

    @views.get("/views/query/{name}", response_class=HTMLResponse)
    def query_network_view(name: str, request: Request, view: View = caller_view) -> Response:
        """The entities in a page of a named query's results (limit, offset) and the edges among them."""
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
        picture = query_view(view, query, paged_parameters(query, params))
        if fmt != "html":
            return _image(picture, fmt, name)
        return _page(picture, view, snapshot, name, None, None)

    return views
