"""Attacks on the editor's Cypher console, replayed on the real embedded engine.

Every statement below was tried against the console (most of them got through the keyword list
the console used to have). Each must be refused by the engine, the refusal audited with the
caller's key name, and the graph's export byte-identical before and after.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from persecution_graph.api.auth import StoredKey, token_hash
from persecution_graph.api.main import create_app
from persecution_graph.graph import console, embedded
from persecution_graph.graph.formats import FORMATS, render
from persecution_graph.graph.records import Dataset
from persecution_graph.graph.scope import Scope
from persecution_graph.graph.store import Graph

from tests.conftest import SMALL, Engine

EDITOR = {"Authorization": "Bearer editor-token"}
KEYS = [StoredKey("eli", "editor", token_hash("editor-token")), StoredKey("adm", "admin", token_hash("admin-token"))]
WRITE = "the console only reads: this statement would change the graph"
FORBIDDEN = "the console may only read the graph (no files, URLs, schema or security)"
MINOR = "daughter-of-dilnar-insenova"
BYTES_REFUSAL = (
    "the answer is larger than 2 MB; ask for fewer rows or smaller values "
    "(LIMIT, or return properties instead of whole nodes)"
)

ATTACKS = yaml.safe_load((Path(__file__).with_name("attacks.yaml")).read_text(encoding="utf-8"))
WRITES = [attack["statement"].replace("{minor}", MINOR) for attack in ATTACKS["writes"]]
FILES = [attack["statement"] for attack in ATTACKS["files"]]


def _export(graph: Graph) -> bytes:
    return render(FORMATS["json"], graph.view(Scope.FULL)).encode()


@pytest.fixture
def client(small_graph: Graph, tmp_path: Path) -> TestClient:
    return TestClient(create_app(small_graph, data_folder=str(SMALL), keys=KEYS, state_dir=tmp_path))


def _audit(client: TestClient) -> list[tuple[str, str]]:
    entries = client.get("/api/audit", headers={"Authorization": "Bearer admin-token"}).json()
    return [(entry["caller"], entry["action"]) for entry in entries]


@pytest.mark.parametrize("statement", WRITES)
def test_the_engine_refuses_every_write(statement: str, client: TestClient, small_graph: Graph) -> None:
    before = _export(small_graph)
    response = client.post("/api/cypher", json={"statement": statement}, headers=EDITOR)
    assert response.status_code == 400, response.text
    detail = response.json()["error"]["detail"]
    assert detail.startswith((WRITE, FORBIDDEN, "the database refused the statement")), detail
    assert _export(small_graph) == before
    assert _audit(client) == [("eli", "cypher-refused")]


@pytest.mark.parametrize("statement", FILES)
def test_no_statement_reads_a_file_or_a_url(
    statement: str, client: TestClient, small_graph: Graph, data_dir: Path
) -> None:
    info = embedded.running(data_dir)
    assert info is not None
    (data_dir / "api-keys.json").write_text("[]")
    filled = statement.replace("{data}", str(data_dir).lstrip("/")).replace("{http}", str(info.http_port))
    response = client.post("/api/cypher", json={"statement": filled}, headers=EDITOR)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["detail"].startswith(FORBIDDEN)
    assert "root:" not in response.text and "password" not in response.text


def test_a_minor_made_public_through_the_console_stays_restricted(client: TestClient, small_graph: Graph) -> None:
    """The attack that worked: a comment ended by a carriage return hid a SET from the word
    list; an anonymous reader then read a restricted minor's record."""
    attack = f"//x\rMATCH (n {{id: '{MINOR}'}}) SET n.sensitivity = 'public' RETURN n.id"
    assert client.post("/api/cypher", json={"statement": attack}, headers=EDITOR).status_code == 400
    assert client.get(f"/api/entities/{MINOR}").status_code == 404


def test_reads_still_work_with_parameters_and_row_limits(client: TestClient) -> None:
    body = {
        "statement": "MATCH (p:Person) WHERE p.id STARTS WITH $prefix RETURN p.id AS id, p AS person ORDER BY id",
        "parameters": {"prefix": "bar"},
        "max_rows": 5,
    }
    answer = client.post("/api/cypher", json=body, headers=EDITOR).json()
    assert answer["columns"] == ["id", "person"]
    assert [row["id"] for row in answer["rows"]] == ["barlyk-mendygazyev"]
    assert answer["rows"][0]["person"]["labels"] == ["Businessperson", "Entity", "Exile", "Person"]
    assert answer["truncated"] is False
    body = {"statement": "MATCH (p:Person) RETURN p.id AS id ORDER BY id", "max_rows": 2}
    answer = client.post("/api/cypher", json=body, headers=EDITOR).json()
    assert (len(answer["rows"]), answer["truncated"]) == (2, True)
    assert _audit(client) == [("eli", "cypher"), ("eli", "cypher")]


