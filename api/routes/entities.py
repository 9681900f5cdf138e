"""GET /api/entities (paged list) and /api/entities/{id}: entities with their evidence."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Path, Query

from ...graph.model import load_model
from ...queries.entities import entity_or_404, entity_page
from ..deps import ViewDep

router = APIRouter(tags=["entities"])
TYPES = tuple(load_model().nodes)


@router.get("/api/entities/{entity_id}")
def get_entity(view: ViewDep, entity_id: str = Path(max_length=200, examples=["barlyk-mendygazyev"])) -> dict[str, Any]:
    """The entity's properties, labels, its relations and their sources."""
    return entity_or_404(view, entity_id)


@router.get("/api/entities")
def list_entities(
    view: ViewDep,
    type: str | None = Query(None, description=f"one of {', '.join(TYPES)}", examples=["Person"]),
    q: str | None = Query(None, max_length=200, description="name or alias, any spelling"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> dict[str, Any]:
    """Entities of a type, or matching a name, a page at a time: {total, limit, offset, items}."""
    if type is not None and type not in TYPES:
        raise HTTPException(422, f"unknown type {type!r}; one of {', '.join(TYPES)}")
    return entity_page(view, type, q, limit, offset)
