"""The HTTP API with exact bodies, on the real embedded graph."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from persecution_graph.api.main import create_app
from persecution_graph.graph.errors import UserError
from persecution_graph.graph.scope import Scope
from persecution_graph.graph.store import Graph
from persecution_graph.queries.catalogue import load_catalogue

from tests.conftest import SMALL


def test_search_entity_and_errors(small_graph: Graph) -> None:
    client = TestClient(create_app(small_graph))
    assert client.get("/api/search", params={"q": "Nur-Sultan"}).json() == [
        {
            "id": "astana",
            "name": "Astana",
            "labels": ["Place"],
            "score": 1.0,
            "matched": "Nur-Sultan",
            "match": "exact",
            "possibly_same_as": [],
        }
    ]
    body = client.get("/api/entities/zh-smatov").json()
    assert body["labels"] == ["Person", "Official"]
    assert body["sources"] == [{"line": "129", "source": "odf-2018-dck-ban"}]
    assert [r["type"] for r in body["relations"]] == ["HOLDS_POSITION", "SIGNED_EXPLANATION"]
    response = client.get("/api/entities/daughter-of-dilnar-insenova")
    assert (response.status_code, response.json()) == (
        404,
        {
            "error": {
                "status": 404,
                "title": "not found",
                "detail": "no entity with id 'daughter-of-dilnar-insenova'",
            }
        },
    )
    response = client.get("/api/search")
    assert response.status_code == 422
    assert response.json()["error"]["detail"] == [{"where": "query.q", "message": "Field required"}]


def test_possible_duplicates_in_search_and_on_both_entities(small_graph: Graph) -> None:
    client = TestClient(create_app(small_graph))
    assert client.get("/api/search", params={"q": "Lesova"}).json()[0] == {
        "id": "nazira-lesova",
        "name": "Nazira Lesova",
        "labels": ["Person"],
        "score": 0.99,
        "matched": "Nazira Lesova",
        "match": "exact",
        "possibly_same_as": [{"id": "nazira-lepesova", "name": "Nazira Lepesova"}],
    }
    reason = "listed one after the other among the 27; the names differ by two letters, but the text counts them as two"
    evidence = [{"line": "448", "quote": "Nazira Lepesova, Nazira Lesova", "source": "odf-2021-political-prisoners"}]
    for one, other, name in (
        ("nazira-lepesova", "nazira-lesova", "Nazira Lesova"),
        ("nazira-lesova", "nazira-lepesova", "Nazira Lepesova"),
    ):
        assert client.get(f"/api/entities/{one}").json()["possibly_same_as"] == [
            {"id": other, "name": name, "reason": reason, "sources": evidence}
        ]


def test_query_as_json_and_csv(small_graph: Graph) -> None:
    client = TestClient(create_app(small_graph))
    rows = client.get("/api/queries/explanation-signers").json()
    assert [r["official_id"] for r in rows] == ["d-shuykebayev", "zh-smatov"]
    csv = client.get("/api/queries/relations", params={"id": "dck", "format": "csv"})
    assert csv.headers["content-disposition"] == 'attachment; filename="relations.csv"'
    assert csv.text.splitlines()[0] == (
        'Which way,Fact,With,Date,Detail,"Who did it, as the text says",How far it went,Sources,With (record id)'
    )
    assert client.get("/api/queries/nope").status_code == 404
    # An id nobody may open is not found, as the entity page says; for the public, a restricted one too.
    for params in ({"id": "no-such-entity"}, {"id": "daughter-of-dilnar-insenova"}):
        response = client.get("/api/queries/relations", params=params)
        assert (response.status_code, response.json()["error"]["detail"]) == (
            404,
            f"no entity with id {params['id']!r}; find it with search",
        )


def test_query_as_a_spreadsheet(small_graph: Graph) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    client = TestClient(create_app(small_graph))
    response = client.get("/api/queries/explanation-signers", params={"format": "xlsx"})
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["content-disposition"] == 'attachment; filename="explanation-signers.xlsx"'
    sheet = load_workbook(BytesIO(response.content))["Results"]
    assert [c.value for c in sheet[1]][:2] == ["Official", "Post"]
    assert (sheet["A2"].value, sheet["A2"].hyperlink.target) == (
        "D. Shuykebayev",
        "http://testserver/entity/d-shuykebayev",
    )


def test_search_the_report_texts(small_graph: Graph) -> None:
    client = TestClient(create_app(small_graph, data_folder=str(SMALL)))
    found = client.get("/api/search/reports", params={"q": "Лепесова", "limit": 1}).json()
    assert found == {
        "query": "Лепесова",
        "total": 2,  # lines 448 and 465
        "hits": [
            {
                "source": "odf-2021-political-prisoners",
                "title": "Political prisoners and victims of political persecution in Kazakhstan",
                "line": 448,
                "passage": found["hits"][0]["passage"],
                "marks": found["hits"][0]["marks"],
                "highlighted": found["hits"][0]["highlighted"],
                "citation": found["hits"][0]["citation"],
                "cited_by": [
                    {"id": "nazira-lepesova", "name": "Nazira Lepesova"},
                    {"id": "nazira-lesova", "name": "Nazira Lesova"},
                ],
            }
        ],
    }
    assert "«Nazira» «Lepesova»" not in found["hits"][0]["highlighted"]
    assert "«Lepesova»" in found["hits"][0]["highlighted"]
    nothing = client.get("/api/search/reports", params={"q": "Qqqxyzw"}).json()
    assert nothing == {"query": "Qqqxyzw", "total": 0, "hits": []}


def test_long_answers_come_a_page_at_a_time_with_a_link_to_the_next(small_graph: Graph) -> None:
    client = TestClient(create_app(small_graph))
    everything = client.get("/api/queries/relations", params={"id": "natalia-dauletayarova", "limit": 0})
    assert "link" not in everything.headers
    ids = [row["other_id"] for row in everything.json()]
    assert len(ids) == 5
    first = client.get("/api/queries/relations", params={"id": "natalia-dauletayarova", "limit": 2})
    assert [row["other_id"] for row in first.json()] == ids[:2]
    assert first.headers["link"] == '</api/queries/relations?id=natalia-dauletayarova&limit=2&offset=2>; rel="next"'
    second = client.get(first.headers["link"][1 : first.headers["link"].index(">")])
    assert [row["other_id"] for row in second.json()] == ids[2:4]
    # Without a limit, a page of 100 rows: this entity has fewer, so no next page.
    assert client.get("/api/queries/relations", params={"id": "natalia-dauletayarova"}).json() == everything.json()
    csv = client.get("/api/queries/relations", params={"id": "natalia-dauletayarova", "limit": 2, "format": "csv"})
    assert (
        csv.headers["link"]
        == '</api/queries/relations?id=natalia-dauletayarova&limit=2&offset=2&format=csv>; rel="next"'
    )


def test_entities_are_paged_by_type_and_name(small_graph: Graph) -> None:
    client = TestClient(create_app(small_graph))
    assert client.get("/api/entities", params={"type": "Person", "limit": 3, "offset": 1}).json() == {
        "total": 15,
        "limit": 3,
        "offset": 1,
        "items": [
            {"id": "baurzhan-jusupov", "name": "Baurzhan Jusupov", "labels": ["Person", "Businessperson"]},
            {"id": "bekizhan-mendygazyev", "name": "Bekizhan Mendygazyev", "labels": ["Person", "Relative"]},
            {"id": "bota-jardemalie", "name": "Bota Jardemalie", "labels": ["Person", "Exile", "Lawyer"]},
        ],
    }
    body = client.get("/api/entities", params={"q": "Zhusupov"}).json()
    assert [item["id"] for item in body["items"]] == ["baurzhan-jusupov"]
    response = client.get("/api/entities", params={"type": "Planet"})
    assert response.status_code == 422
    assert response.json()["error"]["detail"].startswith("unknown type 'Planet'; one of Person, Organization")


def test_ego_graph_with_sources(small_graph: Graph) -> None:
    client = TestClient(create_app(small_graph))
    body = client.get("/api/graph/ego/nsc").json()
    assert body["center"] == "nsc"
    assert [n["id"] for n in body["nodes"]] == ["barlyk-mendygazyev", "bekizhan-mendygazyev", "nsc"]
    assert [(e["source"], e["type"], e["target"], e["properties"].get("date")) for e in body["edges"]] == [
        ("barlyk-mendygazyev", "EXTRADITION_SOUGHT_BY", "nsc", None),
        ("bekizhan-mendygazyev", "INVESTIGATED_BY", "nsc", "2020-11/2020-12"),
    ]
    # The records as the JSON export writes them: one shape for a subgraph and the whole graph.
    exported = small_graph.view(Scope.PUBLIC).export().as_dict()
    assert body["nodes"] == [
        n for n in exported["nodes"] if n["id"] in ("barlyk-mendygazyev", "bekizhan-mendygazyev", "nsc")
    ]
    assert body["edges"] == [e for e in exported["edges"] if "nsc" in (e["source"], e["target"])]
    assert body["edges"][0]["properties"]["sources"] == [
        {
            "line": "359",
            "quote": "fabricating documents for an extradition request",
            "source": "odf-2021-political-prisoners",
        }
    ]
    assert len(client.get("/api/graph/ego/nsc", params={"depth": 2}).json()["edges"]) == 8
    assert client.get("/api/graph/ego/daughter-of-dilnar-insenova").status_code == 404
    assert client.get("/api/graph/ego/nsc", params={"depth": 4}).json()["error"]["detail"] == [
        {"where": "query.depth", "message": "Input should be less than or equal to 3"}
    ]


def test_export_is_the_public_graph(small_graph: Graph) -> None:
    client = TestClient(create_app(small_graph))
    response = client.get("/api/export/json")
    assert response.headers["content-disposition"] == 'attachment; filename="persecution-graph.json"'
    assert response.json() == small_graph.view(Scope.PUBLIC).export().as_dict()
    assert client.get("/api/export/rdf").json() == {
        "error": {
            "status": 404,
            "title": "not found",
            "detail": "no export format 'rdf'; one of json, graphml, gexf, neo4j-import, cypher, ftm, dump",
        }
    }


def test_query_catalogue_lists_parameter_schemas(small_graph: Graph) -> None:
    client = TestClient(create_app(small_graph))
    listed = {q["name"]: q for q in client.get("/api/queries").json()}
    assert listed["ego-network"]["parameters"] == [
        {
            "name": "id",
            "type": "string",
            "default": None,
            "required": True,
            "description": "id of the entity at the centre",
        },
        {"name": "depth", "type": "int", "default": 1, "required": False, "description": "steps from the centre (1-3)"},
        {"name": "limit", "type": "int", "default": 200, "required": False, "description": "most edges returned"},
    ]
    response = client.get("/api/queries/ego-network", params={"id": "nsc", "depth": "x"})
    assert response.json() == {
        "error": {
            "status": 422,
            "title": "invalid request",
            "detail": [
                {
                    "where": "query.depth",
                    "message": "Input should be a valid integer, unable to parse string as an integer",
                }
            ],
        }
    }


def test_every_query_has_its_parameters_typed_and_bounded_in_the_openapi_document(small_graph: Graph) -> None:
    schema = TestClient(create_app(small_graph)).get("/openapi.json").json()
    declared = {
        p["name"]: (p["required"], p["schema"])
        for p in schema["paths"]["/api/queries/shared-officials"]["get"]["parameters"]
    }
    assert declared["min_victims"] == (
        False,
        {
            "anyOf": [{"type": "integer", "maximum": 1000000000, "minimum": 1}, {"type": "null"}],
            "default": 2,
            "title": "Min Victims",
            "description": "least number of different people",
        },
    )
    assert declared["offset"][1]["anyOf"][0] == {"type": "integer", "maximum": 1000000000, "minimum": 0}
    assert sorted(path for path in schema["paths"] if path.startswith("/api/queries/")) == sorted(
        f"/api/queries/{name}" for name in load_catalogue()
    )


def test_oversized_requests_are_refused_in_the_error_shape(small_graph: Graph) -> None:
    client = TestClient(create_app(small_graph, keys=[]))
    response = client.post("/api/cypher", content=b"x" * (2 << 20), headers={"content-type": "application/json"})
    assert (response.status_code, response.json()["error"]["title"]) == (413, "request too large")
    response = client.get("/api/search", params={"q": "a" * 9000})
    assert response.status_code == 414
    assert client.get("/api/search", params={"q": "a" * 201}).status_code == 422


def test_a_process_answers_api_threads_requests_at_once(small_graph: Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    import anyio.to_thread

    for given, expected in ((None, 4), ("2", 2)):
        if given is not None:
            monkeypatch.setenv("PERSECUTION_GRAPH_API_THREADS", given)
        with TestClient(create_app(small_graph, keys=[])) as client:
            assert client.get("/api/entities/dilnar-insenova").status_code == 200
            limiter = client.portal.call(anyio.to_thread.current_default_thread_limiter)
            assert limiter.total_tokens == expected


@pytest.mark.parametrize("given", ["0", "257", "four", "-1"])
def test_api_threads_out_of_range_is_a_clear_error(
    small_graph: Graph, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    monkeypatch.setenv("PERSECUTION_GRAPH_API_THREADS", given)
    with pytest.raises(
        UserError, match=f"^PERSECUTION_GRAPH_API_THREADS must be a whole number from 1 to 256, not '{given}'$"
    ):
        create_app(small_graph, keys=[])
