"""Network views and the web pages, added to the API app (api/main.py) by the
`persecution_graph.routers` entry point. viz/ never imports api/: the app hands :func:`routers`
the dependency that gives each request its caller's view of the graph, and every page reads
through that view and the read layer (queries/)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path as FilePath
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from ..graph.errors import QueryError
from ..graph.scope import View
from ..queries.catalogue import PAGE_SIZE, load_catalogue, paged_parameters
from ..queries.entities import entity
from ..queries.search import search
from ..queries.sources import source_lines, source_records
from .network import TEMPLATES, VIEW_POLICY, Picture, to_html, to_png, to_svg
from .views import ego_view, query_view, snapshot_name

templates = Jinja2Templates(directory=str(TEMPLATES))
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


def routers(get_view: Callable[..., View]) -> tuple[APIRouter, APIRouter]:
    """The views' and the pages' routes, reading through the caller's view (``get_view``)."""
    views = APIRouter(tags=["views"])
    pages = APIRouter(tags=["pages"], include_in_schema=False)
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

    @pages.get("/", response_class=HTMLResponse)
    def home(request: Request, q: str = Query("", max_length=200), view: View = caller_view) -> Response:
        hits = search(view, q, limit=50) if q.strip() else []
        counts = view.count_by_type()
        return templates.TemplateResponse(
            request,
            "pages/home.html",
            {
                "q": q,
                "hits": hits,
                "queries": list(load_catalogue().values()),
                "counts": {"entities": sum(counts.values()), "types": [(t, n) for t, n in counts.items() if n]},
            },
        )

    @pages.get("/entity/{entity_id}", response_class=HTMLResponse)
    def entity_page(request: Request, entity_id: str = Path(max_length=200), view: View = caller_view) -> Response:
        found = entity(view, entity_id)
        if found is None:
            raise HTTPException(404, f"no entity with id {entity_id!r}")
        hidden = {"id", "name", "sources", "sensitivity"}
        facts = [(k, v) for k, v in found["properties"].items() if k not in hidden]
        labels = {name: edge.label for name, edge in view.model.edges.items()}
        return templates.TemplateResponse(
            request,
            "pages/entity.html",
            {"e": found, "facts": facts, "labels": labels, "base_url": str(request.base_url)},
        )

    @pages.get("/queries", response_class=HTMLResponse)
    def queries_page(request: Request) -> Response:
        return templates.TemplateResponse(request, "pages/queries.html", {"queries": list(load_catalogue().values())})

    @pages.get("/queries/{name}", response_class=HTMLResponse)
    def query_page(name: str, request: Request, view: View = caller_view) -> Response:
        query = load_catalogue().get(name)
        if query is None:
            raise HTTPException(404, f"no query named {name!r}")
        given = {k: v for k, v in request.query_params.items() if k != "format"}
        rows, error, following = None, None, None
        if given or all(not p.required for p in query.parameters):
            try:
                params = paged_parameters(query, given)
                rows = query.run(view, params)
                following = query.next_page(params, rows)
            except QueryError as failure:
                error = str(failure)
        return templates.TemplateResponse(
            request,
            "pages/query.html",
            {
                "query": query,
                "given": given,
                "rows": rows,
                "error": error,
                "qs": request.url.query,
                "next_qs": urlencode(following) if following else None,
                "page_size": PAGE_SIZE,
            },
            status_code=400 if error else 200,
        )

    @pages.get("/timeline/{entity_id}", response_class=HTMLResponse)
    def timeline_page(request: Request, entity_id: str = Path(max_length=200), view: View = caller_view) -> Response:
        query = load_catalogue()["timeline"]
        rows = query.run(view, {"id": entity_id})
        return templates.TemplateResponse(
            request,
            "pages/query.html",
            {"query": query, "given": {"id": entity_id}, "rows": rows, "error": None, "qs": f"id={entity_id}"},
        )

    @pages.get("/sources/{source_id}", response_class=HTMLResponse)
    def source_page(request: Request, source_id: str = Path(max_length=200), view: View = caller_view) -> Response:
        # A published report is shown whole, as its publisher shows it: hiding the lines that restricted
        # records quote would not hide the report, and would break the citations of public records.
        # A source marked restricted (an interview, a leaked document) is not shown to the public.
        source = source_records(view).get(source_id)
        if source is None:
            raise HTTPException(404, f"no source with id {source_id!r}")
        lines = source_lines(source, getattr(request.app.state, "data_folder", None))
        return templates.TemplateResponse(request, "pages/source.html", {"source": source, "lines": lines})

    return views, pages
