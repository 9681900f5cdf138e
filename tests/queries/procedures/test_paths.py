"""Shortest chains from arrays: the chain the walk over dictionaries found, step for step."""

from __future__ import annotations

import itertools

import pytest
from persecution_graph.graph.scope import Scope
from persecution_graph.graph.store import Graph
from persecution_graph.queries.procedures.network import Links, order_of, read_links, text_ranks
from persecution_graph.queries.procedures.paths import MAX_PATH_STEPS, adjacency_of, shortest_chain

from tests.queries.procedures.conftest import holding

Neighbours = dict[str, list[tuple[str, str]]]


def _neighbours(links: Links) -> Neighbours:
    """Each entity's sorted (neighbour, edge) pairs, as the search over dictionaries read them."""
    adjacency: Neighbours = {}
    for node in sorted(links.of):
        if node in links.no_one:
            continue
        neighbours = []
        for source, type_, target, edge in links.of[node]:
            other = target if source == node else source
            if type_ != "POSSIBLY_SAME_AS" and other not in links.no_one:
                neighbours.append((other, edge))
        if neighbours:
            adjacency[node] = sorted(neighbours)
    return adjacency


def _walked(adjacency: Neighbours, start: str, goal: str) -> list[tuple[str, str, str]]:
    """The search path ran until the arrays (queries/procedures/paths.py): both ends at once,
    a level at a time, over dictionaries."""
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
            meeting = min(candidates)[1]
            break
        frontiers[side] = reached
    if meeting is None:
        return []
    chain: list[tuple[str, str, str]] = []
    node = meeting
    while (step := parents[0][node]) is not None:
        chain.insert(0, (step[0], node, step[1]))
        node = step[0]
    node = meeting
    while (step := parents[1][node]) is not None:
        chain.append((node, step[0], step[1]))
        node = step[0]
    return chain


def _same_chains(graph: Graph, every: int) -> tuple[int, int, int]:
    """Pairs compared, pairs joined by a chain, and their steps, after checking that both
    searches give the same chain for every pair of every ``every``-th entity, in both scopes."""
    pairs = joined = steps = 0
    for scope in (Scope.FULL, Scope.PUBLIC):
        links = read_links(graph.view(scope))
        adjacency, neighbours = adjacency_of(links, order_of(links)), _neighbours(links)
        entities = sorted(links.of)[::every] + ["no-such-entity"]
        for start, goal in itertools.permutations(entities, 2):
            chain = shortest_chain(adjacency, start, goal)
            assert chain == _walked(neighbours, start, goal), (scope, start, goal)
            pairs += 1
            joined += bool(chain)
            steps += len(chain)
    return pairs, joined, steps


@pytest.mark.parametrize(
    ("folder", "every", "found"),
    [("seed_data", 20, (2664, 2376, 9912)), ("tests/fixtures/small", 1, (2450, 1074, 4174))],
)
def test_the_curated_data_has_the_chains_the_walk_over_dictionaries_found(
    graph: Graph, folder: str, every: int, found: tuple[int, int, int]
) -> None:
    assert _same_chains(holding(graph, folder), every) == found


def test_a_synthetic_corpus_has_the_chains_the_walk_over_dictionaries_found(synthetic_graph: Graph) -> None:
    """Hubs (courts and officials with hundreds of acts), loops and duplicates' doubts."""
    assert _same_chains(synthetic_graph, 60) == (1300, 1200, 3968)


@pytest.mark.parametrize(
    "texts",
    [["b", "a", "ab", "a", ""], ["é", "e", "z", "ä", "e"]],  # ASCII (compared as bytes), and not
)
def test_texts_are_ranked_in_the_order_python_sorts_them(texts: list[str]) -> None:
    ranks = text_ranks(texts).tolist()
    distinct = sorted(set(texts))
    assert ranks == [distinct.index(text) for text in texts]
