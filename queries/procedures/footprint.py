"""Everything an official or institution did: the official-footprint query.

An official can have thousands of acts (8,456 for the heaviest at 100k entities, tens of
thousands at 1M). In Cypher the engine read and sorted every one of them for each page: 108-253
ms a page for that official. Then each call put the official's acts in order in Python. Now
every entity's acts are put in order once per load and scope, in arrays (Footprints), from the
graph's links (network.read_links) and a table of each act's date, involvement and
attribution: a page is a slice of them (0.2-1 ms at 1M), and the engine reads only the page's
edges, each from its end with fewer links.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...graph.model import ENTITY_LABEL, ids_of
from ...graph.scope import View
from . import Rows, act_marks, agent_ends, cached, names_of, procedure
from .network import EDGES_CYPHER, Link, anchored, read_links, read_order

POST = "HOLDS_POSITION"
# What orders a footprint, for every act and post (read once per load and scope).
FACTS_CYPHER = f"""
MATCH (:{ENTITY_LABEL})-[a]->(:{ENTITY_LABEL})
WHERE (type(a) IN $act_types OR type(a) = '{POST}') AND VISIBLE(a)
RETURN collect([a.id, coalesce(a.attribution, 'stated'), a.date_from, a.involvement]) AS rows
"""
# The date an undated act sorts as: after every dated one.
UNDATED = "9999"
SHOWN = ("stated", "inferred")  # the attributions a footprint lists (never "not stated")
Entry = tuple[Link, str, str]  # an act's or post's link, its actor's id, the act in words


@dataclass(frozen=True)
class Footprints:
    """Every act the texts attribute to an entity and every post it holds: its entries, in the
    order a footprint lists them (stated before inferred, then by date, undated last, the act
    in words, the other end's id, the actor's id, the edge's id). An entity's entries are
    ``spans[id]`` = (first, first inferred, end) in the arrays: ``places`` (of the edge in
    Links.every), ``actors`` and ``others`` (network.Order), ``acts`` (in ``words``), ``rank``
    (the place in the order of every entity's entries, to merge an institution's staff), and
    ``staff``: who holds a post in each institution, sorted."""

    spans: dict[str, tuple[int, int, int]]
    places: np.ndarray
    actors: np.ndarray
    others: np.ndarray
    acts: np.ndarray
    rank: np.ndarray
    words: list[str]
    staff: dict[str, list[str]]


def read_footprints(view: View) -> Footprints:
    """Every entity's acts and posts in order (kept until the next load)."""
    return cached(view, "footprints", lambda: _footprints(view))  # type: ignore[no-any-return]


def _footprints(view: View) -> Footprints:
    links, order = read_links(view), read_order(view)
    facts = {
        edge: (attribution, date_from, involvement)
        for edge, attribution, date_from, involvement in view.read_whole_table(
            FACTS_CYPHER, act_types=view.model.act_types()
        )
    }
    agents = agent_ends(view)
    index = order.index
    words: dict[tuple[str, str | None], str] = {}
    # an entry each: actor, other end, inferred, date, act in words, place of the edge
    entries: list[tuple[int, int, bool, str, str, int]] = []
    staff: dict[str, set[str]] = defaultdict(set)
    for place, (source, type_, target, edge) in enumerate(links.every):
        agent = agents.get(type_)
        if agent is None and type_ != POST:
            continue
        if type_ == POST:
            staff[target].add(source)
        attribution, date_from, involvement = facts.get(edge, ("", None, None))
        if attribution not in SHOWN:
            continue
        act = words.get((type_, involvement))
        if act is None:
            act = words[(type_, involvement)] = _act_words(type_, involvement)
        by_inference, day = attribution == "inferred", date_from or UNDATED
        if agent == "to":
            entries.append((index[target], index[source], by_inference, day, act, place))
        if agent == "from" or type_ == POST:
            entries.append((index[source], index[target], by_inference, day, act, place))
    del facts
    count = len(entries)
    columns: list[tuple[Any, ...]] = list(zip(*entries, strict=True)) if entries else [()] * 6
    del entries
    actors: np.ndarray = np.array(columns[0], dtype=np.int32)
    others: np.ndarray = np.array(columns[1], dtype=np.int32)
    inferred: np.ndarray = np.array(columns[2], dtype=np.bool_)
    places: np.ndarray = np.array(columns[5], dtype=np.int64)
    days, _ = _codes(columns[3])
    acts, act_words = _codes(columns[4])
    del columns
    listed = np.lexsort((order.edge_rank[places], actors, others, acts, days, inferred))
    rank: np.ndarray = np.empty(count, dtype=np.int64)
    rank[listed] = np.arange(count)
    by_actor = np.lexsort((rank, actors))  # each actor's entries together, in the listed order
    actors, others, inferred, places, acts, rank = (
        array[by_actor] for array in (actors, others, inferred, places, acts, rank)
    )
    bounds = np.flatnonzero(np.diff(actors)) + 1
    firsts = np.concatenate([[0], bounds]).astype(np.int64)
    ends = np.concatenate([bounds, [count]]).astype(np.int64)
    stated = np.add.reduceat((~inferred).astype(np.int64), firsts) if count else np.zeros(0, dtype=np.int64)
    spans = {
        order.ids[actors[first]]: (int(first), int(first + known), int(end))
        for first, known, end in zip(firsts, stated, ends, strict=True)
    }
    return Footprints(spans, places, actors, others, acts, rank, act_words, {k: sorted(v) for k, v in staff.items()})


def _codes(values: tuple[str, ...]) -> tuple[np.ndarray, list[str]]:
    """Each value's place among the distinct values, sorted, and those values."""
    distinct = sorted(set(values))
    code = {value: i for i, value in enumerate(distinct)}
    return np.fromiter((code[value] for value in values), dtype=np.int32, count=len(values)), distinct


def _act_words(type_: str, involvement: str | None) -> str:
    """An act's type in words, with what a reader must know of it: "detained by", "searched by
    (authorised only)"."""
    marks = act_marks(None, involvement)
    return type_.lower().replace("_", " ") + "".join(f" ({mark})" for mark in marks)


@procedure("official_footprint")
def official_footprint(view: View, params: dict[str, Any]) -> Rows:
    """Every act the texts attribute to an entity, and for an institution to the people who
    hold a post in it, and the posts they hold: stated ones, then (with include_inferred) the
    inferred ones; by date (undated last), act, the other end, the actor, the edge id."""
    links = read_links(view)
    end = params["offset"] + params["limit"]
    page = footprint_page(view, params["id"], params["include_inferred"], params["offset"], end)
    if not page:
        return []
    rows = view.read_plain_table(EDGES_CYPHER, steps=[anchored(links, link) for link, _, _ in page])
    by_id = {row["properties"]["id"]: row for row in rows}
    read = [(by_id[link[3]], actor, act) for link, actor, act in page if link[3] in by_id]
    # the names of every place and article, kept: a page names those its acts cite without a
    # statement of its own for each (two of a page's three round trips, ~8 ms each at 1M)
    places, articles = names_of(view, "Place"), names_of(view, "LegalArticle")
    return [_row(row, actor, act, places, articles) for row, actor, act in read]


def footprint_page(view: View, centre: str, include_inferred: bool, start: int, end: int) -> list[Entry]:
    """The entries ``start`` to ``end`` of an entity's footprint (with its staff's, for an
    institution): each act's or post's link, its actor's id and the act in words."""
    links, order, footprints = read_links(view), read_order(view), read_footprints(view)
    spans = []
    for actor in dict.fromkeys([centre, *footprints.staff.get(centre, ())]):
        if (span := footprints.spans.get(actor)) is not None:
            first, inferred_from, last = span
            spans.append((first, last if include_inferred else inferred_from))
    if len(spans) == 1:  # one actor: its entries are in order already
        first, stop = spans[0]
        chosen = np.arange(first + start, min(first + end, stop))
    else:  # an institution and its staff: the page's entries among all of theirs
        every = np.concatenate([np.arange(first, stop) for first, stop in spans]) if spans else np.zeros(0, np.int64)
        ranks = footprints.rank[every]
        if 0 < end < len(every):  # only the entries up to the page's end are put in order
            top = np.argpartition(ranks, end - 1)[:end]
            every, ranks = every[top], ranks[top]
        chosen = every[np.argsort(ranks)][start:end]
    return [
        (
            links.every[footprints.places[entry]],
            order.ids[footprints.actors[entry]],
            footprints.words[footprints.acts[entry]],
        )
        for entry in chosen
    ]


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
