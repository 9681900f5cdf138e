"""Co-defendants from a kept table of acts: the answer the single Cypher statement gave, row for row."""

from __future__ import annotations

import dataclasses

import pytest
from persecution_graph.graph.errors import NotFound
from persecution_graph.graph.scope import Scope
from persecution_graph.graph.store import Graph
from persecution_graph.queries.catalogue import Query, load_catalogue
from persecution_graph.queries.procedures.cases import read_cases

from tests.conftest import statements_read, statements_sent
from tests.queries.procedures.conftest import holding

# The statement co-defendants was until the procedure (queries/procedures/cases.py): one MATCH
# from the person through each of its acts to everyone at the act's far end.
ONE_STATEMENT = """
MATCH (p:Person {id: $id})
WHERE VISIBLE(p)
WITH p
MATCH (p)-[a]->(x)
WHERE type(a) IN $act_types
  AND (a.case IS NOT NULL OR (type(a) = 'SENTENCED_BY' AND a.date_from IS NOT NULL))
  AND VISIBLE(a)
WITH p, a, x
MATCH (x)<-[b]-(o:Person)
WHERE o <> p AND type(a) = type(b)
  AND ((a.case IS NOT NULL AND a.case = b.case)
       OR (type(a) = 'SENTENCED_BY' AND a.date_from IS NOT NULL AND a.date = b.date
           AND coalesce(x.unnamed, false) = false AND coalesce(a.attribution, 'stated') = 'stated'
           AND coalesce(b.attribution, 'stated') = 'stated'))
  AND VISIBLE(b)
WITH o, a, b, x ORDER BY b.date_from, type(b), x.id, a.id, b.id
WITH o, collect(DISTINCT b.case) AS cases,
     collect(DISTINCT toLower(replace(type(b), '_', ' ')) + ' ' + x.name + coalesce(' (' + b.date + ')', '')) AS shared,
     collect(a.sources) + collect(b.sources) AS sources
RETURN o.id AS co_defendant_id, o.name AS co_defendant, cases, shared, sources
ORDER BY co_defendant, co_defendant_id
SKIP $offset LIMIT $limit
"""


def _both() -> tuple[Query, Query]:
    procedure = load_catalogue()["co-defendants"]
    return procedure, dataclasses.replace(procedure, procedure="", cypher=ONE_STATEMENT)


def _persons(graph: Graph) -> list[str]:
    rows = graph.view(Scope.FULL).read("MATCH (p:Person) WHERE VISIBLE(p) RETURN p.id AS id ORDER BY id")
    return [row["id"] for row in rows]


def _same_answers(graph: Graph, persons: list[str], page: dict[str, str]) -> int:
    """How many rows the two answers held, after checking they are equal for every person in
    both scopes: every row, and ``page`` of those with more than one."""
    procedure, statement = _both()
    rows = 0
    for scope in (Scope.FULL, Scope.PUBLIC):
        view = graph.view(scope)
        for person in persons:
            try:
                expected = statement.run(view, {"id": person})
            except NotFound:  # a restricted person, to a public reader: not found either way
                with pytest.raises(NotFound):
                    procedure.run(view, {"id": person})
                continue
            assert procedure.run(view, {"id": person}) == expected, (scope, person)
            rows += len(expected)
            if len(expected) > 1:
                paged = {"id": person, **page}
                assert procedure.run(view, paged) == statement.run(view, paged), (scope, person, page)
    return rows


@pytest.mark.parametrize(("folder", "rows"), [("seed_data", 668), ("tests/fixtures/small", 12)])
def test_every_person_of_the_curated_data_has_the_co_defendants_the_statement_found(
    graph: Graph, folder: str, rows: int
) -> None:
    persons = _persons(holding(graph, folder))
    assert _same_answers(graph, persons, {"offset": "1", "limit": "1"}) == rows


def test_people_of_a_synthetic_corpus_have_the_co_defendants_the_statement_found(synthetic_graph: Graph) -> None:
    """101 of its 1,210 people: cases of thirty, sentences in one month by one busy court or official."""
    persons = _persons(synthetic_graph)[::12]
    assert _same_answers(synthetic_graph, persons, {"offset": "2", "limit": "3"}) == 270


def test_the_acts_that_make_co_defendants_are_read_once_per_load(synthetic_graph: Graph) -> None:
    procedure, _ = _both()
    view = synthetic_graph.view(Scope.FULL)
    persons = _persons(synthetic_graph)
    first = statements_sent(synthetic_graph, lambda: procedure.run(view, {"id": persons[0]}))
    assert sum("type(a) IN $act_types" in statement for statement in first) == 1
    kept = read_cases(view)
    person = next(person for person in persons if procedure.run(view, {"id": person}))
    # then, whether the id exists and its page's evidence: never an act again
    again = statements_read(synthetic_graph, lambda: procedure.run(view, {"id": person}))
    assert len(again) == 2 and "UNWIND $steps AS step" in again[1]
    assert read_cases(view) is kept
