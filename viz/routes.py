"""Network views and the web pages, added to the API app (api/main.py) by the
`persecution_graph.routers` entry point: api/ is upstream of viz/ and never imports it."""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from persecution_graph.api.deps import CallerDep, GraphDep
from persecution_graph.api.routes.entities import entity
from persecution_graph.api.routes.queries import paged_parameters
from persecution_graph.graph.errors import QueryError
from persecution_graph.queries.catalogue import PAGE_SIZE, load_catalogue
from persecution_graph.queries.search import search

from .network import TEMPLATES, VIEW_POLICY, View, to_html, to_png, to_svg
from .views import ego_view, query_view, snapshot_name, source_records

views = APIRouter(tags=["views"])
pages = APIRouter(tags=["pages"], include_in_schema=False)
templates = Jinja2Templates(directory=str(TEMPLATES))
VIEW_FORMATS = ("html", "svg", "png")


def _respond(
    view: View, graph: Any, fmt: str, snapshot: bool, stem: str, embed_url: str, public_only: bool
) -> Response:
    if fmt == "svg":
        return Response(to_svg(view), media_type="image/svg+xml")
    if fmt == "png":
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".png") as handle:
            to_png(view, FilePath(handle.name))
            return Response(FilePath(handle.name).read_bytes(), media_type="image/png")
    page = to_html(view, sources=source_records(graph, public_only), embed_url=None if snapshot else embed_url)
    headers = {"Content-Security-Policy": VIEW_POLICY}
    if snapshot:
        headers["Content-Disposition"] = f'attachment; filename="{snapshot_name(view, stem)}"'
    return HTMLResponse(page, headers=headers)


@views.get("/views/network/{entity_id}", response_class=HTMLResponse)
def network_view(
    request: Request,
    graph: GraphDep,
    caller: CallerDep,
    entity_id: str = Path(max_length=200, examples=["barlyk-mendygazyev"]),
    depth: int = Query(1, ge=1, le=3),
    limit: int = Query(300, ge=1, le=20000),
    format: str = Query("html", pattern="^(html|svg|png)$"),
    snapshot: bool = Query(False, description="download as a frozen HTML file"),
) -> Response:
    """The network around an entity: self-contained HTML (or SVG, PNG), no request to other hosts."""
    view = ego_view(graph, entity_id, depth, limit, caller.public)
    if view is None:
        raise HTTPException(404, f"no entity with id {entity_id!r}")
    return _respond(view, graph, format, snapshot, entity_id, str(request.url), caller.public)


@views.get("/views/query/{name}", response_class=HTMLResponse)
def query_network_view(name: str, request: Request, graph: GraphDep, caller: CallerDep) -> Response:
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
    view = query_view(graph, query, params, caller.public)
    return _respond(view, graph, fmt, snapshot, name, str(request.url), caller.public)


# -- pages ---------------------------------------------------------------------------------


@pages.get("/", response_class=HTMLResponse)
def home(request: Request, graph: GraphDep, caller: CallerDep, q: str = Query("", max_length=200)) -> Response:
    hits = search(graph, q, limit=50, public_only=caller.public) if q.strip() else []
    counts = graph.read(
        "MATCH (n:Entity) WHERE NOT $public OR n.sensitivity <> 'restricted' "
        "RETURN [l IN labels(n) WHERE l IN ['Person', 'Organization', 'Event', 'LegalArticle', 'Place', "
        "'Source']][0] AS type, count(n) AS n ORDER BY type",
        public=caller.public,
    )
    total = sum(row["n"] for row in counts)
    return templates.TemplateResponse(
        request,
        "pages/home.html",
        {
            "q": q,
            "hits": hits,
            "queries": list(load_catalogue().values()),
            "counts": {"entities": total, "types": [(r["type"], r["n"]) for r in counts if r["type"]]},
        },
    )


@pages.get("/entity/{entity_id}", response_class=HTMLResponse)
def entity_page(
    request: Request, graph: GraphDep, caller: CallerDep, entity_id: str = Path(max_length=200)
) -> Response:
    found = entity(graph, entity_id, caller.public)
    if found is None:
        raise HTTPException(404, f"no entity with id {entity_id!r}")
    hidden = {"id", "name", "sources", "sensitivity"}
    facts = [(k, v) for k, v in found["properties"].items() if k not in hidden]
    labels = {name: edge.label for name, edge in graph.model.edges.items()}
    return templates.TemplateResponse(
        request,
        "pages/entity.html",
        {"e": found, "facts": facts, "labels": labels, "base_url": str(request.base_url)},
    )


@pages.get("/queries", response_class=HTMLResponse)
def queries_page(request: Request) -> Response:
    return templates.TemplateResponse(request, "pages/queries.html", {"queries": list(load_catalogue().values())})


@pages.get("/queries/{name}", response_class=HTMLResponse)
def query_page(name: str, request: Request, graph: GraphDep, caller: CallerDep) -> Response:
    query = load_catalogue().get(name)
    if query is None:
        raise HTTPException(404, f"no query named {name!r}")
    given = {k: v for k, v in request.query_params.items() if k != "format"}
    rows, error, following = None, None, None
    if given or all(not p.required for p in query.parameters):
        try:
            params = paged_parameters(query, given)
            rows = query.run(graph, params, public_only=caller.public)
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
def timeline_page(
    request: Request, graph: GraphDep, caller: CallerDep, entity_id: str = Path(max_length=200)
) -> Response:
    query = load_catalogue()["timeline"]
    rows = query.run(graph, {"id": entity_id}, public_only=caller.public)
    return templates.TemplateResponse(
        request,
        "pages/query.html",
        {"query": query, "given": {"id": entity_id}, "rows": rows, "error": None, "qs": f"id={entity_id}"},
    )


@pages.get("/sources/{source_id}", response_class=HTMLResponse)
def source_page(
    request: Request, graph: GraphDep, caller: CallerDep, source_id: str = Path(max_length=200)
) -> Response:
    # A published report is shown whole, as its publisher shows it: hiding the lines that restricted
    # records quote would not hide the report, and would break the citations of public records.
    # A source marked restricted (an interview, a leaked document) is not shown to the public.
    source = source_records(graph, caller.public).get(source_id)
    if source is None:
        raise HTTPException(404, f"no source with id {source_id!r}")
    lines: list[str] = []
    data_dir = getattr(request.app.state, "data_folder", None)
    if data_dir and source.get("file"):
        path = (FilePath(data_dir) / source["file"]).resolve()
        if path.is_relative_to(FilePath(data_dir).resolve()) and path.is_file():
            lines = path.read_text(encoding="utf-8").splitlines()
    return templates.TemplateResponse(request, "pages/source.html", {"source": source, "lines": lines})


routers = (views, pages)
