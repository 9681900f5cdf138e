"""Everything an official or institution did: the official-footprint query.

An official can have thousands of acts (8,456 for the heaviest at 100k entities). In Cypher the
engine read and sorted every one of them for each page: 108-253 ms a page for that official.
Here the acts are ordered in memory, from the graph's links (network.read_links) and a table of
each act's date, involvement and attribution, both kept until the next load; the engine reads
only the page's edges, each from its end with fewer links.
"""

from __future__ import annotations

import heapq
from operator import itemgetter
from typing import Any

from ...graph.model import ENTITY_LABEL, ids_of
from ...graph.scope import View
from . import Rows, act_marks, agent_ends, cached, procedure
from .network import EDGES_CYPHER, Link, Links, anchored, read_links

POST = "HOLDS_POSITION"
# What orders a footprint, for every act and post (read once per load and scope).
FACTS_CYPHER = f"""
MATCH (:{ENTITY_LABEL})-[a]->(:{ENTITY_LABEL})
WHERE (type(a) IN $act_types OR type(a) = '{POST}') AND VISIBLE(a)
RETURN collect([a.id, coalesce(a.attribution, 'stated'), a.date_from, a.involvement]) AS rows
"""
PLACES = "UNWIND $ids AS id MATCH (n:Place {id: id}) WHERE VISIBLE(n) RETURN collect([n.id, n.name]) AS rows"
ARTICLES = "UNWIND $ids AS id MATCH (n:LegalArticle {id: id}) WHERE VISIBLE(n) RETURN collect([n.id, n.name]) AS rows"
# The date an undated act sorts as: after every dated one.
UNDATED = "9999"

Facts = dict[str, tuple[str, str | None, str | None]]


def read_facts(view: View) -> Facts:
    """Each act's and post's attribution, first day and involvement, by edge id."""
    act_types = view.model.act_types()

    def compute() -> Facts:
        rows = view.read_table(FACTS_CYPHER, act_types=act_types)
        return {edge: (attribution, date_from, involvement) for edge, attribution, date_from, involvement in rows}

    return cached(view, "footprint-facts", compute)  # type: ignore[no-any-return]


def _act_words(type_: str, involvement: str | None) -> str:
    """An act's type in words, with what a reader must know of it: "detained by", "searched by
    (authorised only)"."""
    marks = act_marks(None, involvement)
    return type_.lower().replace("_", " ") + "".join(f" ({mark})" for mark in marks)


def _done_by(links: Links, actor: str, agents: dict[str, str]) -> list[tuple[Link, str]]:
    """The acts whose agent the texts name as ``actor`` (``agents``: agent_ends), and the posts
    it holds, each with the other end's id."""
    found = []
    for link in links.of.get(actor, ()):
        source, type_, target, _ = link
        agent = agents.get(type_)
        if target == actor and agent == "to":
            found.append((link, source))
        if source == actor and (agent == "from" or type_ == POST):
            found.append((link, target))
    return found


@procedure("official_footprint")
def official_footprint(view: View, params: dict[str, Any]) -> Rows:
    """Every act the texts attribute to an entity, and for an institution to the people who
    hold a post in it, and the posts they hold: stated ones, then (with include_inferred) the
    inferred ones; by date (undated last), act, the other end, the actor, the edge id."""
    links = read_links(view)
    facts = read_facts(view)
    centre = params["id"]
    staff = sorted({link[0] for link in links.of.get(centre, ()) if link[1] == POST and link[2] == centre})
    wanted = {"stated", "inferred"} if params["include_inferred"] else {"stated"}
    agents = agent_ends(view)
    words: dict[tuple[str, str | None], str] = {}
    ordered = []
    for actor in dict.fromkeys([centre, *staff]):
        for link, other in _done_by(links, actor, agents):
            attribution, date_from, involvement = facts.get(link[3], ("", None, None))
            if attribution in wanted:
                act = words.get((link[1], involvement))
                if act is None:
                    act = words[(link[1], involvement)] = _act_words(link[1], involvement)
                key = (attribution == "inferred", date_from or UNDATED, act, other, actor, link[3])
                ordered.append((key, link, actor, act))
    end = params["offset"] + params["limit"]
    # Only the rows up to the page's end are put in order (a page of 100 of 8,456 acts).
    first = (
        heapq.nsmallest(end, ordered, key=itemgetter(0)) if end < len(ordered) else sorted(ordered, key=itemgetter(0))
    )
    page = first[params["offset"] : end]
    if not page:
        return []
    rows = view.read_plain_table(EDGES_CYPHER, steps=[anchored(links, link) for _, link, _, _ in page])
    by_id = {row["properties"]["id"]: row for row in rows}
    read = [(by_id[link[3]], actor, act) for _, link, actor, act in page if link[3] in by_id]
    places = dict(
        view.read_table(PLACES, ids=sorted({p for row, _, _ in read if (p := row["properties"].get("place"))}))
    )
    cited = {a for row, _, _ in read for a in ids_of(row["properties"].get("article"))}
    articles = dict(view.read_table(ARTICLES, ids=sorted(cited)))
    return [_row(row, actor, act, places, articles) for row, actor, act in read]


def _row(row: dict[str, Any], actor: str, act: str, places: dict[str, str], articles: dict[str, str]) -> dict[str, Any]:
    """A page's row: the act as words, its actor, the other end, date, place, articles, what
    was decided or done (a sentence and its term, or the kind, role or description)."""
    edge = row["properties"]
    outgoing = row["source"] == actor
    sentence = edge.get("sentence_type")
    if sentence is not None:
        detail = sentence.replace("_", " ") + (" " + edge["term"] if edge.get("term") is not None else "")
    else:
        detail = next((edge[key] for key in ("kind", "role", "description") if edge.get(key) is not None), None)
    attribution = edge.get("attribution")
    if attribution == "inferred":
        note = edge.get("attribution_note")
        attribution = "inferred: " + (note if note is not None else "no note")
    return {
        "act": act,
        "actor_id": actor,
        "actor": row["source_name"] if outgoing else row["target_name"],
        "subject_id": row["target"] if outgoing else row["source"],
        "subject": row["target_name"] if outgoing else row["source_name"],
        "date": edge.get("date"),
        "place": places.get(edge.get("place")),  # type: ignore[arg-type]
        "articles": [articles[a] for a in ids_of(edge.get("article")) if a in articles],
        "detail": detail,
        "attribution": attribution,
        "sources": edge.get("sources"),
    }
