"""Named queries that need more than one Cypher statement: custody on a date, the ego network,
and the networkx analytics. Each reads the database with parameterised Cypher only and returns
rows like any other named query (see catalogue/*.yaml for their columns).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import networkx as nx
from persecution_graph.graph.model import ENTITY_LABEL
from persecution_graph.graph.store import Graph

from .cache import DERIVED

if TYPE_CHECKING:
    from .catalogue import Query

Rows = list[dict[str, Any]]
Procedure = Callable[[Graph, "Query", dict[str, Any], bool], Rows]

PUBLIC_NODE = "(NOT $public OR {0}.sensitivity <> 'restricted')"


# -- custody on a date ---------------------------------------------------------------------

CUSTODY_SENTENCES = {
    "imprisonment": "imprisonment",
    "compulsory_psychiatric_treatment": "psychiatric detention",
}
FREEING_SENTENCES = {"restriction_of_liberty", "suspended_sentence", "fine", "acquittal", "parole_granted"}
CUSTODY_DETENTIONS = {
    "pre_trial_detention": "pre-trial detention",
    "psychiatric_detention": "psychiatric detention",
    "psychiatric": "psychiatric detention",
}
FREEING_DETENTIONS = {"house_arrest", "release", "released"}
# A status-list entry's status: in custody, free, or (prosecuted, other) no change of place.
LISTED_STATUSES = {
    "prison": "custody:prison",
    "pre_trial_detention": "custody:pre-trial detention",
    "psychiatric_detention": "custody:psychiatric detention",
    "house_arrest": "free",
    "restriction_of_liberty": "free",
    "released": "free",
}
CUSTODY_WORDS = re.compile(r"prison|detention|custody|psychiatric|imprison", re.IGNORECASE)
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "twenty": 20, "a": 1, "an": 1, "half": 0.5,
}  # fmt: skip
UNIT_DAYS = {"year": 365.25, "month": 30.44, "week": 7.0, "day": 1.0}
TERM_PART = re.compile(r"(\d+(?:[.,]\d+)?|[a-z]+)[\s-]+(year|month|week|day)s?", re.IGNORECASE)


def term_days(term: str | None) -> float | None:
    """The length of a term as quoted ("five years", "3.5 years", "2 years and 6 months") in days."""
    if not term:
        return None
    total = 0.0
    for amount, unit in TERM_PART.findall(term):
        number = NUMBER_WORDS.get(amount.lower())
        if number is None:
            try:
                number = float(amount.replace(",", "."))
            except ValueError:
                continue
        total += number * UNIT_DAYS[unit.lower()]
    return total or None


def _custody_state(row: dict[str, Any]) -> str | None:
    """'custody:<status>', 'free', or None when the act does not change where a person is."""
    if row["type"] == "SENTENCED_BY":
        if row["sentence_type"] in CUSTODY_SENTENCES:
            return "custody:" + CUSTODY_SENTENCES[row["sentence_type"]]
        return "free" if row["sentence_type"] in FREEING_SENTENCES else None
    if row["type"] == "DETAINED_BY":
        kind = (row["kind"] or "").lower()
        if kind in CUSTODY_DETENTIONS:
            return "custody:" + CUSTODY_DETENTIONS[kind]
        return "free" if kind in FREEING_DETENTIONS else None
    if row["type"] == "RELEASED_BY":
        return "free"
    if row["type"] == "HELD_IN":
        return "custody:held in " + row["other"]
    if row["type"] == "LISTED_IN":
        if row["status"]:  # a stated status decides; the category's words only when none is stated
            return LISTED_STATUSES.get(row["status"])
        return "custody:" + row["category"] if CUSTODY_WORDS.search(row["category"] or "") else None
    return None


def _ends_before(row: dict[str, Any], as_of: str) -> bool:
    """Whether a custody act's stated range or term ran out before the date."""
    # Only a stated range ("2021-06/2021-09") ends custody; "2021-06" is a month, not a range.
    if row["date"] and "/" in str(row["date"]) and row["date_to"] and row["date_to"] < as_of:
        return True
    days = term_days(row["term"] or row["duration"])
    if days is None:
        return False
    start = dt.date.fromisoformat(row["date_from"])
    return (start + dt.timedelta(days=days)).isoformat() < as_of