def test_a_huge_answer_is_refused_before_it_reaches_the_api(client: TestClient, small_graph: Graph) -> None:
    # It sent 169 MB before. The embedded engine bounds range() itself; on Neo4j the answer is
    # cut off at MAX_BYTES as it streams in.
    response = client.post("/api/cypher", json={"statement": "RETURN range(1, 20000000) AS r"}, headers=EDITOR)
    if small_graph.engine == "arcadedb":
        assert response.status_code == 400
        assert "range" in response.json()["error"]["detail"]
    else:  # Neo4j: cut off at the byte cap, or stopped at the time limit if the machine is slow
        assert (response.status_code, response.json()["error"]["detail"]) in (
            (413, BYTES_REFUSAL),
            (400, f"the statement ran longer than {console.TIMEOUT_S:.0f} s and was stopped"),
        )
    statement = "UNWIND range(1, 60000) AS i RETURN i, '" + "x" * 200 + "' AS padding"
    response = client.post("/api/cypher", json={"statement": statement, "max_rows": 1000}, headers=EDITOR)
    assert response.status_code == 200  # 1,000 rows of 220 bytes are within the cap
    statement = "UNWIND range(1, 1000) AS i RETURN i, [j IN range(1, 3000) | 'x'] AS padding"  # 12 kB a row
    response = client.post("/api/cypher", json={"statement": statement, "max_rows": 1000}, headers=EDITOR)
    assert (response.status_code, response.json()["error"]["detail"]) == (413, BYTES_REFUSAL)
    assert _audit(client)[-1] == ("eli", "cypher-stopped")


def test_a_long_statement_is_stopped_by_the_engine(client: TestClient, small_graph: Graph, engine: Engine) -> None:
    """One query ran 8.8 s and another kept a core busy for 40 s after its client left."""
    pid = _engine_pid(engine)
    statement = (
        "UNWIND range(1, 90000) AS x UNWIND range(1, 90000) AS y WITH x, y WHERE (x * y) % 7 = 0 RETURN count(*)"
    )
    busy_before = _cpu_seconds(pid)
    response = client.post("/api/cypher", json={"statement": statement}, headers=EDITOR)
    assert (response.status_code, response.json()["error"]["detail"]) == (
        400,
        f"the statement ran longer than {console.TIMEOUT_S:.0f} s and was stopped",
    )
    import time

    after_answer = _cpu_seconds(pid)
    time.sleep(4)
    # The engine stopped it when the console went away: well under a core for the 4 s after.
    assert _cpu_seconds(pid) - after_answer < 2.0
    assert after_answer - busy_before < 2 * (console.TIMEOUT_S + 2)


def _engine_pid(engine: Engine) -> int:
    """The process of the engine this run is on (tools/engine exports a server's)."""
    if engine.embedded:
        info = embedded.running(Path(os.environ["PERSECUTION_GRAPH_DATA_DIR"]))
        assert info is not None
        return info.pid
    return int(engine.server["PERSECUTION_GRAPH_ENGINE_PID"])


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_the_console_user_is_the_engines_own_and_cannot_write_over_bolt_either(
    data_dir: Path, embedded_graph: Graph, small_dataset: Dataset
) -> None:
    """Even straight over Bolt, bypassing the API, the console's user cannot write."""
    import neo4j

    embedded_graph.replace(small_dataset)  # a Person to write to, whatever ran before
    info = embedded.running(data_dir)
    assert info is not None
    driver = neo4j.GraphDatabase.driver(info.uri, auth=embedded.console_credentials(data_dir))
    try:
        with driver.session(database=embedded.current_database(data_dir)) as session:
            with pytest.raises(neo4j.exceptions.Neo4jError) as refused:
                session.run("MATCH (p:Person) WITH p LIMIT 1 SET p.x = 1 RETURN p.id").consume()
            assert refused.value.code == "Neo.ClientError.Security.Forbidden"
    finally:
        driver.close()
    stored = json.loads((data_dir / embedded.CREDENTIALS_FILE).read_text())
    assert sorted(stored) == ["console_password", "password", "user"]
