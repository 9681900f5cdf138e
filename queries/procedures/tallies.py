"""Whole-graph tallies, read as one table each and counted here: the officials and institutions
that recur across people's cases (shared-officials) and the articles people are charged under
(charges-by-article).

In Cypher each sorted every act before collecting them (``ORDER BY`` over 180k acts: 4.7 of
shared-officials' 9 s on the embedded engine at 100k entities); sorting each actor's or
article's few acts here costs a fraction of a second.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ...graph.model import ENTITY_LABEL, ids_of
from ...graph.scope import View
from . import Rows, agent_ends, procedure
from .network import read_entities

# The acts against a person and who the text says did them, one statement for each end an act
# may name its agent at (`agent:` in graph/model.yaml): its target (detained by, sentenced by
# ...) or its source (the official who signed an explanation). Unnamed stand-ins ("the police")
# are left out. Names and labels come from the entity table (network.read_entities): reading
# them with each of 180k acts took a third of the statement's time.
ACTS_OF_AGENTS_AT_END = f"""
MATCH (v:Person)-[a]->(o:{ENTITY_LABEL})
WHERE type(a) IN $act_types AND (o:Organization OR o:Person) AND coalesce(o.unnamed, false) = false
  AND VISIBLE(a)
RETURN collect([o.id, coalesce(a.attribution, 'stated'), v.id, a.date_from, a.id, a.sources]) AS rows
"""
ACTS_OF_AGENTS_AT_START = f"""
MATCH (o:{ENTITY_LABEL})-[a]->(v:Person)
WHERE type(a) IN $act_types AND (o:Organization OR o:Person) AND coalesce(o.unnamed, false) = false
  AND VISIBLE(a)
RETURN collect([o.id, coalesce(a.attribution, 'stated'), v.id, a.date_from, a.id, a.sources]) AS rows
"""
# Charges under an article, and sentences, prosecutions and investigations that name theirs.
CHARGES = """
MATCH (p:Person)-[a:CHARGED_UNDER]->(l:LegalArticle)
WHERE VISIBLE(a)
RETURN collect([[l.id], p.id, p.name, a.date_from, a.id, a.sources]) AS rows
"""
BASED_ON = f"""
MATCH (p:Person)-[a]->(:{ENTITY_LABEL})
WHERE type(a) IN ['SENTENCED_BY', 'PROSECUTED_BY', 'INVESTIGATED_BY'] AND a.article IS NOT NULL
  AND VISIBLE(a)
RETURN collect([a.article, p.id, p.name, a.date_from, a.id, a.sources]) AS rows
"""
ARTICLES = "MATCH (l:LegalArticle) WHERE VISIBLE(l) RETURN collect([l.id, l.name, l.title]) AS rows"


def _in_order(acts: list[list[Any]]) -> list[list[Any]]:
    """Acts as rows [person id, person name, date_from, act id, sources], by the person's name
    and id, then date and act id (a missing value last, as Cypher's ORDER BY puts it)."""
    return sorted(acts, key=lambda act: [(value is None, value or "") for value in (act[1], act[0], act[2], act[3])])


def _people(acts: list[list[Any]]) -> tuple[int, list[str], list[Any]]:
    """The number of different people among ordered acts, their names (each once, in order),
    and the acts' sources."""
    names = list(dict.fromkeys(act[1] for act in acts if act[1] is not None))
    return len({act[0] for act in acts}), names, [act[4] for act in acts if act[4] is not None]


@procedure("shared_officials")
def shared_officials(view: View, params: dict[str, Any]) -> Rows:
    """Officials and institutions named as the agent of acts against at least `min_victims`
    people; stated acts, and with `include_inferred` those attributed by inference in a row of
    their own after every stated row."""
    statements = {"to": ACTS_OF_AGENTS_AT_END, "from": ACTS_OF_AGENTS_AT_START}
    wanted = {"stated", "inferred"} if params["include_inferred"] else {"stated"}
    entities = {row["id"]: row for row in read_entities(view)}
    # An id missing from the table was written by a load that ended during this read: the
    # answer is then computed again in the new generation (View.in_one_generation).
    unknown: dict[str, Any] = {"name": None, "labels": []}
    acts: dict[tuple[str, str], list[list[Any]]] = defaultdict(list)
    ends = agent_ends(view)
    for end, statement in statements.items():
        act_types = sorted(name for name, at in ends.items() if at == end)
        table = view.read_whole_table(statement, act_types=act_types)
        for actor, attribution, person, date_from, act, sources in table:
            if attribution in wanted:
                acts[(actor, attribution)].append(
                    [person, entities.get(person, unknown)["name"], date_from, act, sources]
                )
    model_labels = view.model.all_labels() - {ENTITY_LABEL, "Organization", "Person"}
    rows = []
    for (actor, attribution), of_actor in acts.items():
        ordered = _in_order(of_actor)
        victims, names, sources = _people(ordered)
        if victims < params["min_victims"]:
            continue
        rows.append(
            {
                "actor_id": actor,
                "actor": entities.get(actor, unknown)["name"],
                "kind": sorted(label for label in entities.get(actor, unknown)["labels"] if label in model_labels),
                "victims": victims,
                "acts": len(ordered),
                "names": names,
                "attribution": attribution,
                "sources": sources,
            }
        )
    rows.sort(key=lambda row: (row["attribution"] == "inferred", -row["victims"], -row["acts"], row["actor_id"]))
    return rows


@procedure("charges_by_article")
def charges_by_article(view: View, params: dict[str, Any]) -> Rows:
    """Each article with the people charged under it or investigated, prosecuted or sentenced on
    its basis (an article the view does not see is not counted), most used first."""
    articles = {row[0]: row for row in view.read_whole_table(ARTICLES)}
    acts: dict[str, list[list[Any]]] = defaultdict(list)
    for statement in (CHARGES, BASED_ON):
        for cited, person, name, date_from, act, sources in view.read_whole_table(statement):
            for article in dict.fromkeys(ids_of(cited)):
                if article in articles:
                    acts[article].append([person, name, date_from, act, sources])
    rows = []
    for article, of_article in acts.items():
        persons, names, sources = _people(_in_order(of_article))
        _, article_name, title = articles[article]
        row = {"article_id": article, "article": article_name, "title": title, "persons": persons}
        rows.append({**row, "names": names, "sources": sources})
    rows.sort(key=lambda row: (-row["persons"], row["article_id"]))
    return rows