CUSTODY_CYPHER = f"""
MATCH (p:Person)-[a]->(x:{ENTITY_LABEL})
WHERE type(a) IN ['SENTENCED_BY', 'DETAINED_BY', 'HELD_IN', 'LISTED_IN', 'RELEASED_BY']
  AND coalesce(a.date_from, x.date_from) IS NOT NULL
  AND (NOT $public OR (p.sensitivity <> 'restricted' AND a.sensitivity <> 'restricted'))
OPTIONAL MATCH (art:LegalArticle) WHERE art.id IN coalesce(a.article, [])
RETURN p.id AS person_id, p.name AS person, type(a) AS type, a.kind AS kind,
       a.sentence_type AS sentence_type, a.term AS term, a.duration AS duration,
       coalesce(a.date, x.date) AS date, coalesce(a.date_from, x.date_from) AS date_from,
       coalesce(a.date_to, x.date_to) AS date_to, a.category AS category, a.status AS status,
       x.name AS other, labels(x) AS other_labels, collect(art.name) AS articles,
       a.sources AS sources, a.id AS act_id
"""


def _deciding(changing: list[tuple[dict[str, Any], str]]) -> tuple[dict[str, Any], str]:
    """The act that decides where a person is: the last one; but listings of one day that
    contradict each other (one list says pre-trial detention, another restriction of liberty)
    do not overturn the record: the one that agrees with the state before that day decides."""
    last_day = changing[-1][0]["date_from"]
    that_day = [(act, state) for act, state in changing if act["date_from"] == last_day]
    states = {state for _, state in that_day}
    before = [state for act, state in changing if act["date_from"] < last_day]
    if len(states) > 1 and all(act["type"] == "LISTED_IN" for act, _ in that_day) and before and before[-1] in states:
        return next((act, state) for act, state in reversed(that_day) if state == before[-1])
    return changing[-1]


def political_prisoners(graph: Graph, query: Query, params: dict[str, Any], public_only: bool) -> Rows:
    """People in custody on a date: the latest act on or before it that puts a person in or
    out of custody decides; a sentence's term or a stated range ends it."""
    as_of = params["as_of"]
    by_person: dict[str, list[dict[str, Any]]] = defaultdict(list)
    # Every dated custody act, read once per load; the date is applied here, so any date asked
    # for afterwards costs no scan of the graph.
    custody = _cached(graph, "custody", public_only, lambda: graph.read(CUSTODY_CYPHER, public=public_only))
    for row in custody:
        if row["date_from"] <= as_of:
            by_person[row["person_id"]].append(row)
    result = []
    for acts in by_person.values():
        # On one day, a listing goes before an act (the act decides), and a listing with a stated
        # status after one whose status comes from its category's words (the stated one decides);
        # the act's id orders the rest, so the answer does not depend on the engine's row order.
        acts.sort(key=lambda r: (r["date_from"], r["type"] != "LISTED_IN", bool(r["status"]), r["act_id"] or ""))
        changing = [(act, state) for act in acts if (state := _custody_state(act))]
        if not changing:
            continue
        last, state = _deciding(changing)
        if state == "free" or _ends_before(last, as_of):
            continue
        categories = sorted({a["category"] for a in acts if a["type"] == "LISTED_IN" and a["category"]})
        sentences = [a for a in acts if a["type"] == "SENTENCED_BY"]
        latest_sentence = sentences[-1] if sentences else None
        articles = sorted({name for a in acts for name in a["articles"]})
        result.append(
            {
                "person_id": last["person_id"],
                "person": last["person"],
                "status": state.removeprefix("custody:"),
                "since": last["date"],
                "category": categories,
                "articles": articles,
                "court": latest_sentence["other"] if latest_sentence else None,
                "term": latest_sentence["term"] if latest_sentence else None,
                "sources": [ref for a in acts for ref in (a["sources"] or [])],
            }
        )
    result.sort(key=lambda r: (r["person"], r["person_id"]))
    return result


