"""The ego network: edges within a few steps of an entity, breadth first."""

from __future__ import annotations

import heapq
import itertools
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from ...graph.model import ENTITY_LABEL
from ...graph.records import Edge
from ...graph.scope import View
from . import EDGES_BY_ANCHOR, NOT_STATED, Rows, cached, edge_detail, procedure

# -- ego network ---------------------------------------------------------------------------

# Every edge of the graph as the view sees it, by its ends, kept until the next load: the walk
# runs in memory and reads only the edges it keeps, each from its end with fewer links. Walking
# in the database expanded and sorted every edge of a hub at each step through it (25 ms of
# engine time for 200 rows at 100k entities, most of the mixed load's work). Paths and the
# analytics' network are made from the same links (queries/procedures/paths.py, analytics.py).
LINKS_CYPHER = f"""
MATCH (a:{ENTITY_LABEL})-[e]->(b:{ENTITY_LABEL})
WHERE VISIBLE(e)
RETURN collect([a.id, type(e), b.id, e.id, e.attribution = 'inferred']) AS rows
"""
NO_ONE_CYPHER = f"MATCH (n:{NOT_STATED}) WHERE VISIBLE(n) RETURN n.id AS id"
# Every entity's name, aliases, labels and whether it is unnamed: what the search index and
# the analytics' network show of each, read once per load and scope for both.
ENTITIES_CYPHER = f"""
MATCH (n:{ENTITY_LABEL}) WHERE VISIBLE(n)
RETURN collect({{id: n.id, name: n.name, aliases: n.aliases, labels: labels(n),
                unnamed: coalesce(n.unnamed, false)}}) AS rows
"""
# Entities by id with their labels and properties: what pictures draw and the record shelf
# keeps (queries/subgraphs.py, queries/shelf.py). Each id looked up in the index: `n.id IN
# $ids` read 20k entities in 1.0 s in batches of 1,000 and 1.85 s in batches of 5,000, this
# 0.7 s either way (100k entities, embedded).
NODES_CYPHER = (
    f"UNWIND $ids AS entity_id MATCH (n:{ENTITY_LABEL} {{id: entity_id}}) WHERE VISIBLE(n) "
    "RETURN collect({labels: labels(n), properties: properties(n)}) AS rows"
)
# The edges a walk keeps, in one statement, as one table (View.read_table): a record each cost
# the driver ~25 us, ~2.5 ms for the ~100 records an ego network of depth 2 misses at 100k.
EDGES_CYPHER = (
    EDGES_BY_ANCHOR
    + """RETURN collect({source: startNode(e).id, source_name: startNode(e).name, type: type(e),
       target: endNode(e).id, target_name: endNode(e).name, properties: properties(e)}) AS rows
"""
)

# Records kept for pictures, of each kind (kept_records): ~1.8 KB each with their evidence, so
# ~70 MB for both kinds in a process. An ego network of depth 2 at 100k entities: 35 -> ~18 ms
# (50k of each: ~13 ms, ~170 MB).
RECORDS_KEPT = 20_000
# Records kept as JSON text, for the API's ego networks (edge_texts, queries/subgraphs.py
# ego_json): never scanned by the cycle collector (text holds no reference), so many more are
# kept than records. At 100k entities, after 3,000 pictures: 98.8k edges of 267 bytes on
# average (26.4 MB) and 59.5k nodes of 245 (14.6 MB); the process grew 255 -> 309 MB.
TEXTS_KEPT = 100_000
_KEEPING = threading.Lock()
# An edge by its ends: (source id, type, target id, edge id); sorted, the order a walk keeps.
Link = tuple[str, str, str, str]
T = TypeVar("T")


@dataclass(frozen=True)
class Links:
    """The graph's edges by entity (each under both its ends, sorted), perpetrator-not-stated, the
    ids of the edges whose agent is inferred (graph/model.yaml, attribution), and every edge
    once, in the order the engine gave them."""

    of: dict[str, list[Link]]
    no_one: frozenset[str]
    inferred: frozenset[str]
    every: list[Link]


@dataclass(frozen=True)
class Step:
    """An edge the ego network reached, at `hop` steps from the centre, with its ends' names."""

    hop: int
    edge: Edge
    source: str | None
    target: str | None


def read_links(view: View) -> Links:
    """Every edge this view sees, by entity (kept until the next load)."""
    return cached(view, "links", lambda: _read_links(view))  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Order:
    """The graph's entities and edges in id order, for what is computed with arrays (a path's
    walk, footprints): ``ids``, every linked entity's id, sorted; ``index``, each one's place
    there; ``edge_rank``, the place of each edge of ``Links.every`` among their ids, sorted."""

    ids: list[str]
    index: dict[str, int]
    edge_rank: np.ndarray


