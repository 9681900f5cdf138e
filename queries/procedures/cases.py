"""Who shares a case with a person: the co-defendants query.

Co-defendants are found at the far end of the person's acts: the people charged under the same
article in the same case, or sentenced by the same court on the same day. In one Cypher
statement the engine expanded every act of that article or court for each call (thousands for
a busy court: p95 49.8 ms at 100k entities, 615.5 ms at 1M); tables of each such entity's acts,
read at first use, were fast at 100k (17.4 ms) and cold at 1M (868.9 ms: an article holds tens
of thousands of charges). Now every act that can make co-defendants (one of a case, or a dated
sentence) is read once per load and scope, in one table, indexed by person, by case and by
court and day (Cases): a call reads the evidence of its page's rows only. At 1M entities
(525k such acts) the table takes ~21 s to read and ~5 s to index, once (`serve` does it in its
warm-up); in a probe of 100 calls p95 went 189.9 -> 14.8 ms, p50 8.3 -> 1.3 ms.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, NamedTuple

from ...graph.model import ENTITY_LABEL
from ...graph.scope import View
from . import EDGES_BY_ANCHOR, Rows, cached, procedure

SENTENCED = "SENTENCED_BY"
# Every act that can make co-defendants (one of a case, or a sentence with its day), with its
# person's name and its far end's name, and whether that end is unnamed ("a court").
CASE_ACTS = f"""
MATCH (o:Person)-[a]->(x:{ENTITY_LABEL})
WHERE type(a) IN $act_types
  AND (a.case IS NOT NULL OR (type(a) = '{SENTENCED}' AND a.date_from IS NOT NULL)) AND VISIBLE(a)
RETURN collect([a.id, type(a), o.id, o.name, x.id, x.name, coalesce(x.unnamed, false), a.case, a.date,
                a.date_from, coalesce(a.attribution, 'stated')]) AS rows
"""
EVIDENCE = EDGES_BY_ANCHOR + "RETURN collect([e.id, e.sources]) AS rows"


class Act(NamedTuple):
    """An act that can make co-defendants: its edge, type, person, far end (an article, a
    court), case, date, first day and attribution ("stated", "inferred", "not_stated")."""

    edge: str
    type: str
    person: str
    entity: str
    case: str | None
    date: str | None
    day: str | None
    attribution: str


@dataclass(frozen=True)
class Cases:
    """Every act that can make co-defendants, as this view sees them: the acts ``of`` each
    person, those ``in_case`` of each case, and the sentences stated to be by a court ``on``
    each (court, date); the ``names`` of the people and entities at their ends, and which of
    those entities are ``unnamed`` stand-ins ("a court")."""

    of: dict[str, list[Act]]
    in_case: dict[str, list[Act]]
    on: dict[tuple[str, str | None], list[Act]]
    names: dict[str, str | None]
    unnamed: frozenset[str]


def read_cases(view: View) -> Cases:
    """The acts that can make co-defendants, indexed (kept until the next load)."""
    return cached(view, "cases", lambda: _cases(view))  # type: ignore[no-any-return]


def _cases(view: View) -> Cases:
    of: dict[str, list[Act]] = defaultdict(list)
    in_case: dict[str, list[Act]] = defaultdict(list)
    on: dict[tuple[str, str | None], list[Act]] = defaultdict(list)
    names: dict[str, str | None] = {}
    unnamed: set[str] = set()
    same: dict[Any, Any] = {}
    one = same.setdefault  # one object for each repeated text (ids, types, dates)
    rows = view.read_whole_table(CASE_ACTS, act_types=view.model.act_types())
    for edge, type_, person, person_name, entity, entity_name, no_name, case, date, day, attribution in rows:
        person, entity, case, date = one(person, person), one(entity, entity), one(case, case), one(date, date)
        if person not in names:
            names[person] = person_name
        if entity not in names:
            names[entity] = entity_name
            if no_name:
                unnamed.add(entity)
        act = Act(edge, one(type_, type_), person, entity, case, date, one(day, day), one(attribution, attribution))
        of[person].append(act)
        if case is not None:
            in_case[case].append(act)
        if type_ == SENTENCED and day is not None and attribution == "stated":
            on[(entity, date)].append(act)
    return Cases(dict(of), dict(in_case), dict(on), names, frozenset(unnamed))


class _Shared(NamedTuple):
    """One of the co-defendant's acts shared with one of the person's, in the order a row lists
    them: by the day of theirs (undated last), its type, the entity, the person's edge, theirs."""

    undated: bool
    day: str
    type: str
    entity: str
    own: str
    theirs: str


def shared_acts(cases: Cases, person: str) -> dict[str, list[tuple[_Shared, str | None, str | None]]]:
    """What each co-defendant shares with the person: the acts, their case, the words for it."""
    shared: dict[str, list[tuple[_Shared, str | None, str | None]]] = defaultdict(list)
    for own in cases.of.get(person, ()):
        theirs = cases.in_case.get(own.case, []) if own.case is not None else []
        # A sentence on the same day makes co-defendants only when the court is named and both
        # sentences are stated to be by it (two sentences by "a court" may be two courts).
        if (
            own.type == SENTENCED
            and own.day is not None
            and own.entity not in cases.unnamed
            and own.attribution == "stated"
        ):
            # those of the same case are counted once, above
            same_day = cases.on.get((own.entity, own.date), ())
            theirs = theirs + [act for act in same_day if own.case is None or act.case != own.case]
        entity_name = cases.names[own.entity]
        for their in theirs:
            if their.person == person or their.type != own.type or their.entity != own.entity:
                continue
            what = None
            if entity_name is not None:
                what = f"{own.type.lower().replace('_', ' ')} {entity_name}" + (
                    f" ({their.date})" if their.date is not None else ""
                )
            acts = _Shared(their.day is None, their.day or "", their.type, own.entity, own.edge, their.edge)
            shared[their.person].append((acts, their.case, what))
    return shared


@procedure("co_defendants")
def co_defendants(view: View, params: dict[str, Any]) -> Rows:
    """People charged in one of the person's cases, or sentenced by a court the texts name on
    the same day as the person, both sentences stated to be by it; by name, then id. Within a
    row, what they share in order of the day (undated last), act, entity and edges."""
    person = params["id"]
    cases = read_cases(view)
    shared = shared_acts(cases, person)
    names = cases.names
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