# -- ego network ---------------------------------------------------------------------------

# The frontier unwound, one index lookup per id (faster than `a.id IN $frontier` on the
# embedded engine: 54 ms instead of 74 for 40 ids).
EGO_CYPHER = f"""
UNWIND $frontier AS frontier_id
MATCH (a:{ENTITY_LABEL} {{id: frontier_id}})-[e]-(b:{ENTITY_LABEL})
WHERE (NOT $public OR (e.sensitivity <> 'restricted' AND b.sensitivity <> 'restricted'))
RETURN DISTINCT startNode(e).id AS source_id, startNode(e).name AS source, type(e) AS type,
       endNode(e).id AS target_id, endNode(e).name AS target, e.date AS date, e.id AS edge_id,
       coalesce(e.relation, e.role, e.kind, replace(e.sentence_type, '_', ' '), e.category) AS detail,
       e.sources AS sources, b.id AS reached
ORDER BY source_id, type, target_id, edge_id
LIMIT $room
"""


def ego_network(graph: Graph, query: Query, params: dict[str, Any], public_only: bool) -> Rows:
    """Edges within `depth` steps of an entity, breadth first, at most `limit` edges."""
    center = graph.read(
        f"MATCH (n:{ENTITY_LABEL} {{id: $id}}) WHERE {PUBLIC_NODE.format('n')} RETURN n.id AS id",
        id=params["id"],
        public=public_only,
    )
    if not center:
        return []
    seen_nodes = {params["id"]}
    frontier = [params["id"]]
    rows: Rows = []
    seen_edges: set[str] = set()
    for hop in range(1, params["depth"] + 1):
        reached: list[str] = []
        # At most the edges still wanted, plus those already taken that this step sees again:
        # a hub at the edge of the picture does not send back its thousands of edges.
        room = params["limit"] - len(rows) + len(seen_edges)
        for row in graph.read(EGO_CYPHER, frontier=frontier, room=room, public=public_only):
            if row["edge_id"] in seen_edges:
                continue
            if len(rows) >= params["limit"]:
                return rows
            seen_edges.add(row["edge_id"])
            rows.append({**row, "hop": hop})
            if row["reached"] not in seen_nodes:
                seen_nodes.add(row["reached"])
                reached.append(row["reached"])
        frontier = reached
        if not frontier:
            break
    return rows


# -- relatives as hostages ------------------------------------------------------------------

OWN_ROLES = ("Activist", "Journalist", "Blogger", "Politician", "HumanRightsDefender", "Exile")
TARGET_ACTS = ("DETAINED_BY", "SENTENCED_BY", "HELD_IN", "ILL_TREATED_BY", "EXTRADITION_SOUGHT_BY")
NOT_PRESSURE = ("VICTIM_OF", "EXTRADITION_SOUGHT_BY")
ACTS_OF_PEOPLE = f"""
MATCH (p:Person)-[a]->(x:{ENTITY_LABEL})
WHERE type(a) IN $act_types
  AND (NOT $public OR (p.sensitivity <> 'restricted' AND a.sensitivity <> 'restricted'
       AND x.sensitivity <> 'restricted'))
RETURN p.id AS person, type(a) AS type, a.pressure_on AS pressure_on
"""
FAMILY_TIES = """
MATCH (p:Person)-[tie:RELATED_TO]-(t:Person)
WHERE NOT $public OR (p.sensitivity <> 'restricted' AND tie.sensitivity <> 'restricted'
      AND t.sensitivity <> 'restricted')
RETURN p.id AS person, [l IN labels(p) WHERE l IN $own_roles] AS own_roles, t.id AS target,
       t:Exile AS exile
"""
ACTS_OF = f"""
MATCH (p:Person)-[a]->(x:{ENTITY_LABEL})
WHERE p.id IN $ids AND type(a) IN $act_types AND NOT type(a) IN $not_pressure
  AND (NOT $public OR (a.sensitivity <> 'restricted' AND x.sensitivity <> 'restricted'))
RETURN p.id AS person, type(a) AS type, x.id AS other_id, x.name AS other, a.date AS date,
       a.date_from AS date_from, a.sources AS sources, a.id AS act_id
"""
TIES_OF = """
MATCH (p:Person)-[tie:RELATED_TO|ASSOCIATE_OF]-(t:Person)
WHERE p.id IN $ids AND (NOT $public OR tie.sensitivity <> 'restricted')
RETURN p.id AS person, t.id AS target, type(tie) AS type, tie.relation AS relation,
       startNode(tie) = p AS outgoing, tie.sources AS sources, tie.id AS tie_id
ORDER BY tie_id
"""
NAMES_OF = f"""
MATCH (n:{ENTITY_LABEL}) WHERE n.id IN $ids AND {PUBLIC_NODE.format("n")} RETURN n.id AS id, n.name AS name
"""


