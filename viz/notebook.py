"""A small Python API for notebooks.

    from .notebook import Notebook
    pg = Notebook()                                   # the configured graph (see README)
    pg.search("Mendygaziyev")                         # [{id, name, labels, score}]
    rows = pg.query("relatives-as-hostages")          # rows, as the CLI gives them
    graph = pg.network("barlyk-mendygazyev", depth=2) # a networkx MultiDiGraph, sources kept
    pg.show("barlyk-mendygazyev")                     # the network view, inline (no CDN)
    pg.close()

Everything is read as a public reader unless `public_only=False` is given.
"""

from __future__ import annotations

import contextlib
import html
from typing import Any

import networkx as nx

from ..graph.scope import View, scope_of
from ..graph.store import Graph, open_graph
from ..queries.catalogue import load_catalogue
from ..queries.search import search
from ..queries.sources import source_records
from ..queries.subgraphs import ego_subgraph
from .network import to_html
from .views import ego_view, query_view


class Notebook:
    def __init__(self, public_only: bool = True, graph: Graph | None = None) -> None:
        self._stack = contextlib.ExitStack()
        self.graph = graph or self._stack.enter_context(open_graph())
        self.scope = scope_of(public_only)

    @property
    def view(self) -> View:
        """A view of the current generation: a load made while the notebook is open is seen by
        the next call, kept answers included."""
        return self.graph.view(self.scope)

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> Notebook:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def queries(self) -> dict[str, str]:
        """Every named query and its title."""
        return {name: query.title for name, query in load_catalogue().items()}

    def search(self, text: str, limit: int = 10) -> list[dict[str, Any]]:
        return search(self.view, text, limit=limit)

    def query(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """Rows of a named query; parameters as keyword arguments (`from` as `from_`)."""
        given = {key.rstrip("_"): value for key, value in params.items()}
        return load_catalogue()[name].run(self.view, given)

    def network(self, entity_id: str, depth: int = 1, limit: int = 500) -> nx.MultiDiGraph:
        """The surroundings of an entity as a networkx graph; node and edge attributes include
        `labels`, `type`, `date` and `sources`."""
        found = ego_subgraph(self.view, entity_id, depth, limit)
        graph = nx.MultiDiGraph()
        for node in found.nodes:
            graph.add_node(node.id, labels=node.labels, **node.properties)
        for edge in found.edges:
            graph.add_edge(edge.source, edge.target, key=edge.id, type=edge.type, **edge.properties)
        return graph

    def show(self, entity_id: str | None = None, query: str | None = None, depth: int = 1, **params: Any) -> Any:
        """The network view inline (an iframe with the page in `srcdoc`, nothing fetched)."""
        from IPython.display import HTML

        if query:
            picture = query_view(self.view, load_catalogue()[query], params)
        else:
            found = ego_view(self.view, str(entity_id), depth, 500)
            if found is None:
                raise LookupError(f"no entity with id {entity_id!r}")
            picture = found
        page = to_html(picture, sources=source_records(self.view))
        return HTML(f'<iframe srcdoc="{html.escape(page)}" style="width:100%;height:600px;border:0"></iframe>')
