"""Building views from the graph: an entity's surroundings or a query's results."""

from __future__ import annotations

import json
from typing import Any

from persecution_graph.graph.store import Graph
from persecution_graph.queries.catalogue import Query
from persecution_graph.queries.procedures import ego_subgraph, subgraph

from .network import View


def source_records(graph: Graph, public_only: bool = False) -> dict[str, dict[str, Any]]:
    """Every Source by id (a public reader's: none marked restricted), for the list of sources
    printed under a view and for the source pages."""
    rows = graph.read(
        "MATCH (s:Source) WHERE NOT $public OR s.sensitivity <> 'restricted' "
        "RETURN s.id AS id, s.title AS title, s.publisher AS publisher, "
        "s.date AS date, s.url AS url, s.name AS name, s.file AS file, s.note AS note",
        public=public_only,
    )
    return {row["id"]: row for row in rows}


def ego_view(graph: Graph, entity_id: str, depth: int, limit: int, public_only: bool) -> View | None:
    """The network within `depth` steps of an entity (None if it is not there or not visible)."""
    drawn = ego_subgraph(graph, entity_id, depth, limit, public_only)
    center = next((n for n in drawn["nodes"] if n["id"] == entity_id), None)
    if center is None:
        return None
    steps = "1 step" if depth == 1 else f"{depth} steps"
    note = f"Everything within {steps} of {center['name'] or entity_id}"
    if len(drawn["edges"]) >= limit:
        note += f" (first {limit} links only)"
    return View(
        title=center["name"] or entity_id, nodes=drawn["nodes"], edges=drawn["edges"], center=entity_id, note=note
    )


def query_view(graph: Graph, query: Query, params: dict[str, Any], public_only: bool) -> View:
    """The entities in a query's entity columns and every edge among them."""
    rows = query.run(graph, params, public_only=public_only)
    ids: set[str] = set()
    for row in rows:
        for column in query.entity_columns:
            value = row.get(column)
            if isinstance(value, str):
                ids.add(value)
    drawn = subgraph(graph, sorted(ids), public_only)
    given = ", ".join(f"{k}={v}" for k, v in sorted(params.items()) if v not in (None, ""))
    title = query.title + (f" ({given})" if given else "")
    return View(title=title, nodes=drawn["nodes"], edges=drawn["edges"], note=f"{len(rows)} rows of `{query.name}`")


def snapshot_name(view: View, stem: str) -> str:
    return f"{stem}-{view.drawn_on[:10]}.html"


def view_json(view: View) -> str:
    return json.dumps({"title": view.title, "nodes": view.nodes, "edges": view.edges}, ensure_ascii=False)
