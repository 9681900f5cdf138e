"""The exploration view's composition: what a researcher asked to see, as a picture.

A :class:`ViewState` is everything the researcher composed: depth (1-3), the link types and
entity kinds hidden, a date range, the entities expanded and the groups opened. It travels in
the URL (``/views/network/ID?depth=2&hide_links=LISTED_IN&open=...``), so the interactive page,
the frozen snapshot, the SVG, the PNG and ``persecution-graph viz --state`` all draw the same
picture from it: :func:`compose` is the one place it becomes a picture.

Large surroundings stay readable by grouping: where many entities hang on one node by the same
kind of tie and by nothing else further out (85 people "sentenced by" one court), they are drawn
as one group node, "sentenced by (85)", which opens on click.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from ..graph.errors import QueryError
from ..graph.model import Model
from ..graph.scope import View
from ..queries.procedures import NOT_STATED
from ..queries.subgraphs import ego_subgraph, link_counts, links_of
from .picture import GROUP_KIND, Picture, drawn_edge, drawn_node, kinds, type_label

# Above this many nodes, ties of one kind on one node are grouped, the largest crowds first.
NODE_BUDGET = 70
# A group stands for at least this many ties of one kind (more mixed ones if still too large).
GROUP_MIN = 4
MIXED_GROUP_MIN = 3
DEFAULT_LIMIT = 2000
MOST_LINKS = 20000
# Links added per expanded entity at most, and entities expanded or groups opened at most.
EXPAND_LIMIT = 500
MOST_STEPS = 60
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
ENTITY_ID = re.compile(r"^[^,\s]{1,200}$")


@dataclass(frozen=True)
class ViewState:
    """What the researcher composed; the defaults draw an entity's 1-step surroundings whole."""

    depth: int = 1
    hide_links: tuple[str, ...] = ()
    hide_kinds: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    undated: bool = True
    expand: tuple[str, ...] = ()
    open: tuple[str, ...] = ()
    limit: int = DEFAULT_LIMIT

    @classmethod
    def parse(cls, given: Mapping[str, str], model: Model) -> ViewState:
        """The state from URL parameters; a value that is not understood is the caller's mistake,
        said in a sentence (QueryError, 400)."""
        state = cls(
            depth=_bounded_int(given, "depth", 1, 1, 3),
            hide_links=_names(given, "hide_links", list(model.edges)),
            hide_kinds=_names(given, "hide_kinds", kinds(model)),
            since=_date(given, "from"),
            until=_date(given, "to"),
            undated=given.get("undated", "1") not in ("0", "false", "no"),
            expand=_ids(given, "expand"),
            open=_ids(given, "open"),
            limit=_bounded_int(given, "limit", DEFAULT_LIMIT, 1, MOST_LINKS),
        )
        if state.since and state.until and _low(state.since) > _high(state.until):
            raise QueryError(f"the date range ends ({state.until}) before it starts ({state.since})")
        return state

    def query(self) -> str:
        """The state as a URL query string, only what differs from the defaults, in one order."""
        pairs: list[tuple[str, str]] = []
        if self.depth != 1:
            pairs.append(("depth", str(self.depth)))
        for name in ("hide_links", "hide_kinds", "expand", "open"):
            if getattr(self, name):
                pairs.append((name, ",".join(getattr(self, name))))
        if self.since:
            pairs.append(("from", self.since))
        if self.until:
            pairs.append(("to", self.until))
        if not self.undated:
            pairs.append(("undated", "0"))
        if self.limit != DEFAULT_LIMIT:
            pairs.append(("limit", str(self.limit)))
        return urlencode(pairs, safe=",:")

    def with_changes(self, **changes: Any) -> ViewState:
        return replace(self, **changes)


