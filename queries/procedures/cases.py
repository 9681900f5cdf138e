"""Who shares a case with a person: the co-defendants query.

Co-defendants are found at the far end of the person's acts: the people charged under the same
article in the same case, or sentenced by the same court on the same day. In one Cypher
statement the engine expanded every act of that article or court for each call (thousands for
a busy court: p95 49.8 ms at 100k entities, 615.5 ms at 1M). Here each such entity's acts that
can make co-defendants (a case, or a dated sentence) are read once, as a small table, and kept
(``CASE_TABLES_KEPT`` entities, the least recently used let go) until the next load; the
engine reads the person's own acts and the evidence of the page's rows only.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, NamedTuple

from ...graph.model import ENTITY_LABEL
from ...graph.scope import View
from . import EDGES_BY_ANCHOR, Rows, procedure
from .network import kept_or_read

SENTENCED = "SENTENCED_BY"
# An act that can make co-defendants: one of a case, or a sentence with its day.
_SHARED = f"(a.case IS NOT NULL OR (type(a) = '{SENTENCED}' AND a.date_from IS NOT NULL)) AND VISIBLE(a)"
OWN_ACTS = f"""
MATCH (p:Person {{id: $id}})
WHERE VISIBLE(p)
WITH p
MATCH (p)-[a]->(x:{ENTITY_LABEL})
WHERE type(a) IN $act_types AND {_SHARED}
RETURN collect([a.id, type(a), x.id, x.name, coalesce(x.unnamed, false), a.case, a.date, a.date_from,
                coalesce(a.attribution, 'stated')]) AS rows
"""
# Every act that can make co-defendants of people at these entities (a table per entity).
TABLES = f"""
UNWIND $ids AS id
MATCH (x:{ENTITY_LABEL} {{id: id}})
WITH x
MATCH (x)<-[a]-(o:Person)
WHERE type(a) IN $act_types AND {_SHARED}
RETURN collect([x.id, a.id, type(a), o.id, o.name, a.case, a.date, a.date_from,
                coalesce(a.attribution, 'stated')]) AS rows
"""
EVIDENCE = EDGES_BY_ANCHOR + "RETURN collect([e.id, e.sources]) AS rows"
# Entities whose table is kept (a court with thousands of sentences is one).
CASE_TABLES_KEPT = 5_000

# (edge id, type, person id, person name, case, date, first day, attribution)
Act = tuple[str, str, str, str | None, str | None, str | None, str | None, str]


class _Shared(NamedTuple):
    """One of the co-defendant's acts shared with one of the person's, in the order a row lists
    them: by the day of theirs (undated last), its type, the entity, the person's edge, theirs."""

    undated: bool
    day: str
    type: str
    entity: str
    own: str
    theirs: str


def case_tables(view: View, ids: list[str]) -> dict[str, list[Act]]:
    """Each entity's acts that can make co-defendants, by entity id (kept until the next load)."""

    def read(missing: list[str]) -> dict[str, list[Act]]:
        tables: dict[str, list[Act]] = {entity: [] for entity in missing}
        for entity, *act in view.read_plain_table(TABLES, ids=missing, act_types=view.model.act_types()):
            tables[entity].append(tuple(act))  # type: ignore[arg-type]
        return tables

    return kept_or_read(view, "case-tables", ids, read, CASE_TABLES_KEPT)


@procedure("co_defendants")
def co_defendants(view: View, params: dict[str, Any]) -> Rows:
    """People charged in one of the person's cases, or sentenced by a court the texts name on
    the same day as the person, both sentences stated to be by it; by name, then id. Within a
    row, what they share in order of the day (undated last), act, entity and edges."""
    person = params["id"]
    own = view.read_plain_table(OWN_ACTS, id=person, act_types=view.model.act_types())
    tables = case_tables(view, sorted({row[2] for row in own}))
    # What each co-defendant shares with the person: the acts, their case, the words for it.
    shared: dict[str, list[tuple[_Shared, str | None, str | None]]] = defaultdict(list)
    names: dict[str, str | None] = {}
    for own_id, type_, entity, entity_name, unnamed, case, date, day, attribution in own:
        # A sentence on the same day makes co-defendants only when the court is named and both
        # sentences are stated to be by it (two sentences by "a court" may be two courts).
        by_day = type_ == SENTENCED and day is not None and not unnamed and attribution == "stated"
        for their_id, their_type, other, other_name, their_case, their_date, their_day, their_attribution in tables[
            entity
        ]:
            if other == person or their_type != type_:
                continue
            if not (
                (case is not None and case == their_case)
                or (by_day and date == their_date and their_attribution == "stated")
            ):
                continue
            names[other] = other_name
            what = None
            if entity_name is not None:
                what = f"{type_.lower().replace('_', ' ')} {entity_name}" + (
                    f" ({their_date})" if their_date is not None else ""
                )
            acts = _Shared(their_day is None, their_day or "", their_type, entity, own_id, their_id)
            shared[other].append((acts, their_case, what))
    ordered = sorted(shared, key=lambda other: (names[other] is None, names[other] or "", other))
    page = ordered[params["offset"] : params["offset"] + params["limit"]]
    if not page:
        return []
    pairs = {other: sorted(shared[other], key=lambda pair: pair[0]) for other in page}
    # Each edge read from its person's end (a person has few edges; the court may have thousands).
    steps = {
        edge: {"anchor": anchor, "other": acts.entity, "edge": edge}
        for other in page
        for acts, _, _ in pairs[other]
        for anchor, edge in ((person, acts.own), (other, acts.theirs))
    }
    evidence = dict(view.read_plain_table(EVIDENCE, steps=list(steps.values())))
    rows = []
    for other in page:
        found = pairs[other]
        rows.append(
            {
                "co_defendant_id": other,
                "co_defendant": names[other],
                "cases": list(dict.fromkeys(case for _, case, _ in found if case is not None)),
                "shared": list(dict.fromkeys(what for _, _, what in found if what is not None)),
                "sources": [evidence.get(acts.own) for acts, _, _ in found]
                + [evidence.get(acts.theirs) for acts, _, _ in found],
            }
        )
    return rows
