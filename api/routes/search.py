"""GET /api/search: find entities by any spelling."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel

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
    possibly_same_as: list[Other] = []


@router.get("/api/search", response_model=list[Hit])
def search_entities(
    view: ViewDep,
    q: str = Query(min_length=1, max_length=200, examples=["Mendygaziyev"]),
    limit: int = Query(10, ge=1, le=100),
) -> list[dict]:
    """Entities whose name or an alias matches `q`, transliteration variants included; each says
    which records it may be the same as (`possibly_same_as`, kept apart until a curator decides)."""
    return search(view, q, limit=limit)
