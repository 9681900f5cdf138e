"""Generated requests (schemathesis, from our OpenAPI schema) never make the server fail: every
answer is below 500, and every error is in the one JSON shape."""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings
from persecution_graph.api.auth import StoredKey, token_hash
from persecution_graph.api.main import create_app
from persecution_graph.graph.store import Graph

from tests.conftest import SMALL

EXAMPLES = 15


def test_no_generated_request_makes_a_server_error(small_graph: Graph, tmp_path: Path) -> None:
    keys = [StoredKey("eli", "editor", token_hash("editor-token"))]
    app = create_app(small_graph, data_folder=str(SMALL), keys=keys, state_dir=tmp_path)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    tried: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        tried.append(f"{operation.method.upper()} {operation.path}")

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case) -> None:  # type: ignore[no-untyped-def]
            for headers in ({}, {"Authorization": "Bearer editor-token"}):
                response = case.call(headers=headers)
                assert response.status_code < 500, (case.method, case.formatted_path, case.query, case.body)
                if response.status_code >= 400:
                    body = response.json()
                    assert set(body) == {"error"} and set(body["error"]) == {"status", "title", "detail"}

        check()
    assert len(tried) >= 12, tried
