"""Named queries that need more than one statement, or share theirs with another reader (an
entity's page reads the rows of `relations`), registered by name (``PROCEDURES``): each
takes the view of the graph its caller may see and the query's bound parameters, and returns
rows like any named query (catalogue/*.yaml declares their columns). One module per job:
cases (who shares a case with a person), custody (who is in custody on a date), footprint
(what an official did), network (the ego network), hostages (relatives and associates as
hostages), paths (the shortest chain of facts), analytics (network measures), tallies (who
recurs across cases, articles by use), relations (everything directly connected to an entity).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...graph.model import ENTITY_LABEL
from ...graph.scope import View
from ..cache import KEPT

Rows = list[dict[str, Any]]
Procedure = Callable[[View, dict[str, Any]], Rows]
PROCEDURES: dict[str, Procedure] = {}
# The kind label of the model's perpetrator-not-stated (graph/model.yaml, builtin_nodes): no one.
NOT_STATED = "NotStated"
# Edges asked for by id (rows of $steps: {anchor, other, edge}), each found from the end given
# as its anchor, the one with fewer edges: expanding from a court with thousands of acts to find
# one edge took 8-10 ms at 100k entities. A statement adds what it returns of `x`, `e`, `y`.
EDGES_BY_ANCHOR = f"""
UNWIND $steps AS step
MATCH (x:{ENTITY_LABEL} {{id: step.anchor}})
WITH x, step
MATCH (x)-[e]-(y:{ENTITY_LABEL})
WHERE e.id = step.edge AND y.id = step.other AND VISIBLE(e)
"""


def agent_ends(view: View) -> dict[str, str]:
    """Each act type whose records name an agent, with the end that names it (`agent:` in
    graph/model.yaml): "to", its target (detained by ...), or "from", its source (the official
    who signed an explanation)."""
    return {name: edge.agent for name, edge in view.model.edges.items() if edge.category == "act" and edge.agent}


def procedure(name: str) -> Callable[[Procedure], Procedure]:
    """Register a procedure under the name a catalogue entry gives in `procedure:`."""

    def register(function: Procedure) -> Procedure:
        PROCEDURES[name] = function
        return function

    return register


def cached(view: View, what: str, compute: Callable[[], Any]) -> Any:
    """A result derived from the whole graph as this view sees it, kept until the next load
    (queries/cache.py): kept under the view's generation."""
    return KEPT.get(view, (what, view.scope.value), compute)


# Every place's or article's name, by id: what rows show in place of the ids an act cites.
NAMES_CYPHER = {
    "Place": "MATCH (n:Place) WHERE VISIBLE(n) RETURN collect([n.id, n.name]) AS rows",
    "LegalArticle": "MATCH (n:LegalArticle) WHERE VISIBLE(n) RETURN collect([n.id, n.name]) AS rows",
}


def names_of(view: View, label: str) -> dict[str, str]:
    """The name of every place or article (``label``) this view sees, by id (kept until the
    next load)."""
    return cached(view, f"names-{label}", lambda: dict(view.read_whole_table(NAMES_CYPHER[label])))  # type: ignore[no-any-return]


def holds(view: View, what: str) -> bool:
    """Whether ``cached`` already keeps ``what`` for this view."""
    return KEPT.holds(view, (what, view.scope.value))


def act_marks(attribution: str | None, involvement: str | None) -> list[str]:
    """What a reader must know about an act besides its type: not carried out, agent inferred."""
    marks = [f"{involvement} only"] if involvement not in (None, "carried_out") else []
    return marks + (["agent inferred"] if attribution == "inferred" else [])


def edge_detail(properties: dict[str, Any]) -> str | None:
    """What a picture writes on an edge: its relation, role or kind, the sentence ("imprisonment
    5 years"), category or reason, the first the edge has, and what a reader must know of an act
    ("authorised only", "agent inferred")."""
    sentence_type = str(properties.get("sentence_type") or "").replace("_", " ")
    sentence = " ".join(str(part) for part in (sentence_type, properties.get("term")) if part)
    told = [properties.get(key) for key in ("relation", "role", "kind")] + [sentence]
    told += [properties.get(key) for key in ("category", "reason")]
    found = next((value for value in told if value), None)
    return marked(str(found) if found else None, properties)


def act_text(act: dict[str, Any]) -> str:
    """One act as a line: "detained by X (date)", "searched by X (authorised only)",
    "detained, perpetrator not stated (date)": an act whose text names no agent names none."""
    verb = act["type"].lower().replace("_", " ")
    if act.get("attribution") == "not_stated":
        words = verb.removesuffix(" by") + (", perpetrator not stated" if verb.endswith(" by") else ", not stated")
    else:
        words = f"{verb} {act['other']}"
    marks = act_marks(act.get("attribution"), act.get("involvement")) + ([act["date"]] if act.get("date") else [])
    return words + "".join(f" ({mark})" for mark in marks)


def marked(detail: str | None, edge: dict[str, Any]) -> str | None:
    """An edge's detail with what a reader must know of an act ("authorised only")."""
    parts = ([detail] if detail else []) + act_marks(edge.get("attribution"), edge.get("involvement"))
    return "; ".join(parts) or None


def load_all() -> dict[str, Procedure]:
    """Every procedure, registered (importing the modules registers them)."""
    from . import analytics, cases, custody, footprint, hostages, network, paths, relations, tallies  # noqa: F401

    return PROCEDURES
