"""Relatives and associates persecuted to put pressure on someone."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ...graph.model import ENTITY_LABEL
from ...graph.scope import View
from . import Rows, act_text, procedure

# -- relatives as hostages ------------------------------------------------------------------

OWN_ROLES = ("Activist", "Journalist", "Blogger", "Politician", "HumanRightsDefender", "Exile")
TARGET_ACTS = ("DETAINED_BY", "SENTENCED_BY", "HELD_IN", "ILL_TREATED_BY", "EXTRADITION_SOUGHT_BY")
NOT_PRESSURE = ("VICTIM_OF", "EXTRADITION_SOUGHT_BY")
# Each statement reads a whole table as one record (View.read_table): tens of thousands of rows
# at 100k entities, 20 s one record each. Entities asked for by id are looked up one by one
# (UNWIND): ``n.id IN $ids`` scanned on the embedded engine (2.9 s for 13k ids against 0.4 s).
# Acts of people and organisations (a target's company, harassed "as part of the X case").
ACTS_OF_PEOPLE = f"""
MATCH (p:{ENTITY_LABEL})-[a]->(x:{ENTITY_LABEL})
WHERE type(a) IN $act_types
  AND VISIBLE(a)
RETURN collect({{person: p.id, type: type(a), pressure_on: a.pressure_on}}) AS rows
"""
FAMILY_TIES = """
MATCH (p:Person)-[tie:RELATED_TO]-(t:Person)
WHERE VISIBLE(tie)
RETURN collect({person: p.id, own_roles: [l IN labels(p) WHERE l IN $own_roles], target: t.id,
                exile: t:Exile}) AS rows
"""
ACTS_OF = f"""
UNWIND $ids AS id
MATCH (p:{ENTITY_LABEL} {{id: id}})-[a]->(x:{ENTITY_LABEL})
WHERE type(a) IN $act_types
  AND VISIBLE(a)
RETURN collect({{person: p.id, type: type(a), other_id: x.id, other: x.name, date: a.date,
                date_from: a.date_from, pressure_on: a.pressure_on, attribution: a.attribution,
                involvement: a.involvement, sources: a.sources, act_id: a.id}}) AS rows
"""
TIES_OF = """
UNWIND $ids AS id
MATCH (p:Person {id: id})-[tie:RELATED_TO|ASSOCIATE_OF]-(t:Person)
WHERE VISIBLE(tie)
RETURN collect({person: p.id, target: t.id, type: type(tie), relation: tie.relation,
                outgoing: startNode(tie) = p, sources: tie.sources, tie_id: tie.id}) AS rows
"""
NAMES_OF = f"""
UNWIND $ids AS id
MATCH (n:{ENTITY_LABEL} {{id: id}}) WHERE VISIBLE(n)
RETURN collect({{id: n.id, name: n.name}}) AS rows
"""


@procedure("relatives_as_hostages")
def relatives_as_hostages(view: View, params: dict[str, Any]) -> Rows:
    """Pairs (pressured person, target): explicit for every act whose `pressure_on` names the
    target, whatever the act; inferred where a relative without a role of their own was
    persecuted and the target is in exile or was detained, sentenced, held, ill-treated or
    sought. A few simple statements, no joins of every act with every tie, so it stays fast on
    large graphs."""
    act_types = view.model.act_types()
    acts = view.read_whole_table(ACTS_OF_PEOPLE, act_types=act_types)
    # Acts already explained by a stated pressure do not make a second, inferred, pattern.
    persecuted = {row["person"] for row in acts if row["type"] not in NOT_PRESSURE and not row["pressure_on"]}
    targeted = {row["person"] for row in acts if row["type"] in TARGET_ACTS}
    pairs: dict[tuple[str, str], bool] = {}
    for row in acts:
        if row["pressure_on"]:
            pairs[(row["person"], row["pressure_on"])] = True
    for row in view.read_whole_table(FAMILY_TIES, own_roles=list(OWN_ROLES)):
        pair = (row["person"], row["target"])
        if (
            pair not in pairs
            and not row["own_roles"]
            and row["person"] in persecuted
            and (row["exile"] or row["target"] in targeted)
        ):
            pairs[pair] = False
    if not pairs:
        return []
    people = sorted({p for p, _ in pairs} | {t for _, t in pairs})
    names = {row["id"]: row["name"] for row in view.read_whole_table(NAMES_OF, ids=people)}
    pressured_ids = sorted({p for p, _ in pairs})
    acts_by_person: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in view.read_whole_table(ACTS_OF, ids=pressured_ids, act_types=act_types):
        acts_by_person[row["person"]].append(row)
    ties: dict[tuple[str, str], dict[str, Any]] = {}
    for row in sorted(view.read_whole_table(TIES_OF, ids=pressured_ids), key=lambda r: r["tie_id"] or ""):
        ties.setdefault((row["person"], row["target"]), row)
    result = []
    for (pressured, target), explicit in pairs.items():
        if pressured not in names or target not in names:
            continue  # a restricted end, for the public
        result.append(_hostage_row(pressured, target, explicit, acts_by_person[pressured], ties, names))
    result.sort(
        key=lambda r: (
            r["basis"] != "explicit",
            r["target"],
            r["pressured"],
            r["tie"] or "",
            r["target_id"],
            r["pressured_id"],
        )
    )
    return result


def _hostage_row(
    pressured: str,
    target: str,
    explicit: bool,
    acts: list[dict[str, Any]],
    ties: dict[tuple[str, str], dict[str, Any]],
    names: dict[str, str],
) -> dict[str, Any]:
    """One pressured person and target: on an explicit row, `acts` are those the text says
    were meant to pressure the target and `other_acts` the rest; on an inferred row every act."""
    acts = sorted(acts, key=lambda a: (a["date_from"] or "9999", a["type"], a["other_id"], a["act_id"] or ""))
    if explicit:
        stated = [a for a in acts if a["pressure_on"] == target]
        others = [a for a in acts if a["pressure_on"] != target and a["type"] not in NOT_PRESSURE]
    else:
        stated, others = [a for a in acts if a["type"] not in NOT_PRESSURE], []
    tie = ties.get((pressured, target))
    return {
        "pressured_id": pressured,
        "pressured": names[pressured],
        "target_id": target,
        "target": names[target],
        "tie": _tie_text(tie, names[pressured], names[target]),
        "acts": [act_text(a) for a in stated],
        "other_acts": [act_text(a) for a in others],
        "basis": "explicit" if explicit else "inferred",
        "sources": [ref for a in stated + others for ref in a["sources"] or []] + (tie["sources"] if tie else []),
    }


def _tie_text(tie: dict[str, Any] | None, pressured: str, target: str) -> str | None:
    if tie is None:
        return None
    if tie["type"] == "ASSOCIATE_OF":
        a, b = (pressured, target) if tie["outgoing"] else (target, pressured)
        return f"{a}, associate of {b}: {tie['relation']}"
    a, b = (pressured, target) if tie["outgoing"] else (target, pressured)
    return f"{a} is the {tie['relation']} of {b}"
