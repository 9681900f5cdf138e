"""Same answers on every engine: the bundled data loaded on each, every named query run with
the parameters the tests use, search, exports and dump/import compared whole.

Rows are compared in the order the query gives (every named query orders its rows); lists
inside a row are compared as given too, since every query orders what it collects.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from persecution_graph.graph.formats.dump import read_dump, write_dump
from persecution_graph.graph.formats.ftm import to_ftm_lines
from persecution_graph.graph.formats.graphs import to_graphml, to_json
from persecution_graph.graph.scope import Scope, expand, scope_of
from persecution_graph.graph.store import Graph
from persecution_graph.loaders.validate import validate
from persecution_graph.queries.catalogue import load_catalogue
from persecution_graph.queries.search import search

SEED = Path(__file__).parents[2] / "seed_data"

# Parameters per query, as the catalogue and seed-data tests use them (entities of the seed data).
PARAMETERS: dict[str, list[dict[str, str]]] = {
    "relations": [{"id": "mukhtar-ablyazov"}, {"id": "almaty-police"}, {"id": "dilnar-insenova"}],
    "official-footprint": [{"id": "atyrau-court-of-appeal"}, {"id": "astana-prosecutors-office"}, {"id": "zh-smatov"}],
    "co-defendants": [{"id": "rinat-batkayev"}, {"id": "dilnar-insenova"}],
    "timeline": [{"id": "dck"}, {"id": "bekizhan-mendygazyev"}, {"id": "almaty"}],
    "path": [{"from": "dilnar-insenova", "to": "almaty-police"}, {"from": "barlyk-mendygazyev", "to": "nsc"}],
    "ego-network": [{"id": "bekizhan-mendygazyev"}, {"id": "bekizhan-mendygazyev", "depth": "2", "limit": "300"}],
    "political-prisoners": [{}, {"as_of": "2020-03-20"}],
    "shared-officials": [{}, {"min_victims": "1"}],
    "centrality": [{"limit": "10"}],
    "communities": [{"min_size": "3"}],
}
SEARCHES = ["Mendygaziev", "Smatov", "Ablyazov", "Insenova", "Koshe Partiyasy", "police Almaty"]


@pytest.fixture(scope="module")
def seed_graphs(every_graph: dict[str, Graph]) -> dict[str, Graph]:
    """Every engine holding the bundled data: the first as the files tell it, the others in
    the reverse order, so an answer that follows the order rows were written in (the engines
    return rows in that order) differs too."""
    dataset = validate(SEED).dataset
    first, *others = every_graph.values()
    first.replace(dataset)
    for graph in others:
        with graph.writer(expected_records=len(dataset)) as writer:
            for node in reversed(list(dataset.nodes.values())):
                writer.node(node)
            for edge in reversed(dataset.edges):
                writer.edge(edge)
    return every_graph


def _cases() -> list[tuple[str, dict[str, str]]]:
    return [(name, params) for name in sorted(load_catalogue()) for params in PARAMETERS.get(name, [{}])]


def _same(answers: dict[str, Any]) -> None:
    """Every engine's answer equals the first one's (the embedded engine's)."""
    (first, expected), *others = answers.items()
    for name, answer in others:
        assert answer == expected, f"{name} differs from {first}"


@pytest.mark.parametrize("public_only", [False, True], ids=["all", "public"])
@pytest.mark.parametrize(
    ("name", "params"), _cases(), ids=lambda value: json.dumps(value) if isinstance(value, dict) else value
)
def test_every_named_query(seed_graphs: dict[str, Graph], name: str, params: dict[str, str], public_only: bool) -> None:
    query = load_catalogue()[name]
    answers = {engine: query.run(graph.view(scope_of(public_only)), params) for engine, graph in seed_graphs.items()}
    assert next(iter(answers.values())) or name in ("co-defendants",), "a comparison of empty answers proves little"
    _same(answers)


def test_search(seed_graphs: dict[str, Graph]) -> None:
    for text in SEARCHES:
        _same({engine: search(graph.view(Scope.FULL), text) for engine, graph in seed_graphs.items()})
        _same({engine: search(graph.view(Scope.PUBLIC), text) for engine, graph in seed_graphs.items()})


@pytest.mark.parametrize("public_only", [False, True], ids=["all", "public"])
def test_exports(seed_graphs: dict[str, Graph], public_only: bool) -> None:
    exported = {engine: graph.view(scope_of(public_only)).export() for engine, graph in seed_graphs.items()}
    assert len(next(iter(exported.values())).nodes) >= 700
    for render in (to_json, to_graphml, to_ftm_lines):
        _same({engine: render(data) for engine, data in exported.items()})
    _same({engine: graph.view(scope_of(public_only)).dump() for engine, graph in seed_graphs.items()})


def test_a_dump_from_any_engine_restores_identically_on_every_engine(
    seed_graphs: dict[str, Graph], tmp_path: Path
) -> None:
    dumps = {engine: graph.view(Scope.FULL).dump() for engine, graph in seed_graphs.items()}
    _same(dumps)
    for source, dump in dumps.items():
        path = tmp_path / f"{source}.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            write_dump(handle, dump, public_only=False)
        for engine, graph in seed_graphs.items():
            graph.restore(read_dump(path))
            assert graph.view(Scope.FULL).dump() == dump, f"dump of {source} restored on {engine}"


def _statements() -> dict[str, str]:
    """Every Cypher statement of the catalogue (and its variants) and of the query modules."""
    from persecution_graph.queries import search, subgraphs
    from persecution_graph.queries.procedures import analytics, custody, hostages, network, paths, relations

    found = {}
    for query in load_catalogue().values():
        if query.cypher:
            found[query.name] = query.cypher
        found.update({f"{query.name} ({engine})": text for engine, text in query.variants})
    for module in (custody, network, hostages, paths, analytics, relations, search, subgraphs):
        for name, value in vars(module).items():
            if name.isupper() and isinstance(value, str) and "RETURN" in value:
                found[f"{module.__name__.rsplit('.', 1)[1]}.{name}"] = value
    return found


def test_no_statement_uses_what_neo4j_deprecates(every_graph: dict[str, Graph]) -> None:
    """The driver asks for no notifications (graph/store.py); here Neo4j is asked for them."""
    from neo4j import NotificationClassification

    graph = every_graph.get("neo4j")
    if graph is None:
        pytest.skip("Neo4j is not among the engines")
    statements = _statements()
    assert len(statements) >= 15
    deprecated = {}
    with graph.driver.session(database=graph.database, notifications_min_severity="INFORMATION") as session:
        for name, cypher in statements.items():
            summary = session.run("EXPLAIN " + expand(cypher, Scope.PUBLIC)).consume()
            found = [
                s.status_description
                for s in summary.gql_status_objects
                if s.classification == NotificationClassification.DEPRECATION
            ]
            if found:
                deprecated[name] = found
    assert deprecated == {}