def relatives_as_hostages(graph: Graph, query: Query, params: dict[str, Any], public_only: bool) -> Rows:
    """Pairs (pressured person, target): explicit where an act says `pressure_on`; inferred
    where a relative without a role of their own was persecuted and the target is in exile or
    was detained, sentenced, held, ill-treated or sought. A few simple statements, no joins of
    every act with every tie, so it stays fast on large graphs."""
    act_types = sorted(name for name, edge in graph.model.edges.items() if edge.category == "act")
    acts = graph.read(ACTS_OF_PEOPLE, act_types=act_types, public=public_only)
    # Acts already explained by a stated pressure do not make a second, inferred, pattern.
    persecuted = {row["person"] for row in acts if row["type"] not in NOT_PRESSURE and not row["pressure_on"]}
    targeted = {row["person"] for row in acts if row["type"] in TARGET_ACTS}
    pairs: dict[tuple[str, str], bool] = {}
    for row in acts:
        if row["pressure_on"] and row["type"] not in NOT_PRESSURE:
            pairs[(row["person"], row["pressure_on"])] = True
    for row in graph.read(FAMILY_TIES, own_roles=list(OWN_ROLES), public=public_only):
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
    names = {row["id"]: row["name"] for row in graph.read(NAMES_OF, ids=people, public=public_only)}
    pressured_ids = sorted({p for p, _ in pairs})
    acts_by_person: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in graph.read(
        ACTS_OF, ids=pressured_ids, act_types=act_types, not_pressure=list(NOT_PRESSURE), public=public_only
    ):
        acts_by_person[row["person"]].append(row)
    ties: dict[tuple[str, str], dict[str, Any]] = {}
    for row in graph.read(TIES_OF, ids=pressured_ids, public=public_only):
        ties.setdefault((row["person"], row["target"]), row)
    result = []
    for (pressured, target), explicit in pairs.items():
        if pressured not in names or target not in names:
            continue  # a restricted end, for the public
        acts_here = sorted(
            acts_by_person[pressured],
            key=lambda a: (a["date_from"] or "9999", a["type"], a["other_id"], a["act_id"] or ""),
        )
        tie = ties.get((pressured, target))
        result.append(
            {
                "pressured_id": pressured,
                "pressured": names[pressured],
                "target_id": target,
                "target": names[target],
                "tie": _tie_text(tie, names[pressured], names[target]),
                "acts": [
                    f"{a['type'].lower().replace('_', ' ')} {a['other']}" + (f" ({a['date']})" if a["date"] else "")
                    for a in acts_here
                ],
                "basis": "explicit" if explicit else "inferred",
                "sources": [ref for a in acts_here for ref in a["sources"] or []] + (tie["sources"] if tie else []),
            }
        )
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


def _tie_text(tie: dict[str, Any] | None, pressured: str, target: str) -> str | None:
    if tie is None:
        return None
    if tie["type"] == "ASSOCIATE_OF":
        a, b = (pressured, target) if tie["outgoing"] else (target, pressured)
        return f"{a}, associate of {b}: {tie['relation']}"
    a, b = (pressured, target) if tie["outgoing"] else (target, pressured)
    return f"{a} is the {tie['relation']} of {b}"


