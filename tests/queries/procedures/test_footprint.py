"""Footprints in arrays, put in order once per load: the pages the order made per call gave."""

from __future__ import annotations

import heapq
from operator import itemgetter

import pytest
from persecution_graph.graph.scope import Scope, View
from persecution_graph.graph.store import Graph
from persecution_graph.queries.procedures import agent_ends
from persecution_graph.queries.procedures.footprint import (
    FACTS_CYPHER,
    POST,
    UNDATED,
    Entry,
    _act_words,
    footprint_page,
)
from persecution_graph.queries.procedures.network import read_links

from tests.queries.procedures.conftest import holding

PAGES = ((0, 10**9), (1, 3), (2, 7))  # every entry, and two pages (start, end)


Facts = dict[str, tuple[str, str | None, str | None]]


def _facts(view: View) -> Facts:
    """Each act's and post's attribution, first day and involvement, by edge id."""
    return {row[0]: tuple(row[1:]) for row in view.read_plain_table(FACTS_CYPHER, act_types=view.model.act_types())}


def _ordered_per_call(
    view: View, facts: Facts, centre: str, include_inferred: bool, start: int, end: int
) -> list[Entry]:
    """The page official-footprint made at each call until the arrays: the entity's links and
    its staff's, each act's key built and the page's first entries put in order."""
    links = read_links(view)
    agents = agent_ends(view)
    staff = sorted({link[0] for link in links.of.get(centre, ()) if link[1] == POST and link[2] == centre})
    wanted = {"stated", "inferred"} if include_inferred else {"stated"}
    ordered = []
    for actor in dict.fromkeys([centre, *staff]):
        for link in links.of.get(actor, ()):
            source, type_, target, edge = link
            agent = agents.get(type_)
            ends = [source] if target == actor and agent == "to" else []
            ends += [target] if source == actor and (agent == "from" or type_ == POST) else []
            for other in ends:
                attribution, date_from, involvement = facts.get(edge, ("", None, None))
                if attribution in wanted:
                    act = _act_words(type_, involvement)
                    key = (attribution == "inferred", date_from or UNDATED, act, other, actor, edge)
                    ordered.append((key, (link, actor, act)))
    first = heapq.nsmallest(end, ordered, key=itemgetter(0)) if end < len(ordered) else sorted(ordered)
    return [entry for _, entry in first[start:end]]


def _same_pages(graph: Graph, every: int) -> tuple[int, int]:
    """Entities compared and entries listed, after checking that both ways give the same
    pages of every ``every``-th linked entity, in both scopes, with and without inferred acts."""
    entities = entries = 0
    for scope in (Scope.FULL, Scope.PUBLIC):
        view = graph.view(scope)
        facts = _facts(view)
        for centre in sorted(read_links(view).of)[::every] + ["no-such-entity"]:
            entities += 1
            for include_inferred in (False, True):
                for start, end in PAGES:
                    expected = _ordered_per_call(view, facts, centre, include_inferred, start, end)
                    assert footprint_page(view, centre, include_inferred, start, end) == expected, (
                        scope, centre, include_inferred, start, end,
                    )  # fmt: skip
                    entries += len(expected) if (start, end) == PAGES[0] and include_inferred else 0
    return entities, entries


@pytest.mark.parametrize(
    ("folder", "every", "found"), [("seed_data", 4, (358, 159)), ("tests/fixtures/small", 1, (71, 48))]
)
def test_the_curated_data_has_the_footprints_ordered_per_call(
    graph: Graph, folder: str, every: int, found: tuple[int, int]
) -> None:
    assert _same_pages(holding(graph, folder), every) == found


def test_a_synthetic_corpus_has_the_footprints_ordered_per_call(synthetic_graph: Graph) -> None:
    """Busy courts and officials (hundreds of acts), institutions with staff, inferred acts."""
    assert _same_pages(synthetic_graph, 10) == (300, 280)
