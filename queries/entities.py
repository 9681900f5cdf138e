"""Entities as a reader opens them: one entity with its relations, a page of a type, a search.
Part of the read layer: api/ and viz/ read entities through these, never with Cypher of their own."""

from __future__ import annotations

from typing import Any

from ..graph.errors import NotFound, UserError
from ..graph.model import ENTITY_LABEL
from ..graph.scope import View
from .catalogue import load_catalogue
from .procedures.relations import ENTITY_WITH_RELATIONS
from .search import search


def entity(view: View, entity_id: str) -> dict[str, Any] | None:
    """One entity: its record (id, labels, properties, as the JSON export writes it), its
    sources, every relation (the rows of the `relations` query) and the records it may be one
    with (None when there is none this view may see); all read in one statement, so of one
    generation."""
    rows = view.read_stored(ENTITY_WITH_RELATIONS, id=entity_id)
    if not rows:
        return None
    node = view.node(rows[0])
    relations = load_catalogue()["relations"].shaped(rows[0]["relations"])
    return {
        **node.as_dict(),
        "sources": node.sources,
        "relations": relations,
        # Records it may be one with (POSSIBLY_SAME_AS): kept apart until a curator decides.
        "possibly_same_as": [
            {"id": r["other_id"], "name": r["other"], "reason": r["detail"], "sources": r["sources"]}
            for r in relations
            if r["type"] == "POSSIBLY_SAME_AS"
        ],
    }


def entity_or_404(view: View, entity_id: str) -> dict[str, Any]:
    found = entity(view, entity_id)
    if found is None:
        raise NotFound(f"no entity with id {entity_id!r}")
    return found


def exists(view: View, entity_id: str) -> bool:
    """Whether this view may open an entity with this id."""
    return bool(view.read(f"MATCH (n:{ENTITY_LABEL} {{id: $id}}) WHERE VISIBLE(n) RETURN n.id AS id", id=entity_id))


def entity_page(view: View, type_name: str | None, text: str | None, limit: int, offset: int) -> dict[str, Any]:
    """Entities of a type, or matching a name in any spelling, a page at a time:
    {total, limit, offset, items}."""
    if type_name is not None and type_name not in view.model.nodes:
        raise UserError(f"unknown type {type_name!r}; one of {', '.join(view.model.nodes)}")
    if text:
        hits = search(view, text, limit=offset + limit + 1000)
        if type_name:
            hits = [h for h in hits if h["labels"][0] == type_name]
        return {"total": len(hits), "limit": limit, "offset": offset, "items": hits[offset : offset + limit]}
    # The label is checked against the model above; it cannot be a parameter in Cypher.
    label = type_name or ENTITY_LABEL
    total = view.read(f"MATCH (n:{label}) WHERE VISIBLE(n) RETURN count(n) AS n")[0]["n"]
    rows = view.read(
        f"MATCH (n:{label}) WHERE VISIBLE(n) RETURN n.id AS id, n.name AS name, labels(n) AS labels "
        "ORDER BY n.id SKIP $offset LIMIT $limit",
        offset=offset,
        limit=limit,
    )
    items = [{**row, "labels": view.sorted_labels(row["labels"])} for row in rows]
    return {"total": total, "limit": limit, "offset": offset, "items": items}
