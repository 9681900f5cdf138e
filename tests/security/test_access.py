"""Keys, counts, headers and parameters, attacked through the HTTP API on the real engine."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from persecution_graph.api.auth import add_key, remove_key
from persecution_graph.api.main import create_app
from persecution_graph.graph import errors
from persecution_graph.graph.scope import Scope
from persecution_graph.graph.store import Graph
from persecution_graph.loaders.validate import validate

from tests.conftest import SMALL

MINOR = "daughter-of-dilnar-insenova"


def test_a_key_works_from_the_request_after_it_is_added_and_stops_after_it_is_removed(
    small_graph: Graph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PERSECUTION_GRAPH_API_KEYS_FILE", str(tmp_path / "keys.json"))
    monkeypatch.delenv("PERSECUTION_GRAPH_API_KEYS", raising=False)
    client = TestClient(create_app(small_graph, state_dir=tmp_path))  # keys from the file, no restart
    token = add_key(tmp_path, "lawyer", "reader")
    assert client.get(f"/api/entities/{MINOR}", headers={"X-API-Key": token}).status_code == 200
    other = add_key(tmp_path, "journalist", "reader")
    assert client.get(f"/api/entities/{MINOR}", headers={"X-API-Key": other}).status_code == 200
    assert remove_key(tmp_path, "lawyer")
    response = client.get(f"/api/entities/{MINOR}", headers={"X-API-Key": token})
    assert (response.status_code, response.json()["error"]["detail"]) == (401, "unknown API key")
    assert client.get(f"/api/entities/{MINOR}", headers={"X-API-Key": other}).status_code == 200


def test_a_broken_keys_file_refuses_keys_instead_of_keeping_old_ones(
    small_graph: Graph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = tmp_path / "keys.json"
    monkeypatch.setenv("PERSECUTION_GRAPH_API_KEYS_FILE", str(keys))
    monkeypatch.delenv("PERSECUTION_GRAPH_API_KEYS", raising=False)
    client = TestClient(create_app(small_graph, state_dir=tmp_path))
    token = add_key(tmp_path, "lawyer", "reader")
    assert client.get("/api/health", headers={"X-API-Key": token}).status_code == 200
    keys.write_text("{not json")
    response = client.get("/api/health", headers={"X-API-Key": token})
    assert response.status_code == 503
    assert response.json()["error"]["title"] == "API keys unavailable"


def test_public_counts_count_only_what_the_public_may_open(small_graph: Graph, tmp_path: Path) -> None:
    client = TestClient(create_app(small_graph, keys=None, state_dir=tmp_path))
    assert client.get("/api/health").json() == {"status": "ok", "engine": small_graph.engine, "entities": 38}
    listed = client.get("/api/entities", params={"limit": 500}).json()
    assert listed["total"] == 38 == len(listed["items"])
    assert small_graph.view(Scope.FULL).count() == 39
    assert (
        small_graph.view(Scope.PUBLIC).stats()["nodes"]["Person"]
        == small_graph.view(Scope.FULL).stats()["nodes"]["Person"] - 1
    )


@pytest.mark.parametrize(
    "url",
    [
        "/api/queries/timeline?id=dilnar-insenova&offset=9223372036854775808",
        "/api/queries/timeline?id=dilnar-insenova&offset=-1",
        "/api/queries/timeline?id=dilnar-insenova&limit=99999999999999999999",
        "/api/queries/shared-officials?min_victims=18446744073709551616",
        "/api/queries/official-footprint?id=nsc&offset=" + "9" * 5000,
        "/api/queries/ego-network?id=nsc&depth=4",
        "/queries/timeline?id=dilnar-insenova&offset=9223372036854775808",
        "/queries/shared-officials?min_victims=9223372036854775808",
        "/views/query/shared-officials?min_victims=9223372036854775808",
        "/api/audit?limit=9223372036854775808",
    ],
)
def test_no_integer_makes_a_server_error(url: str, small_graph: Graph, tmp_path: Path) -> None:
    client = TestClient(create_app(small_graph, keys=[], state_dir=tmp_path))
    response = client.get(url)
    assert 400 <= response.status_code < 500, (url, response.status_code, response.text[:200])


def test_key_dependent_answers_are_never_cached_for_someone_else(small_graph: Graph, tmp_path: Path) -> None:
    client = TestClient(create_app(small_graph, keys=[], state_dir=tmp_path))
    for url in ("/api/entities/dilnar-insenova", "/", "/entity/dilnar-insenova", "/api/search?q=Insenova"):
        headers = client.get(url).headers
        assert headers["vary"] == "Authorization, X-API-Key", url
        assert headers["cache-control"] == "private, no-store", url
        assert headers["x-content-type-options"] == "nosniff", url


def test_pages_forbid_framing_and_other_hosts_and_views_may_be_embedded(small_graph: Graph, tmp_path: Path) -> None:
    client = TestClient(create_app(small_graph, keys=[], state_dir=tmp_path))
    page = client.get("/entity/dilnar-insenova").headers
    assert "frame-ancestors 'none'" in page["content-security-policy"]
    assert "script-src 'none'" in page["content-security-policy"]
    assert page["x-frame-options"] == "DENY"
    view = client.get("/views/network/dilnar-insenova").headers
    assert view["content-security-policy"].startswith("default-src 'none'; script-src 'unsafe-inline'")
    assert view["content-security-policy"].endswith("frame-ancestors *")
    assert "x-frame-options" not in view
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "https://" not in docs.text and "/docs-assets/swagger-ui-bundle.js" in docs.text
    assert client.get("/docs-assets/swagger-ui-bundle.js").headers["cache-control"] == "public, max-age=86400"
    assert client.get("/docs-assets/..%2Fpyproject.toml").status_code == 404


def test_a_restricted_source_is_not_shown_to_the_public(graph: Graph, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(SMALL, folder)
    sources = folder / "sources.yaml"
    data = yaml.safe_load(sources.read_text())
    data["sources"][0]["sensitivity"] = "restricted"
    restricted = data["sources"][0]["id"]
    sources.write_text(yaml.safe_dump(data, allow_unicode=True))
    result = validate(folder)
    assert result.problems == []
    graph.replace(result.dataset)
    client = TestClient(create_app(graph, data_folder=str(folder), keys=None, state_dir=tmp_path))
    assert client.get(f"/sources/{restricted}").status_code == 404
    assert client.get("/sources/odf-2021-political-prisoners").status_code == 200


@pytest.mark.parametrize(
    ("error", "status", "title"),
    [
        (errors.UserError, 400, "request failed"),
        (errors.NotFound, 404, "not found"),
        (errors.QueryError, 400, "invalid query"),
        (errors.TooLarge, 413, "answer too large"),
        (errors.InvalidData, 422, "invalid data"),
        (errors.DatabaseUnavailable, 503, "database unavailable"),
        (errors.GraphError, 500, "server error"),
    ],
)
def test_each_kind_of_error_has_its_status_in_the_one_shape(
    error: type[errors.GraphError], status: int, title: str, small_graph: Graph, tmp_path: Path
) -> None:
    """A caller's mistake is never a 500: only a fault of the program is."""
    app = create_app(small_graph, keys=[], state_dir=tmp_path)

    def fail() -> None:
        raise error("what went wrong")

    app.add_api_route("/test-only/fail", fail)
    response = TestClient(app).get("/test-only/fail")
    assert (response.status_code, response.json()) == (
        status,
        {"error": {"status": status, "title": title, "detail": "what went wrong"}},
    )
