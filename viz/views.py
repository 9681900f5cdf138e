"""Pictures from the graph: an entity's surroundings as the reader composed them, or a page of a
query's results, as the caller's view of the graph may see them (the read layer, queries/, does
the reading; viz/explore.py the composing)."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote, urlsplit

from ..graph.errors import GraphError
from ..graph.scope import View
from ..graph.settings import PREFIX
from ..queries.catalogue import Query
from ..queries.sources import source_records
from ..queries.subgraphs import subgraph
from .explore import DEFAULT_LIMIT, ViewState, compose
from .picture import Picture, drawn_edge, drawn_node

__all__ = ["ego_view", "public_url", "query_view", "snapshot_name", "source_records"]

PUBLIC_URL = PREFIX + "PUBLIC_URL"


def ego_view(
    view: View, entity_id: str, depth: int = 1, limit: int = DEFAULT_LIMIT, state: ViewState | None = None
) -> Picture | None:
    """The network around an entity as `state` composes it (by default everything within
    `depth` steps, at most `limit` links, crowds grouped); None if it is not there or not
    visible."""
    return compose(view, entity_id, state or ViewState(depth=depth, limit=limit))


def query_view(view: View, query: Query, params: dict[str, Any]) -> Picture:
    """The entities in a query's entity columns (of the rows `params` ask for: a page of them
    from the web) and every edge among them."""
    rows = query.run(view, params)
    ids: set[str] = set()
    for row in rows:
        for column in query.entity_columns:
            value = row.get(column)
            if isinstance(value, str):
                ids.add(value)
    drawn = subgraph(view, sorted(ids))
    shown = {k: v for k, v in sorted(params.items()) if v not in (None, "") and k not in ("limit", "offset")}
    given = ", ".join(f"{k}={v}" for k, v in shown.items())
    title = query.title + (f" ({given})" if given else "")
    first = int(params.get("offset") or 0) + 1
    rows_said = f"rows {first}-{first + len(rows) - 1}" if rows else "no rows"
    if "limit" in params and len(rows) >= int(params["limit"]):
        rows_said += " (one page; the next page draws the next rows)"
    note = f"The entities named in {rows_said} of {query.title!r} and every link among them."
    nodes = [drawn_node(node, view.model) for node in drawn.nodes]
    return Picture(title=title, nodes=nodes, edges=[drawn_edge(edge) for edge in drawn.edges], note=note)


def snapshot_name(picture: Picture, stem: str) -> str:
    return f"{stem}-{picture.drawn_on[:10]}.html"


def public_url(request_base: str) -> str:
    """The address readers reach this server at, ending in "/": PERSECUTION_GRAPH_PUBLIC_URL
    if set (behind a proxy or on a public name), else the address the request came to."""
    configured = os.environ.get(PUBLIC_URL, "").strip()
    if not configured:
        return request_base if request_base.endswith("/") else request_base + "/"
    parts = urlsplit(configured)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise GraphError(f"{PUBLIC_URL}={configured!r} is not an http(s) address such as https://graph.example.org/")
    return configured.rstrip("/") + "/"


def embed_address(base: str, entity_id: str) -> str:
    """The public address of an entity's network view (the state is added by the page)."""
    return f"{base}views/network/{quote(entity_id, safe='')}"
