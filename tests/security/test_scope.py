"""Visibility is a scope, not a flag: every read a route makes goes through the caller's view.

The walk calls every GET route (path parameters filled with a public and a restricted id) and
every named query, anonymously and with a key, while the graph writes down each statement it
runs and the scope it came through. Every statement of an anonymous request must have come
through the public scope; the only others are the graph's own reads of its version.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from persecution_graph.api.auth import StoredKey, token_hash
from persecution_graph.api.main import create_app
from persecution_graph.graph.scope import Scope
from persecution_graph.graph.store import Graph

from tests.conftest import SMALL, every_get_url

ROOT = Path(__file__).parents[2]
KEYS = [StoredKey("ana", "reader", token_hash("reader-token"))]


@pytest.mark.parametrize(("headers", "scope"), [({}, Scope.PUBLIC), ({"X-API-Key": "reader-token"}, Scope.FULL)])
def test_every_read_of_every_route_goes_through_the_callers_view(
    headers: dict[str, str], scope: Scope, small_graph: Graph, tmp_path: Path
) -> None:
    client = TestClient(create_app(small_graph, data_folder=str(SMALL), keys=KEYS, state_dir=tmp_path))
    urls = every_get_url(client)
    assert len(urls) > 60
    small_graph.read_log = []
    try:
        for url in urls:
            assert client.get(url, headers=headers).status_code < 500, url
        log = list(small_graph.read_log)
    finally:
        small_graph.read_log = None
    scoped = [statement for through, statement in log if through is not None]
    assert len(scoped) > 20  # the rest were answers kept until the next load (queries/cache.py)
    assert {through for through, _ in log if through is not None} == {scope}
    unscoped = {statement for through, statement in log if through is None}
    assert all("GraphMeta" in statement for statement in unscoped), unscoped


def _python_files(*folders: str) -> list[Path]:
    return [path for folder in folders for path in sorted((ROOT / folder).rglob("*.py"))]


def _statements_in(path: Path) -> list[str]:
    """String constants of a module that are Cypher statements (not the console's examples)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    examples = {
        id(value)
        for node in ast.walk(tree)
        if isinstance(node, ast.keyword) and node.arg == "examples"
        for value in ast.walk(node.value)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in examples
        and any(word in node.value for word in ("MATCH (", "MATCH(", "RETURN "))
    ]


def test_no_cypher_outside_the_graph_and_the_read_layer() -> None:
    """api/ and viz/ read through queries/ (the read layer): no statement of their own, and no
    graph read that bypasses a view."""
    offenders = [
        f"{path.relative_to(ROOT)}: {text[:60]!r}"
        for path in _python_files("api", "viz")
        for text in _statements_in(path)
    ]
    offenders += [
        f"{path.relative_to(ROOT)}: ._read(" for path in _python_files("api", "viz") if "._read(" in path.read_text()
    ]
    assert offenders == []


def test_viz_never_imports_the_api() -> None:
    imports = []
    for path in _python_files("viz"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and ".api" in f".{node.module}":
                imports.append(f"{path.relative_to(ROOT)}: {node.module}")
    assert imports == []
