"""The SQLite file Datasette serves in the benchmark holds the same entity with the same
relations as the API's entity page (bench/datasette.py)."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from persecution_graph.api.main import create_app
from persecution_graph.bench.datasette import entity_with_relations, write_sqlite
from persecution_graph.graph.scope import Scope
from persecution_graph.graph.store import Graph


def test_the_canned_query_answers_the_entity_and_its_relations(small_graph: Graph, tmp_path: Path) -> None:
    path = tmp_path / "graph.db"
    write_sqlite(small_graph.view(Scope.PUBLIC).export(), path)
    assert path.stat().st_mode & 0o777 == 0o600
    found = entity_with_relations(path, "nsc")
    assert found is not None
    assert (found["id"], found["type"], json.loads(found["labels"])) == (
        "nsc",
        "Organization",
        ["Organization", "SecurityService"],
    )
    relations = json.loads(found["relations"])
    assert sorted((r["source"], r["type"], r["target"]) for r in relations) == [
        ("barlyk-mendygazyev", "EXTRADITION_SOUGHT_BY", "nsc"),
        ("bekizhan-mendygazyev", "INVESTIGATED_BY", "nsc"),
    ]
    page = TestClient(create_app(small_graph)).get("/api/entities/nsc").json()
    assert json.loads(found["properties"]) == page["properties"]
    assert sorted((r["type"], r["other_id"]) for r in page["relations"]) == sorted(
        (r["type"], r["source"]) for r in relations
    )
    # Restricted records are not in the public file.
    assert entity_with_relations(path, "daughter-of-dilnar-insenova") is None