# -- shortest path -------------------------------------------------------------------------

ADJACENCY_CYPHER = f"""
MATCH (a:{ENTITY_LABEL})-[e]->(b:{ENTITY_LABEL})
WHERE NOT $public OR (a.sensitivity <> 'restricted' AND e.sensitivity <> 'restricted'
      AND b.sensitivity <> 'restricted')
RETURN a.id AS a, b.id AS b, e.id AS edge
"""
# Every step of a chain in one statement, each found from its end with fewer edges: expanding
# from a court with thousands of acts to find one edge took 8-10 ms a step at 100k entities.
HOPS_CYPHER = f"""
UNWIND $steps AS step
MATCH (x:{ENTITY_LABEL} {{id: step.anchor}})
WITH x, step
MATCH (x)-[e]-(y:{ENTITY_LABEL})
WHERE e.id = step.edge AND y.id = step.other
RETURN step.number AS number, x.id AS x_id, x.name AS x_name, y.id AS y_id, y.name AS y_name,
       type(e) AS edge, startNode(e) = x AS x_starts, e.date AS date, e.sources AS sources
"""
MAX_PATH_STEPS = 8


Adjacency = dict[str, list[tuple[str, str]]]


def read_adjacency(graph: Graph, public_only: bool) -> Adjacency:
    """Every entity's neighbours and the edges to them, sorted, in either direction (cached
    until the next load): a path search then costs no database round trip per step."""
    return _cached(graph, "adjacency", public_only, lambda: _read_adjacency(graph, public_only))  # type: ignore[no-any-return]


def _read_adjacency(graph: Graph, public_only: bool) -> Adjacency:
    adjacency: Adjacency = defaultdict(list)
    rows = graph.read(ADJACENCY_CYPHER, public=public_only)
    for row in sorted(rows, key=lambda r: (r["a"], r["b"], r["edge"] or "")):
        adjacency[row["a"]].append((row["b"], row["edge"]))
        adjacency[row["b"]].append((row["a"], row["edge"]))
    for neighbours in adjacency.values():
        neighbours.sort()
    return {node: adjacency[node] for node in sorted(adjacency)}


def path(graph: Graph, query: Query, params: dict[str, Any], public_only: bool) -> Rows:
    """The shortest chain between two entities: a breadth-first search from both ends at
    once over the graph's adjacency (read once per load), at most MAX_PATH_STEPS steps. Among
    chains of equal length the first found in id order is given, so the answer is stable."""
    start, goal = params["from"], params["to"]
    ends = graph.read(
        f"MATCH (n:{ENTITY_LABEL}) WHERE n.id IN $ids AND {PUBLIC_NODE.format('n')} RETURN n.id AS id",
        ids=[start, goal],
        public=public_only,
    )
    if {row["id"] for row in ends} != {start, goal} or start == goal:
        return []
    adjacency = read_adjacency(graph, public_only)
    # parents[side][node] = (previous node, edge id) on the way from that side's end
    parents: list[dict[str, tuple[str, str] | None]] = [{start: None}, {goal: None}]
    depth: list[dict[str, int]] = [{start: 0}, {goal: 0}]
    frontiers = [[start], [goal]]
    meeting = None
    for _ in range(MAX_PATH_STEPS):
        side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
        if not frontiers[side]:
            return []
        reached: list[str] = []
        candidates: list[tuple[int, str]] = []
        for a in sorted(frontiers[side]):
            for b, edge in adjacency.get(a, ()):
                if b in parents[side]:
                    continue
                parents[side][b] = (a, edge)
                depth[side][b] = depth[side][a] + 1
                reached.append(b)
                if b in parents[1 - side]:
                    candidates.append((depth[0][b] + depth[1][b], b))
        if candidates:
            meeting = min(candidates)[1]  # the shortest of the chains that meet at this level
            break
        frontiers[side] = reached
    if meeting is None:
        return []
    chain: list[tuple[str, str, str]] = []  # (from, to, edge) from start to goal
    node = meeting
    while (step := parents[0][node]) is not None:
        chain.insert(0, (step[0], node, step[1]))
        node = step[0]
    node = meeting
    while (step := parents[1][node]) is not None:
        chain.append((node, step[0], step[1]))
        node = step[0]
    return _hops(graph, chain, adjacency)