def read_order(view: View) -> Order:
    """The order of this view's entities and edges (kept until the next load)."""
    return cached(view, "order", lambda: order_of(read_links(view)))  # type: ignore[no-any-return]


def order_of(links: Links) -> Order:
    ids = sorted(links.of)
    return Order(ids, {node: i for i, node in enumerate(ids)}, text_ranks([link[3] for link in links.every]))


def text_ranks(texts: list[str]) -> np.ndarray:
    """Each text's place in the texts' sorted order (equal texts, equal places)."""
    try:  # ids are ASCII (edge ids are hashes): compared as bytes, in the order of their text
        keys = np.array(texts, dtype=np.bytes_)
    except UnicodeEncodeError:
        place = {text: i for i, text in enumerate(sorted(set(texts)))}
        return np.fromiter((place[text] for text in texts), dtype=np.int64, count=len(texts))
    return np.unique(keys, return_inverse=True)[1].reshape(-1)


def read_entities(view: View) -> list[dict[str, Any]]:
    """Every entity this view sees: {id, name, aliases, labels, unnamed} (kept until the next
    load; shared, so a caller copies a row it changes)."""
    return cached(view, "entities", lambda: view.read_whole_table(ENTITIES_CYPHER))  # type: ignore[no-any-return]


def _read_links(view: View) -> Links:
    return view.in_one_generation(lambda: _links(view))


def _links(view: View) -> Links:
    of: dict[str, list[Link]] = defaultdict(list)
    inferred = set()
    every = []
    for source, type_, target, edge, by_inference in view.read_whole_table(LINKS_CYPHER):
        link = (source, type_, target, edge)
        every.append(link)
        of[source].append(link)
        if target != source:
            of[target].append(link)
        if by_inference:
            inferred.add(edge)
    for found in of.values():
        found.sort()  # what incident() merges
    no_one = frozenset(row["id"] for row in view.read(NO_ONE_CYPHER))
    return Links(dict(of), no_one, frozenset(inferred), every)


def ego_steps(view: View, entity_id: str, depth: int, limit: int) -> tuple[list[Step], int | None]:
    """Edges within `depth` steps of an entity (ego_walk), read with their properties and their
    ends' names, and the step at which the limit stopped the walk."""
    kept, stopped = ego_walk(view, entity_id, depth, limit)
    return read_steps(view, kept, read_links(view)), stopped


def ego_walk(view: View, entity_id: str, depth: int, limit: int) -> tuple[list[tuple[int, Link]], int | None]:
    """Edges within `depth` steps of an entity, breadth first, at most `limit` of them, each
    with the step it was reached at, and the step at which the limit stopped the walk (None
    when every step is whole). A step keeps its edges in (source, type, target, id) order; one
    whose edges did not all fit ends the walk: a picture is never a partial step with the next
    one drawn beyond it. The walk does not go on through perpetrator-not-stated (no one: it
    links no one). Only the graph's links are read (read_links), no record."""
    # An entity this view may not open has no link in it (a link is kept only if the view sees
    # it and both its ends): no step, and nothing read (callers find out whether it exists).
    links = read_links(view)
    seen_nodes, seen_edges = {entity_id}, set[str]()
    frontier = [entity_id]
    kept: list[tuple[int, Link]] = []
    stopped = None
    for hop in range(1, depth + 1):
        new, more = incident(links, frontier, limit - len(kept), seen_edges)
        if more:
            stopped = hop
        reached: list[str] = []
        for link in new:
            seen_edges.add(link[3])
            kept.append((hop, link))
            for end in (link[0], link[2]):
                if end not in seen_nodes and end not in links.no_one:
                    seen_nodes.add(end)
                    reached.append(end)
        frontier = reached
        if stopped or not frontier:
            break
    return kept, stopped


def incident(
    links: Links, ids: list[str], room: int, skip: set[str] | frozenset[str] = frozenset()
) -> tuple[list[Link], bool]:
    """The first ``room`` edges at these entities (but those whose id is in ``skip``), once
    each, in (source, type, target, id) order, and whether there are more. Each entity's edges
    are kept sorted (``Links.of``), so only as many as fit are looked at: a hub has thousands,
    and gathering and sorting them all took ~4 ms of an ego network's ~15 at 100k entities."""
    first: list[Link] = []
    previous = None
    for link in heapq.merge(*(links.of.get(node, ()) for node in dict.fromkeys(ids))):
        if link == previous or link[3] in skip:  # an edge between two of them comes twice, together
            continue
        previous = link
        if len(first) == room:
            return first, True
        first.append(link)
    return first, False


