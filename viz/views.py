"""Pictures from the graph: an entity's surroundings, or a query's results, as the caller's
view of the graph may see them (the read layer, queries/, does the reading)."""

from __future__ import annotations

from typing import Any

from ..graph.scope import View
from ..queries.catalogue import Query
from ..queries.sources import source_records
from ..queries.subgraphs import ego_subgraph, subgraph
from .network import Picture

__all__ = ["ego_view", "query_view", "snapshot_name", "source_records"]


def ego_view(view: View, entity_id: str, depth: int, limit: int) -> Picture | None:
    """The network within `depth` steps of an entity (None if it is not there or not visible)."""
    drawn = ego_subgraph(view, entity_id, depth, limit)
    center = next((n for n in drawn["nodes"] if n["id"] == entity_id), None)
    if center is None:
        return None
    steps = "1 step" if depth == 1 else f"{depth} steps"
    note = f"Everything within {steps} of {center['name'] or entity_id}"
    if len(drawn["edges"]) >= limit:
        note += f" (first {limit} links only)"
    return Picture(
        title=center["name"] or entity_id, nodes=drawn["nodes"], edges=drawn["edges"], center=entity_id, note=note
    )


def query_view(view: View, query: Query, params: dict[str, Any]) -> Picture:
    """The entities in a query's entity columns and every edge among them."""
    rows = query.run(view, params)
    ids: set[str] = set()
    for row in rows:
        for column in query.entity_columns:
            value = row.get(column)
            if isinstance(value, str):
                ids.add(value)
    drawn = subgraph(view, sorted(ids))
    given = ", ".join(f"{k}={v}" for k, v in sorted(params.items()) if v not in (None, ""))
    title = query.title + (f" ({given})" if given else "")
    return Picture(title=title, nodes=drawn["nodes"], edges=drawn["edges"], note=f"{len(rows)} rows of `{query.name}`")


def snapshot_name(picture: Picture, stem: str) -> str:
    return f"{stem}-{picture.drawn_on[:10]}.html"
