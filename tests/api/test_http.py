"""The HTTP API with exact bodies, on the real embedded graph."""

from __future__ import annotations

from fastapi.testclient import TestClient
from persecution_graph.api.main import create_app
from persecution_graph.graph.store import Graph


def test_search_entity_and_errors(small_graph: Graph) -> None:
    client = TestClient(create_app(small_graph))
    assert client.get("/api/search", params={"q": "Nur-Sultan"}).json() == [
        {"id": "astana", "name": "Astana", "labels": ["Place"], "score": 1.0}
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
                "title": "request failed",
                "detail": "no entity with id 'daughter-of-dilnar-insenova'",
            }
        },
    )
    response = client.get("/api/search")
    assert response.status_code == 422
    assert response.json()["error"]["detail"] == [{"where": "query.q", "message": "Field required"}]


def test_query_as_json_and_csv(small_graph: Graph) -> None:
    client = TestClient(create_app(small_graph))
    rows = client.get("/api/queries/explanation-signers").json()
    assert [r["official_id"] for r in rows] == ["d-shuykebayev", "zh-smatov"]
    csv = client.get("/api/queries/relations", params={"id": "dck", "format": "csv"}).text
    assert csv.splitlines()[0] == "direction,type,other_id,other,date,detail,sources"
    assert client.get("/api/queries/nope").status_code == 404
