"""The web pages (/, /entity/..., /queries/..., /timeline/..., /sources/...), read through the
caller's view of the graph and the read layer (queries/)."""

from __future__ import annotations

from collections.abc import Callable
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
from .network import TEMPLATES
from .views import public_url

templates = Jinja2Templates(directory=str(TEMPLATES))


def pages_router(get_view: Callable[..., View]) -> APIRouter:
    """The pages' routes, reading through the caller's view (``get_view``)."""
    pages = APIRouter(tags=["pages"], include_in_schema=False)
    caller_view = Depends(get_view)

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
            {"e": found, "facts": facts, "labels": labels, "base_url": public_url(str(request.base_url))},
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

    return pages
