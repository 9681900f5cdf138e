"""The web pages (/, /entity/..., /queries/..., /timeline/..., /sources/..., /search/reports),
read through the caller's view of the graph and the read layer (queries/).

Tables are sorted, filtered and faceted on the server, by links and a form (no script: the
pages' Content-Security-Policy allows none, and a link to a sorted, filtered table can be kept
and shared); their exports (CSV, spreadsheet, JSON) are the same table as shown, every row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from ..graph.errors import UserError
from ..graph.scope import View
from ..queries.catalogue import PAGE_SIZE, load_catalogue
from ..queries.catalogue import Query as NamedQuery
from ..queries.citations import Citer, citer, first_line
from ..queries.entities import entity
from ..queries.fulltext import Words, citations_by_line, cited_by, marks, search_reports
from ..queries.output import DOWNLOADS, TABLE_FORMATS, file_name, write
from ..queries.search import search
from ..queries.sources import source_lines, source_records
from ..queries.tables import NAMES, Plain, Selection, Table, facet_counts, label_words, query_table, row_facets, select
from .network import TEMPLATES
from .views import public_url

templates = Jinja2Templates(directory=str(TEMPLATES))
# Rows a table page sorts, filters and facets at most (the largest page the API serves); a
# longer answer says so, and the CLI or the API's pages give the rest.
TABLE_MOST = 10_000
NAME_HITS = 50
PASSAGES = 50


def _data_folder(request: Request) -> str | None:
    return getattr(request.app.state, "data_folder", None)


def _page(request: Request, template: str, view: View, context: dict[str, Any], status: int = 200) -> Response:
    """A page, with what every page says: whether records are hidden from this reader, and
    the tools its templates use to write citations and plain values."""
    shared = {
        "hidden": view.hides_records(),
        "plain": Plain(view.model),
        "label_words": label_words,
        "first_line": first_line,
    }
    return templates.TemplateResponse(request, template, {**shared, **context}, status_code=status)


def _query_params(query: NamedQuery, request: Request) -> tuple[dict[str, str], Selection, int, int]:
    """What a table page was asked: the query's parameters, the table's selection, and the page
    (size and offset: for a paged query these are the table's, not the query's, and bounded as
    the query's are)."""
    params = {k: v for k, v in request.query_params.items() if k not in ("format", *NAMES)}
    selection = Selection.from_params(dict(request.query_params))
    size, offset = PAGE_SIZE, 0
    if query.paged:
        bounds = {p.name: p for p in query.parameters}
        given_size, given_offset = params.pop("limit", ""), params.pop("offset", "")
        size = bounds["limit"].parse(given_size) if given_size else PAGE_SIZE
        offset = bounds["offset"].parse(given_offset) if given_offset else 0
        size = size or TABLE_MOST
    return params, selection, size, offset


def _table(view: View, query: NamedQuery, params: dict[str, str], request: Request) -> Table:
    asked = {**params, "limit": str(TABLE_MOST), "offset": "0"} if query.paged else params
    return query_table(view, query, asked, _data_folder(request))


def pages_router(get_view: Callable[..., View]) -> APIRouter:
    """The pages' routes, reading through the caller's view (``get_view``)."""
    pages = APIRouter(tags=["pages"], include_in_schema=False)
    caller_view = Depends(get_view)

    @pages.get("/", response_class=HTMLResponse)
    def home(
        request: Request,
        q: str = Query("", max_length=200),
        type: str = Query("", max_length=60),
        view: View = caller_view,
    ) -> Response:
        counts = view.count_by_type()
        context: dict[str, Any] = {
            "q": q,
            "queries": list(load_catalogue().values()),
            "counts": {"entities": sum(counts.values()), "types": [(t, n) for t, n in counts.items() if n]},
        }
        if q.strip():
            hits = search(view, q, limit=NAME_HITS)
            context["types"] = facet_counts([{"type": set(h["labels"]), "place": set(), "year": set()} for h in hits])[
                "type"
            ]
            context["type"] = type
            context["hits"] = [h for h in hits if not type or type in h["labels"]]
            context["passages"] = search_reports(view, q, _data_folder(request), limit=5)
        return _page(request, "pages/home.html", view, context)

    @pages.get("/search/reports", response_class=HTMLResponse)
    def passages_page(
        request: Request,
        q: str = Query("", max_length=200),
        offset: int = Query(0, ge=0, le=1_000_000),
        view: View = caller_view,
    ) -> Response:
        found = search_reports(view, q, _data_folder(request), limit=PASSAGES, offset=offset) if q.strip() else None
        following = offset + PASSAGES if found and found["total"] > offset + PASSAGES else None
        return _page(request, "pages/passages.html", view, {"q": q, "found": found, "following": following})

    @pages.get("/entity/{entity_id}", response_class=HTMLResponse)
    def entity_page(request: Request, entity_id: str = Path(max_length=200), view: View = caller_view) -> Response:
        found = entity(view, entity_id)
        if found is None:
            raise HTTPException(404, f"no entity with id {entity_id!r}")
        hidden = {"id", "name", "sources", "sensitivity"}
        facts = [(k, v) for k, v in found["properties"].items() if k not in hidden]
        labels = {name: edge.label for name, edge in view.model.edges.items()}
        return _page(
            request,
            "pages/entity.html",
            view,
            {
                "e": found,
                "facts": facts,
                "labels": labels,
                "base_url": public_url(str(request.base_url)),
                "citer": citer(view, _data_folder(request)),
            },
        )

    @pages.get("/queries", response_class=HTMLResponse)
    def queries_page(request: Request, view: View = caller_view) -> Response:
        return _page(request, "pages/queries.html", view, {"queries": list(load_catalogue().values())})

    @pages.get("/queries/{name}", response_class=HTMLResponse)
    def query_page(name: str, request: Request, view: View = caller_view) -> Response:
        query = _named(name)
        context: dict[str, Any] = {"query": query, "given": {}, "selection": Selection(), "error": None}
        status = 200
        try:
            params, selection, size, offset = _query_params(query, request)
            context.update(given=params, selection=selection)
            if params or all(not p.required for p in query.parameters):
                context.update(_table_context(view, query, params, selection, size, offset, request))
        except UserError as failure:
            context["error"], status = str(failure), failure.status
        return _page(request, "pages/query.html", view, context, status)

    @pages.get("/queries/{name}/export/{fmt}")
    def export_table(name: str, fmt: str, request: Request, view: View = caller_view) -> Response:
        """The table as shown (sorted, filtered, faceted), every row, as a file."""
        query = _named(name)
        if fmt not in DOWNLOADS:
            raise HTTPException(404, f"no table format {fmt!r}; one of {', '.join(DOWNLOADS)}")
        params, selection, _, _ = _query_params(query, request)
        table = _table(view, query, params, request)
        table.rows, _ = select(table, row_facets(view, table, query), selection)
        body = write(fmt, table, str(request.base_url))
        disposition = f'attachment; filename="{file_name(fmt, query.name)}"'
        return Response(body, media_type=TABLE_FORMATS[fmt].media_type, headers={"Content-Disposition": disposition})

    @pages.get("/timeline/{entity_id}", response_class=HTMLResponse)
    def timeline_page(request: Request, entity_id: str = Path(max_length=200), view: View = caller_view) -> Response:
        query = load_catalogue()["timeline"]
        params = {"id": entity_id}
        selection = Selection.from_params(dict(request.query_params))
        context = {"query": query, "given": params, "selection": selection, "error": None}
        context.update(_table_context(view, query, params, selection, TABLE_MOST, 0, request))
        return _page(request, "pages/query.html", view, context)

    @pages.get("/sources/{source_id}", response_class=HTMLResponse)
    def source_page(
        request: Request,
        source_id: str = Path(max_length=200),
        q: str = Query("", max_length=200),
        view: View = caller_view,
    ) -> Response:
        # A published report is shown whole, as its publisher shows it: hiding the lines that restricted
        # records quote would not hide the report, and would break the citations of public records.
        # A source marked restricted (an interview, a leaked document) is not shown to the public.
        source = source_records(view).get(source_id)
        if source is None:
            raise HTTPException(404, f"no source with id {source_id!r}")
        lines = source_lines(source, _data_folder(request))
        return _page(request, "pages/source.html", view, _source_context(view, source, lines, q, request))

    return pages


def _named(name: str) -> NamedQuery:
    query = load_catalogue().get(name)
    if query is None:
        raise HTTPException(404, f"no query named {name!r}")
    return query


def _table_context(
    view: View,
    query: NamedQuery,
    params: dict[str, str],
    selection: Selection,
    size: int,
    offset: int,
    request: Request,
) -> dict[str, Any]:
    """A query's table for a page: its rows sorted, filtered and faceted, one page of them, the
    facets' counts, and the links that change each (sort, facet, page, export)."""
    table = _table(view, query, params, request)
    every = len(table.rows)
    facets = row_facets(view, table, query)
    rows, kept = select(table, facets, selection)
    shown = rows[offset : offset + size]
    base = {**params, **selection.params}
    if size != PAGE_SIZE and query.paged:
        base["limit"] = str(size)

    def link(**changes: str | None) -> str:
        wanted = {**base, **changes}
        return "?" + urlencode({k: v for k, v in wanted.items() if v not in (None, "")})

    return {
        "table": table,
        "rows": shown,
        "matching": len(rows),
        "every": every,
        "cut": query.paged and every >= TABLE_MOST,
        "facets": facet_counts(kept),
        "link": link,
        "next_qs": link(offset=str(offset + size))[1:] if offset + size < len(rows) else None,
        "previous_qs": link(offset=str(max(offset - size, 0)) if offset - size > 0 else None)[1:] if offset else None,
        "exports": [(TABLE_FORMATS[f], f"/queries/{query.name}/export/{f}{link()}") for f in DOWNLOADS],
        "qs": urlencode(params),
    }


def _source_context(view: View, source: dict[str, Any], lines: list[str], q: str, request: Request) -> dict[str, Any]:
    """A report's text line by line, each line with its citation and the entities citing it;
    the words asked for (``q``) marked."""
    sources: Citer = citer(view, _data_folder(request))
    citations = citations_by_line(view)
    words = Words.of(q) if q.strip() else None
    numbered = []
    for number, text in enumerate(lines, start=1):
        ref = {"source": source["id"], "line": str(number), "quote": " ".join(text.split())}
        numbered.append(
            {
                "number": number,
                "parts": _marked_parts(text, marks(text, words) if words else []),
                "citation": sources.footnote(ref) if text.strip() else "",
                "cited_by": cited_by(citations, source["id"], number),
            }
        )
    return {"source": source, "lines": numbered, "q": q, "citation": sources.title(source["id"]) + "."}


def _marked_parts(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """A line as (text, marked) pieces, so the template escapes each and marks the words."""
    parts, at = [], 0
    for start, end in spans:
        parts += [(text[at:start], False), (text[start:end], True)]
        at = end
    return [part for part in parts + [(text[at:], False)] if part[0]]