def _hops(graph: Graph, chain: list[tuple[str, str, str]], adjacency: Adjacency) -> Rows:
    """The steps of a chain (from, to, edge id) as rows, with names, date and evidence."""
    steps = []
    for number, (a, b, edge) in enumerate(chain, 1):
        anchor, other = (a, b) if len(adjacency.get(a, ())) <= len(adjacency.get(b, ())) else (b, a)
        steps.append({"number": number, "anchor": anchor, "other": other, "edge": edge})
    found = {row["number"]: row for row in graph.read(HOPS_CYPHER, steps=steps)}
    rows = []
    for number, (a, _, _) in enumerate(chain, 1):
        hop = found[number]
        forward = hop["x_id"] == a  # the anchor is the step's first end
        ends = ("x", "y") if forward else ("y", "x")
        rows.append(
            {
                "step": number,
                "from_id": hop[f"{ends[0]}_id"],
                "from_name": hop[f"{ends[0]}_name"],
                "edge": hop["edge"],
                "direction": "forward" if hop["x_starts"] == forward else "backward",
                "to_id": hop[f"{ends[1]}_id"],
                "to_name": hop[f"{ends[1]}_name"],
                "date": hop["date"],
                "sources": hop["sources"],
            }
        )
    return rows


# -- analytics -----------------------------------------------------------------------------

STATE_KINDS = (
    "Official", "Court", "ProsecutorOffice", "Police", "SecurityService", "Ministry",
    "DetentionFacility", "Hospital", "Akimat", "Government", "Investigator",
)  # fmt: skip
NETWORK_CYPHER = f"""
MATCH (a:{ENTITY_LABEL})-[e]->(b:{ENTITY_LABEL})
WHERE NOT type(e) IN ['LOCATED_IN', 'PART_OF', 'CONCERNS']
  AND (NOT $public OR (a.sensitivity <> 'restricted' AND e.sensitivity <> 'restricted'
       AND b.sensitivity <> 'restricted'))
RETURN a.id AS a, a.name AS a_name, labels(a) AS a_labels, coalesce(a.unnamed, false) AS a_unnamed,
       b.id AS b, b.name AS b_name, labels(b) AS b_labels, coalesce(b.unnamed, false) AS b_unnamed,
       e.sources AS sources, e.id AS edge
"""


# Betweenness from sampled sources: at most this many, and fewer on large graphs so that the
# work (sources x (nodes + edges)) stays within BETWEENNESS_WORK; never fewer than the floor.
BETWEENNESS_SAMPLES = 300
BETWEENNESS_WORK = 20_000_000
BETWEENNESS_FLOOR = 30


def _cached(graph: Graph, what: str, public_only: bool, compute: Callable[[], Any]) -> Any:
    """A result derived from the whole graph, kept until the next load (queries/cache.py)."""
    return DERIVED.get(graph, (what, public_only), compute)


