"""GET /api/search: find entities by any spelling; GET /api/search/reports: find words in the
report texts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from ...queries.fulltext import search_reports
from ...queries.search import search
from ..deps import ViewDep

router = APIRouter(tags=["search"])


class Other(BaseModel):
    """A record the hit may be one with (POSSIBLY_SAME_AS): kept apart until a curator decides."""

    id: str
    name: str | None


class Hit(BaseModel):
    id: str
    name: str | None
    labels: list[str]
    score: float
    matched: str
    match: str
    possibly_same_as: list[Other] = []


class Named(BaseModel):
    id: str
    name: str


class Passage(BaseModel):
    """A line of a report holding every word asked for (with the next line when they run on)."""

    source: str
    title: str
    line: int
    passage: str
    marks: list[list[int]]
    highlighted: str
    citation: str
    cited_by: list[Named]


class Passages(BaseModel):
    query: str
    total: int
    hits: list[Passage]


@router.get("/api/search", response_model=list[Hit])
def search_entities(
    view: ViewDep,
    q: str = Query(min_length=1, max_length=200, examples=["Mendygaziyev"]),
    limit: int = Query(10, ge=1, le=100),
) -> list[dict[str, Any]]:
    """Entities whose name or an alias matches `q`, transliteration variants included: which
    name matched (`matched`) and how (`match`: exact, spelling variant, beginning of a word,
    similar spelling); each says which records it may be the same as (`possibly_same_as`, kept
    apart until a curator decides)."""
    return search(view, q, limit=limit)


@router.get("/api/search/reports", response_model=Passages)
def search_report_texts(
    request: Request,
    view: ViewDep,
    q: str = Query(min_length=1, max_length=200, examples=["Көше партиясы"]),
    limit: int = Query(20, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> dict[str, Any]:
    """Lines of the report texts holding every word of `q`, in any spelling (Cyrillic or Latin,
    transliteration variants), best first: the source, the line, the passage with the words
    marked (`marks`: start and end of each; `highlighted`: between « and »), a citation ready for
    a footnote, and the entities whose records or facts cite that line (`cited_by`). `total`
    counts every hit; `total: 0` is no match."""
    return search_reports(view, q, request.app.state.data_folder, limit=limit, offset=offset)
