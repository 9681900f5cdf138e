"""What a reader may see: a scope, and the view of the graph through it.

Every read of the graph's records goes through a :class:`View` of one :class:`Scope`: the read
layer (queries/) takes a view, and the front doors (api/, viz/) hand each caller the view its
key allows, never the graph itself. So no read can forget the public/restricted rule.

The rule is written twice, both times here or beside here: the writer sets ``public`` on every
record (graph/writer.py: a node is public unless restricted; a relationship is public unless it
is restricted or one of its ends is not public), and a statement read through a view says which
of its variables it shows with ``VISIBLE(x, y, ...)``, which the view expands once, below: in the
public scope to ``(x.public AND y.public)``, in the full scope to ``true``. Because a public
relationship has public ends, ``VISIBLE(r)`` covers a relationship and both its nodes.
"""

from __future__ import annotations

import enum
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .encoding import decode
from .errors import GraphError
from .model import ENTITY_LABEL

if TYPE_CHECKING:
    from .model import Model
    from .store import Graph

MARKER = re.compile(r"VISIBLE\(([^()]*)\)")
VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Scope(enum.Enum):
    """Who reads: the public (no restricted record), or a key holder (every record)."""

    PUBLIC = "public"
    FULL = "full"


class ScopeError(GraphError):
    """A statement read through a view that does not say what it shows (a developer's mistake)."""


def expand(statement: str, scope: Scope) -> str:
    """The statement with each ``VISIBLE(x, ...)`` written out for the scope; a statement
    without one is refused, so no read can leave the rule out."""
    if not MARKER.search(statement):
        raise ScopeError(f"a statement read through a view must say what it shows with VISIBLE(...): {statement!r}")
    return MARKER.sub(lambda found: _condition(found.group(1), scope), statement)


def _condition(variables: str, scope: Scope) -> str:
    names = [name.strip() for name in variables.split(",") if name.strip()]
    if not names or not all(VARIABLE.match(name) for name in names):
        raise ScopeError(f"VISIBLE takes variable names, not {variables!r}")
    if scope is Scope.FULL:
        return "true"
    return "(" + " AND ".join(f"{name}.public" for name in names) + ")"


@dataclass(frozen=True)
class View:
    """The graph as one scope may see it: the only way to read its records."""

    graph: Graph
    scope: Scope

    @property
    def public(self) -> bool:
        return self.scope is Scope.PUBLIC

    @property
    def model(self) -> Model:
        return self.graph.model

    @property
    def engine(self) -> str:
        return self.graph.engine

    def read(self, statement: str, **params: Any) -> list[dict[str, Any]]:
        """Rows of a parameterised statement that marks what it shows with VISIBLE(...)."""
        return self.graph._read(expand(statement, self.scope), scope=self.scope, **params)

    def sorted_labels(self, labels: list[str]) -> list[str]:
        return self.graph.sorted_labels(labels)

    def version(self) -> str | None:
        return self.graph.version()

    def hides_records(self) -> bool:
        """Whether this view leaves records out (the public scope, on a graph with restricted
        records; a graph loaded before loads said so may, too). Never how many."""
        return self.public and self.graph.holds_restricted() is not False

    # -- the whole graph, as this scope sees it ---------------------------------------------

    def count(self) -> int:
        """How many entities this scope may open."""
        return int(self.read(f"MATCH (n:{ENTITY_LABEL}) WHERE VISIBLE(n) RETURN count(n) AS n")[0]["n"])

    def count_by_type(self) -> dict[str, int]:
        """Entities per node type of the model (every type, zero where there is none)."""
        rows = self.read(f"MATCH (n:{ENTITY_LABEL}) WHERE VISIBLE(n) RETURN labels(n) AS labels, count(n) AS n")
        counts: Counter[str] = Counter()
        for row in rows:
            for label in row["labels"]:
                if label in self.model.nodes:
                    counts[label] += row["n"]
        return {name: counts[name] for name in self.model.nodes}

    def dump(self) -> dict[str, list[dict[str, Any]]]:
        """Every node and edge this scope may see, with its properties exactly as stored."""
        nodes = self.read(
            f"MATCH (n:{ENTITY_LABEL}) WHERE VISIBLE(n) "
            "RETURN n.id AS id, labels(n) AS labels, properties(n) AS properties ORDER BY id"
        )
        edges = self.read(
            f"MATCH (a:{ENTITY_LABEL})-[e]->(b:{ENTITY_LABEL}) WHERE VISIBLE(e) "
            "RETURN type(e) AS type, a.id AS source, b.id AS target, properties(e) AS properties "
            "ORDER BY type, source, target, properties.id"
        )
        for node in nodes:
            node["labels"] = self.sorted_labels(node["labels"])
        return {"nodes": nodes, "edges": edges}

    def export(self) -> dict[str, list[dict[str, Any]]]:
        """Every node and edge this scope may see, sorted, evidence decoded, derived values out."""
        dump = self.dump()
        for record in dump["nodes"] + dump["edges"]:
            record["properties"] = decode(record["properties"])
        return dump

    def stats(self) -> dict[str, Any]:
        """Counts per node type, edge type and source, and the share of records with a locator
        (the model's own nodes, which state nothing, need none)."""
        nodes = self.read(
            f"MATCH (n:{ENTITY_LABEL}) WHERE VISIBLE(n) "
            "RETURN labels(n) AS labels, n.id AS id, n.source_ids AS sources, n.sources AS refs"
        )
        edges = self.read(
            f"MATCH (:{ENTITY_LABEL})-[e]->(:{ENTITY_LABEL}) WHERE VISIBLE(e) "
            "RETURN type(e) AS type, e.source_ids AS sources, e.sources AS refs"
        )
        node_counts: Counter[str] = Counter()
        for row in nodes:
            node_counts.update(label for label in row["labels"] if label != ENTITY_LABEL)
        source_counts: Counter[str] = Counter()
        located = 0
        for row in nodes + edges:
            source_counts.update(row["sources"] or [])
            located += bool(row["refs"])
        total = len(nodes) + len(edges)
        builtin = {props["id"] for _, props in self.model.builtin_nodes}
        sourced = total - sum(1 for row in nodes if row["id"] in builtin and not row["refs"])
        return {
            "nodes": dict(sorted(node_counts.items())),
            "edges": dict(sorted(Counter(row["type"] for row in edges).items())),
            "sources": dict(sorted(source_counts.items())),
            "records": total,
            "located_share": located / sourced if sourced else 0.0,
        }


def scope_of(public: bool) -> Scope:
    return Scope.PUBLIC if public else Scope.FULL


__all__ = ["Scope", "ScopeError", "View", "expand", "scope_of"]