def _bounded_int(given: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    text = given.get(name)
    if text in (None, ""):
        return default
    try:
        number = int(str(text))
    except ValueError:
        raise QueryError(f"{name} must be a whole number from {low} to {high}, not {text!r}") from None
    if not low <= number <= high:
        raise QueryError(f"{name} must be from {low} to {high}, not {number}")
    return number


def _split(given: Mapping[str, str], name: str) -> list[str]:
    return [part.strip() for part in str(given.get(name) or "").split(",") if part.strip()]


def _names(given: Mapping[str, str], name: str, known: list[str]) -> tuple[str, ...]:
    parts = _split(given, name)
    unknown = [part for part in parts if part not in known]
    if unknown:
        raise QueryError(f"{name}: {', '.join(unknown)} is not one of {', '.join(known)}")
    return tuple(sorted(set(parts), key=known.index))


def _ids(given: Mapping[str, str], name: str) -> tuple[str, ...]:
    parts = list(dict.fromkeys(_split(given, name)))
    if len(parts) > MOST_STEPS:
        raise QueryError(f"{name}: at most {MOST_STEPS} entries, not {len(parts)}")
    bad = [part for part in parts if not ENTITY_ID.match(part)]
    if bad:
        raise QueryError(f"{name}: {bad[0]!r} is not an id")
    return tuple(parts)


def _date(given: Mapping[str, str], name: str) -> str | None:
    text = str(given.get(name) or "").strip()
    if not text:
        return None
    if not DATE.match(text):
        raise QueryError(f"{name} must be a date as YYYY, YYYY-MM or YYYY-MM-DD, not {text!r}")
    return text


def _low(date: str) -> str:
    return date + "-01-01"[len(date) - 4 :]


def _high(date: str) -> str:
    return date + "-12-31"[len(date) - 4 :]


def in_range(date: Any, since: str | None, until: str | None, undated: bool) -> bool:
    """Whether a fact's date (a day, month or year, or a range "a/b") meets the range; a fact
    with no date is kept if `undated`."""
    if not since and not until:
        return True
    text = str(getattr(date, "text", date) or "").strip()
    if not text:
        return undated
    start, _, end = text.partition("/")
    start, end = start[:10], (end or start)[:10]
    return (not since or _high(end) >= _low(since)) and (not until or _low(start) <= _high(until))


# -- composing -------------------------------------------------------------------------------


def compose(view: View, entity_id: str, state: ViewState) -> Picture | None:
    """The picture of an entity's surroundings as the state asks, through the caller's view
    (None if the entity is not there or not visible to it). Its parts (the surroundings, the
    links of the entities expanded, how many links each has) are read by statements of their
    own: all of one generation, or all read again (a load may end between them)."""
    return view.in_one_generation(lambda: _compose(view, entity_id, state))


def _compose(view: View, entity_id: str, state: ViewState) -> Picture | None:
    model = view.model
    found = ego_subgraph(view, entity_id, state.depth, state.limit)
    if not found.nodes:
        return None
    nodes = {node.id: drawn_node(node, model) for node in found.nodes}
    edges = {edge.id: drawn_edge(edge) for edge in found.edges}
    cuts = [_cut_sentence(found.cut, state.depth)] if found.cut else []
    expanded = [node_id for node_id in state.expand if node_id in nodes and not _no_one(nodes[node_id])]
    if expanded:
        more = links_of(view, expanded, EXPAND_LIMIT * len(expanded))
        for node in more.nodes:
            if node.id not in nodes:
                nodes[node.id] = drawn_node(node, model)
        for edge in more.edges:
            if edge.id not in edges:
                edges[edge.id] = drawn_edge(edge)
        if more.cut:
            cuts.append(f"The expanded entities' links stop at {more.cut:,} (at most {EXPAND_LIMIT:,} each).")
    offered_links = Counter(edge["type"] for edge in edges.values())
    offered_kinds = Counter(node["kind"] for node in nodes.values())
    kept_edges = [
        edge
        for edge in sorted(edges.values(), key=lambda e: (e["source"], e["type"], e["target"], e["id"]))
        if edge["type"] not in state.hide_links and in_range(edge.get("date"), state.since, state.until, state.undated)
    ]
    kept_nodes = {
        node_id: node for node_id, node in nodes.items() if node_id == entity_id or node["kind"] not in state.hide_kinds
    }
    kept_edges = [e for e in kept_edges if e["source"] in kept_nodes and e["target"] in kept_nodes]
    hops = _steps(entity_id, kept_nodes, kept_edges)
    drawn_nodes = [kept_nodes[node_id] for node_id in sorted(hops)]
    drawn_edges = [e for e in kept_edges if e["source"] in hops and e["target"] in hops]
    totals = link_counts(view, [node["id"] for node in drawn_nodes])
    for node in drawn_nodes:
        node["hop"] = hops[node["id"]]
        node["links"] = totals.get(node["id"], 0)
    drawn_nodes, drawn_edges, groups = group_ties(drawn_nodes, drawn_edges, entity_id, state, model)
    center = nodes[entity_id]
    return Picture(
        title=center.get("name") or entity_id,
        nodes=drawn_nodes,
        edges=drawn_edges,
        center=entity_id,
        note=_note(
            center, state, found.reached if not cuts else state.depth, groups, [nodes[n] for n in expanded], model
        ),
        state=state.query(),
        cut=" ".join(cuts),
        offered_links=dict(offered_links),
        offered_kinds=dict(offered_kinds),
    )


def _no_one(node: dict[str, Any]) -> bool:
    """perpetrator-not-stated is no one: a picture does not go on through it."""
    return NOT_STATED in node.get("labels", ())


def _steps(center: str, nodes: dict[str, dict[str, Any]], edges: list[dict[str, Any]]) -> dict[str, int]:
    """Steps from the centre over the links kept, not through perpetrator-not-stated."""
    around: dict[str, list[str]] = defaultdict(list)
    for edge in edges:
        around[edge["source"]].append(edge["target"])
        around[edge["target"]].append(edge["source"])
    hops = {center: 0}
    frontier = [center]
    while frontier:
        reached = []
        for node_id in frontier:
            if node_id != center and _no_one(nodes[node_id]):
                continue
            for other in around[node_id]:
                if other not in hops:
                    hops[other] = hops[node_id] + 1
                    reached.append(other)
        frontier = sorted(reached)
    return hops


def _cut_sentence(cut: dict[str, int], depth: int) -> str:
    whole = "step 1 is" if cut["step"] == 2 else f"steps 1-{cut['step'] - 1} are"
    told = f"Stopped at {cut['limit']:,} links (the limit) while adding step {cut['step']} of {depth}"
    more = f"a higher limit (at most {MOST_LINKS:,}) draws more."
    if cut["step"] == 1:
        return f"{told}: even step 1 is not whole; {more}"
    return f"{told}: {whole} whole, step {cut['step']} is not; {more}"


def _note(
    center: dict[str, Any],
    state: ViewState,
    reached: int,
    groups: list[dict[str, Any]],
    expanded: list[dict[str, Any]],
    model: Model,
) -> str:
    steps = "1 step" if state.depth == 1 else f"{state.depth} steps"
    parts = [f"Everything within {steps} of {center.get('name') or center['id']}"]
    if reached < state.depth:
        parts[0] += f" (nothing lies further than {reached} step{'s' if reached != 1 else ''})"
    if expanded:
        parts.append("with the links of " + ", ".join(node.get("name") or node["id"] for node in expanded))
    if state.hide_links:
        parts.append("without " + ", ".join(f'"{type_label(t, model)}"' for t in state.hide_links))
    if state.hide_kinds:
        parts.append("without " + ", ".join(state.hide_kinds))
    if state.since or state.until:
        span = f"{state.since or '…'} to {state.until or '…'}"
        parts.append(f"links dated {span}" + (", undated links kept" if state.undated else ", undated links left out"))
    note = "; ".join(parts) + "."
    if groups:
        ties = sum(len(group["members"]) for group in groups)
        drawn_as = "1 group" if len(groups) == 1 else f"{len(groups)} groups"
        note += f" {ties} entities are drawn as {drawn_as} (click a group to open it)."
    return note


# -- grouping --------------------------------------------------------------------------------


def group_ties(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]], center: str, state: ViewState, model: Model
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Nodes and edges with crowds drawn as groups, and the groups.

    An entity can join a group when it leads nowhere further out (every link it has in the
    picture goes to an entity nearer the centre) and the reader did not expand it or open its
    group. Its tie is the one to the most connected entity one step nearer the centre. While the
    picture has more than NODE_BUDGET nodes, the largest crowd with one tie of one kind on one
    entity (at least GROUP_MIN) becomes a group; then, if still too many, the largest crowd on
    one entity whatever its ties (at least MIXED_GROUP_MIN).
    """
    hop = {node["id"]: node["hop"] for node in nodes}
    around: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for edge in edges:
        around[edge["source"]].append((edge["target"], edge))
        around[edge["target"]].append((edge["source"], edge))
    kept = {center, *state.expand}
    ties: dict[str, tuple[str, str, str]] = {}
    for node in nodes:
        node_id = node["id"]
        if node_id in kept or not around[node_id] or any(hop[o] >= hop[node_id] for o, _ in around[node_id]):
            continue
        nearer = [(o, e) for o, e in around[node_id] if hop[o] == hop[node_id] - 1]
        parent = min(nearer, key=lambda pair: (-len(around[pair[0]]), pair[0]))[0]
        edge = min((e for o, e in nearer if o == parent), key=lambda e: (e["type"], e["source"] != node_id, e["id"]))
        ties[node_id] = (parent, edge["type"], "out" if edge["source"] == node_id else "in")
    crowds: dict[str, list[str]] = defaultdict(list)
    for node_id, (parent, kind, direction) in ties.items():
        crowds[f"group:{parent}:{kind}:{direction}"].append(node_id)
    opened = {member for gid in state.open for member in crowds.get(gid, [])}
    count = len(nodes)
    chosen: dict[str, list[str]] = {}
    for gid, members in sorted(crowds.items(), key=lambda item: (-len(item[1]), item[0])):
        if count <= NODE_BUDGET or len(members) < GROUP_MIN:
            break
        if gid not in state.open:
            chosen[gid] = members
            count -= len(members) - 1
    if count > NODE_BUDGET:
        taken = {member for members in chosen.values() for member in members} | opened
        mixed: dict[str, list[str]] = defaultdict(list)
        for node_id, (parent, _, _) in ties.items():
            if node_id not in taken:
                mixed[f"group:{parent}:various"].append(node_id)
        for gid, members in sorted(mixed.items(), key=lambda item: (-len(item[1]), item[0])):
            if count <= NODE_BUDGET or len(members) < MIXED_GROUP_MIN:
                break
            if gid not in state.open:
                chosen[gid] = members
                count -= len(members) - 1
    return _drawn_with_groups(nodes, edges, chosen, ties, model)


def _drawn_with_groups(
    nodes: list[dict[str, Any]],
    edges: list[dict[str, Any]],
    chosen: dict[str, list[str]],
    ties: dict[str, tuple[str, str, str]],
    model: Model,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    by_id = {node["id"]: node for node in nodes}
    member_of = {member: gid for gid, members in chosen.items() for member in members}
    groups = []
    for gid, members in chosen.items():
        parent, kind, _ = ties[members[0]]
        first = by_id[members[0]]
        member_kinds = {by_id[m]["kind"] for m in members}
        words = "various ties" if gid.endswith(":various") else type_label(kind, model)
        groups.append(
            {
                "id": gid,
                "name": f"{words} ({len(members)})",
                "labels": [],
                "kind": member_kinds.pop() if len(member_kinds) == 1 else GROUP_KIND,
                "hop": first["hop"],
                "links": 0,
                "parent": parent,
                "members": sorted(
                    ({"id": m, "name": by_id[m].get("name") or m} for m in members), key=lambda m: (m["name"], m["id"])
                ),
                "sources": [],
            }
        )
    drawn_edges = [e for e in edges if e["source"] not in member_of and e["target"] not in member_of]
    summed: dict[tuple[str, str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for edge in edges:
        if edge["source"] in member_of:
            summed[(member_of[edge["source"]], edge["type"], edge["target"], "out")].append(edge)
        elif edge["target"] in member_of:
            summed[(member_of[edge["target"]], edge["type"], edge["source"], "in")].append(edge)
    for (gid, kind, other, direction), members_edges in sorted(summed.items()):
        sources = _union_sources(members_edges)
        group = next(g for g in groups if g["id"] == gid)
        parent_tie = gid.endswith(f":{kind}:{direction}") and other == group["parent"]
        drawn_edges.append(
            {
                "id": f"{gid}>{kind}:{direction}:{other}",
                "source": gid if direction == "out" else other,
                "target": other if direction == "out" else gid,
                "type": kind,
                "date": None,
                "detail": None,
                "count": len({e["source"] if direction == "out" else e["target"] for e in members_edges}),
                # The group's own tie is said by the group's name; its line needs no words.
                "silent": parent_tie,
                "sources": sources,
            }
        )
        group["sources"] = _union_sources([group, {"sources": sources}])
    drawn_nodes = [node for node in nodes if node["id"] not in member_of] + groups
    return drawn_nodes, drawn_edges, groups


def _union_sources(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[tuple[str, str, str], dict[str, Any]] = {}
    for item in items:
        for ref in item.get("sources") or []:
            seen.setdefault((ref["source"], str(ref.get("line") or ""), str(ref.get("quote") or "")), ref)
    return [seen[k] for k in sorted(seen)]