def betweenness_samples(nodes: int, edges: int) -> int | None:
    """How many sources to sample for betweenness (None: all of them, exact)."""
    budget = max(BETWEENNESS_FLOOR, min(BETWEENNESS_SAMPLES, BETWEENNESS_WORK // max(nodes + edges, 1)))
    return None if nodes <= budget else budget


def _betweenness(network: nx.Graph) -> dict[str, float]:
    """Betweenness centrality, exact on small graphs and estimated from sampled sources
    (fixed seed) on large ones, which keeps a 100k-entity graph to a minute."""
    samples = betweenness_samples(network.number_of_nodes(), network.number_of_edges())
    return nx.betweenness_centrality(network, k=samples, normalized=True, seed=7)  # type: ignore[no-any-return]


def read_network(graph: Graph, public_only: bool) -> nx.Graph:
    """The persecution network (cached until the next load): see _read_network."""
    return _cached(graph, "network", public_only, lambda: _read_network(graph, public_only))  # type: ignore[no-any-return]


def _read_network(graph: Graph, public_only: bool) -> nx.Graph:
    """The persecution network as an undirected weighted networkx graph: people, institutions,
    events and articles joined by acts and ties (not by places), each edge's evidence kept."""
    network = nx.Graph()
    # In id order: the sampled betweenness and Louvain (fixed seeds) depend on the order nodes
    # and edges were added, which must not be the engine's row order.
    rows = graph.read(NETWORK_CYPHER, public=public_only)
    for row in sorted(rows, key=lambda r: (r["a"], r["b"], r["edge"] or "")):
        for end in ("a", "b"):
            network.add_node(
                row[end],
                name=row[f"{end}_name"],
                labels=graph.sorted_labels(row[f"{end}_labels"]),
                unnamed=row[f"{end}_unnamed"],
            )
        if network.has_edge(row["a"], row["b"]):
            network[row["a"]][row["b"]]["weight"] += 1
            network[row["a"]][row["b"]]["sources"].extend(row["sources"] or [])
        else:
            network.add_edge(row["a"], row["b"], weight=1, sources=list(row["sources"] or []))
    return network


def _is_state(data: dict[str, Any]) -> bool:
    return not data["unnamed"] and any(label in STATE_KINDS for label in data["labels"])


def _evidence(network: nx.Graph, node: str, limit: int = 20) -> list[Any]:
    refs: list[Any] = []
    for _, _, data in sorted(network.edges(node, data=True), key=lambda e: (e[0], e[1])):
        for ref in data["sources"]:
            if ref not in refs:
                refs.append(ref)
    return refs[:limit]


def _communities(network: nx.Graph) -> list[set[str]]:
    if network.number_of_edges() == 0:
        return []
    found = nx.community.louvain_communities(network, weight="weight", seed=7)
    return sorted(found, key=lambda c: (-len(c), min(c)))


def centrality(graph: Graph, query: Query, params: dict[str, Any], public_only: bool) -> Rows:
    network = read_network(graph, public_only)
    if network.number_of_nodes() == 0:
        return []
    betweenness = _cached(graph, "betweenness", public_only, lambda: _betweenness(network))

    rows = [
        {
            "id": node,
            "name": data["name"],
            "labels": data["labels"],
            "degree": network.degree(node),
            "betweenness": round(betweenness[node], 4),
            "people": sum(1 for other in network.neighbors(node) if network.nodes[other]["labels"][0] == "Person"),
            "sources": _evidence(network, node),
        }
        for node, data in network.nodes(data=True)
        if _is_state(data)
    ]
    rows.sort(key=lambda r: (-r["betweenness"], -r["degree"], r["id"]))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return rows[: params["limit"]]


def communities(graph: Graph, query: Query, params: dict[str, Any], public_only: bool) -> Rows:
    network = read_network(graph, public_only)
    rows = []
    found = _cached(graph, "communities", public_only, lambda: _communities(network))
    for number, members in enumerate(found, 1):
        if len(members) < params["min_size"]:
            continue
        sub = network.subgraph(members)
        ranked = sorted(members, key=lambda n: (-sub.degree(n), n))
        rows.append(
            {
                "community": number,
                "size": len(members),
                "central": [network.nodes[n]["name"] for n in ranked[:5]],
                "state_actors": [network.nodes[n]["name"] for n in ranked if _is_state(network.nodes[n])][:10],
                "member_ids": sorted(members),
                "sources": [ref for n in ranked[:3] for ref in _evidence(network, n, 5)],
            }
        )
    return rows


def brokers(graph: Graph, query: Query, params: dict[str, Any], public_only: bool) -> Rows:
    network = read_network(graph, public_only)
    found = _cached(graph, "communities", public_only, lambda: _communities(network))
    membership = {n: i for i, members in enumerate(found, 1) for n in members}
    if not membership:
        return []
    betweenness = _cached(graph, "betweenness", public_only, lambda: _betweenness(network))
    rows = []
    for node, data in network.nodes(data=True):
        bridged = sorted({membership[other] for other in network.neighbors(node)} | {membership[node]})
        if len(bridged) < 2 or data["unnamed"]:
            continue
        rows.append(
            {
                "id": node,
                "name": data["name"],
                "labels": data["labels"],
                "communities": bridged,
                "betweenness": round(betweenness[node], 4),
                "sources": _evidence(network, node),
            }
        )
    rows.sort(key=lambda r: (-len(r["communities"]), -r["betweenness"], r["id"]))
    return rows[: params["limit"]]


PROCEDURES: dict[str, Procedure] = {
    "path": path,
    "relatives_as_hostages": relatives_as_hostages,
    "political_prisoners": political_prisoners,
    "ego_network": ego_network,
    "centrality": centrality,
    "communities": communities,
    "brokers": brokers,
}


def _nodes_drawn(graph: Graph, ids: list[str], public_only: bool) -> Rows:
    nodes = graph.read(
        f"MATCH (n:{ENTITY_LABEL}) WHERE n.id IN $ids AND {PUBLIC_NODE.format('n')} "
        "RETURN n.id AS id, n.name AS name, labels(n) AS labels, n.date AS date, "
        "n.sources AS sources ORDER BY id",
        ids=ids,
        public=public_only,
    )
    for node in nodes:
        node["labels"] = graph.sorted_labels(node["labels"])
        node["sources"] = [json.loads(ref) for ref in node["sources"] or []]
    return nodes


def ego_subgraph(graph: Graph, entity_id: str, depth: int, limit: int, public_only: bool) -> dict[str, Any]:
    """The entity's surroundings as {"center", "nodes", "edges"}: the edges the ego-network
    query found (no second look at the database for them), and their ends."""
    from .catalogue import load_catalogue

    rows = load_catalogue()["ego-network"].run(
        graph, {"id": entity_id, "depth": depth, "limit": limit}, public_only=public_only
    )
    ids = sorted({entity_id} | {r["source_id"] for r in rows} | {r["target_id"] for r in rows})
    nodes = _nodes_drawn(graph, ids, public_only)
    if not any(node["id"] == entity_id for node in nodes):
        return {"center": entity_id, "nodes": [], "edges": []}
    edges = [
        {
            "id": row["edge_id"],
            "source": row["source_id"],
            "target": row["target_id"],
            "type": row["type"],
            "date": row["date"],
            "detail": row["detail"],
            "sources": row["sources"],
        }
        for row in rows
    ]
    edges.sort(key=lambda e: (e["source"], e["type"], e["target"], e["id"]))
    return {"center": entity_id, "nodes": nodes, "edges": edges}


def subgraph(graph: Graph, ids: list[str], public_only: bool) -> dict[str, Rows]:
    """The entities with these ids and every edge among them: what a network view draws."""
    nodes = _nodes_drawn(graph, ids, public_only)
    edges = graph.read(
        f"MATCH (a:{ENTITY_LABEL})-[e]->(b:{ENTITY_LABEL}) WHERE a.id IN $ids AND b.id IN $ids "
        "AND (NOT $public OR (a.sensitivity <> 'restricted' AND e.sensitivity <> 'restricted' "
        "AND b.sensitivity <> 'restricted')) "
        "RETURN e.id AS id, a.id AS source, b.id AS target, type(e) AS type, e.date AS date, "
        "coalesce(e.relation, e.role, e.kind, e.term, e.category) AS detail, e.sources AS sources "
        "ORDER BY source, type, target, id",
        ids=ids,
        public=public_only,
    )
    for edge in edges:
        edge["sources"] = [json.loads(ref) for ref in edge["sources"] or []]
    return {"nodes": nodes, "edges": edges}