def anchored(links: Links, link: Link) -> dict[str, Any]:
    """An edge to read (EDGES_BY_ANCHOR), found from its end with fewer links."""
    source, _, target, edge = link
    if len(links.of.get(source, ())) <= len(links.of.get(target, ())):
        return {"anchor": source, "other": target, "edge": edge}
    return {"anchor": target, "other": source, "edge": edge}


def read_steps(view: View, kept: list[tuple[int, Link]], links: Links) -> list[Step]:
    """The kept edges (with the step each was reached at) with their properties and their ends'
    names, in the order given; those read for an earlier picture are not read again."""

    def step(row: dict[str, Any]) -> tuple[Edge, str | None, str | None]:
        return view.edge(row), row["source_name"], row["target_name"]

    found = kept_or_read(
        view, "edges", [link for _, link in kept], lambda missing: read_edges(view, missing, links, step)
    )
    return [Step(hop, *found[link[3]]) for hop, link in kept if link[3] in found]


def edge_texts(view: View, kept: list[Link], links: Links) -> dict[str, bytes]:
    """The kept edges as the API sends records (``Edge.as_dict()`` as JSON text, View.edge_text),
    by id; kept as text, for answers written from it (queries/subgraphs.py ego_json)."""
    read = lambda missing: read_edges(view, missing, links, view.edge_text)  # noqa: E731
    return kept_or_read(view, "edge-texts", kept, read, TEXTS_KEPT)


def read_edges(view: View, missing: list[Link], links: Links, make: Callable[[dict[str, Any]], T]) -> dict[str, T]:
    """These edges by id, each read from its end with fewer links (EDGES_CYPHER) and made into
    a record by ``make``."""
    rows = view.read_plain_table(EDGES_CYPHER, steps=[anchored(links, link) for link in missing])
    return {row["properties"]["id"]: make(row) for row in rows}


def kept_or_read(
    view: View,
    what: str,
    wanted: list[Link] | list[str],
    read: Callable[[list[Any]], dict[str, T]],
    most: int | None = None,
) -> dict[str, T]:
    """The records wanted (links, by their edge id; or ids), by id: those kept of this kind
    (kept_records), and the others read (``read``, given what is missing) and kept."""
    records = kept_records(view, what)
    # Taken once: another request may let a kept record go at any time.
    hits: dict[str, T] = {}
    missing, asked = [], set()
    for item in wanted:
        key = item if isinstance(item, str) else item[3]
        if key in asked:
            continue
        asked.add(key)
        record = records.get(key)
        if record is None:
            missing.append(item)
        else:
            hits[key] = record
    found = read(missing) if missing else {}
    keep_records(records, found, list(hits), most)
    return hits | found


def kept_records(view: View, what: str) -> dict[str, Any]:
    """Records read for pictures (``what``: "nodes" or "edges", or "node-texts" and "edge-texts"
    for their JSON text), by id, as this view's scope sees them in its generation: kept until
    the next load, at most RECORDS_KEPT of each (TEXTS_KEPT of texts). The same hubs recur in nearly every picture (300
    ego networks of people drawn at random from 100k entities: 41.7k edges, 19.4k of them
    different). Shared: never changed once kept."""
    return cached(view, f"records:{what}", dict)  # type: ignore[no-any-return]


def keep_records(records: dict[str, Any], found: dict[str, Any], used: list[str], most: int | None = None) -> None:
    """Keep records just read, and move those ``used`` again to the end; beyond ``most``
    (RECORDS_KEPT when not given) the least recently used go."""
    most = RECORDS_KEPT if most is None else most
    with _KEEPING:
        for key in used:
            record = records.pop(key, None)
            if record is not None:
                records[key] = record
        records.update(found)
        for key in list(itertools.islice(records, max(0, len(records) - most))):
            del records[key]


@procedure("ego_network")
def ego_network(view: View, params: dict[str, Any]) -> Rows:
    """Edges within `depth` steps of an entity, breadth first, at most `limit` edges (a step
    the limit cuts is the last)."""
    steps, _ = ego_steps(view, params["id"], params["depth"], params["limit"])
    return [
        {
            "hop": step.hop,
            "source_id": step.edge.source,
            "source": step.source,
            "type": step.edge.type,
            "target_id": step.edge.target,
            "target": step.target,
            "date": step.edge.properties.get("date"),
            "detail": edge_detail(step.edge.properties),
            "edge_id": step.edge.id,
            "sources": step.edge.sources,
        }
        for step in steps
    ]
