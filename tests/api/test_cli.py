"""The command line as a user runs it: exit statuses and exact output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from persecution_graph.graph.scope import Scope
from persecution_graph.graph.store import Graph
from persecution_graph.loaders.validate import validate

FIXTURES = Path(__file__).parents[1] / "fixtures"


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "persecution_graph.api.cli", *args], env=env, capture_output=True, text=True
    )


def test_validate_ok() -> None:
    run = cli("validate", str(FIXTURES / "small"))
    assert (run.returncode, run.stdout) == (0, "ok: 39 nodes and 42 edges in 4 files\n")


def test_validate_bad_exits_1_without_traceback() -> None:
    run = cli("validate", str(FIXTURES / "bad"))
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert len(run.stderr.splitlines()) == 34  # 33 problems and the count


def test_the_bundled_data_is_the_default_from_any_folder(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "persecution_graph.api.cli", "validate"], cwd=tmp_path, capture_output=True, text=True
    )
    bundled = validate(Path(__file__).parents[2] / "seed_data").dataset
    expected = f"ok: {len(bundled.nodes)} nodes and {len(bundled.edges)} edges in 11 files\n"
    assert (run.returncode, run.stdout) == (0, expected)


def test_missing_folder_is_a_sentence() -> None:
    run = cli("validate", "no-such-folder")
    assert (run.returncode, run.stderr) == (2, "error: no-such-folder: no such file or folder\n")


def test_load_search_export_and_query(cli_env: dict[str, str], tmp_path: Path, graph: Graph) -> None:
    assert cli("load", str(FIXTURES / "small"), env=cli_env).returncode == 0
    # "Mendygaziev" is neither a name nor an alias: transliteration folding finds both brothers.
    hits = json.loads(cli("search", "Mendygaziev", "--format", "json", env=cli_env).stdout)
    assert hits == [
        {"id": "barlyk-mendygazyev", "name": "Barlyk Mendygazyev", "labels": ["Person", "Businessperson", "Exile"],
         "score": 0.99, "matched": "Barlyk Mendygazyev", "match": "spelling variant", "possibly_same_as": []},
        {"id": "bekizhan-mendygazyev", "name": "Bekizhan Mendygazyev", "labels": ["Person", "Relative"], "score": 0.99,
         "matched": "Bekizhan Mendygazyev", "match": "spelling variant", "possibly_same_as": []},
    ]  # fmt: skip
    hits = json.loads(cli("search", "Smatov", "--format", "json", env=cli_env).stdout)
    assert hits == [
        {
            "id": "zh-smatov",
            "name": "Zh. Smatov",
            "labels": ["Person", "Official"],
            "score": 1.0,
            "matched": "Smatov",
            "match": "exact",
            "possibly_same_as": [],
        }
    ]
    assert cli("search", "Lesova", env=cli_env).stdout == (
        "nazira-lesova                    Nazira Lesova  [Person]  (exact)\n"
        "    may be the same as Nazira Lepesova (nazira-lepesova); kept apart until a curator decides\n"
        "nazira-lepesova                  Nazira Lepesova  [Person]  (similar spelling)\n"
        "    may be the same as Nazira Lesova (nazira-lesova); kept apart until a curator decides\n"
    )
    assert cli("search", "Qqqxyzw", env=cli_env).stdout == (
        "No name or alias matches “Qqqxyzw”. Try another spelling or part of the name.\n"
    )
    out = tmp_path / "graph.json"
    assert cli("export", "--format", "json", "--public", "-o", str(out), env=cli_env).returncode == 0
    exported = json.loads(out.read_text())
    assert (len(exported["nodes"]), len(exported["edges"])) == (38, 41)
    run = cli("query", "relations", "--param", "id=almaty-police", "--format", "csv", env=cli_env)
    dck_ban = "[Report on the persecution of DCK supporters after the March 2018 ban]"
    assert run.stdout == (
        'Which way,Fact,With,Date,Detail,"Who did it, as the text says",How far it went,Sources,With (record id)\n'
        f'this entity is the subject,located in,Almaty,,,,,"{dck_ban}, line 117",almaty\n'
        f'this entity is the object,threatened by,Dilnar Insenova,,,stated,carried out,"{dck_ban}, line 117: '
        '“policemen threatened Dilnar Insenova”",dilnar-insenova\n'
    )
    run = cli("query", "relations", "--param", "id=no-such-entity", env=cli_env)
    assert (run.returncode, run.stderr) == (2, "error: no entity with id 'no-such-entity'; find it with search\n")
    run = cli("query", "relations", env=cli_env)
    assert (run.returncode, run.stderr) == (
        2,
        "error: query 'relations' needs parameter 'id': id of the entity (find it with the search)\n",
    )


def test_dump_export_and_import_round_trip(cli_env: dict[str, str], tmp_path: Path, graph: Graph) -> None:
    assert cli("load", str(FIXTURES / "small"), env=cli_env).returncode == 0
    before = graph.view(Scope.FULL).dump()
    backup = tmp_path / "backup.jsonl"
    run = cli("export", "--format", "dump", "-o", str(backup), env=cli_env)
    assert run.stderr == f"wrote 39 nodes and 42 edges to {backup}\n"
    graph.write("MATCH (n:Entity {id: 'dck'}) DETACH DELETE n")
    run = cli("import", str(backup), env=cli_env)
    assert (run.returncode, run.stdout) == (0, f"imported 39 nodes and 42 edges from {backup}\n")
    assert graph.view(Scope.FULL).dump() == before
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{}\n")
    run = cli("import", str(bad), env=cli_env)
    assert (run.returncode, run.stderr) == (2, f"error: {bad}:1:1: not a persecution-graph dump (no header line)\n")


def test_an_imported_dump_shows_no_restricted_id_through_a_public_record(
    cli_env: dict[str, str], tmp_path: Path, graph: Graph
) -> None:
    """A dump is not validated: one made to restrict a place that a public police force and a
    public threat name (`place: almaty`) must not show that place's id to public readers."""
    assert cli("load", str(FIXTURES / "small"), env=cli_env).returncode == 0
    backup = tmp_path / "backup.jsonl"
    assert cli("export", "--format", "dump", "-o", str(backup), env=cli_env).returncode == 0
    lines = [json.loads(line) for line in backup.read_text(encoding="utf-8").splitlines()]
    for line in lines:
        if line.get("node", {}).get("id") == "almaty":
            line["node"]["properties"]["sensitivity"] = "restricted"
    crafted = tmp_path / "crafted.jsonl"
    crafted.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    run = cli("import", str(crafted), env=cli_env)
    assert (run.returncode, run.stdout) == (0, f"imported 39 nodes and 42 edges from {crafted}\n")
    public = graph.view(Scope.PUBLIC).dump()
    assert "almaty-police" not in public.nodes and "almaty" not in public.nodes
    assert "almaty" not in json.dumps(public.as_dict())  # no id, no name that holds it
    assert "almaty-police" in graph.view(Scope.FULL).dump().nodes


def _workers_of(pid: int) -> list[int]:
    """The process ids of a process's children that are uvicorn's workers (spawned by multiprocessing)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
            command = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == pid and b"multiprocessing.spawn" in command:
            found.append(int(status.parent.name))
    return found


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_loads_an_empty_graph_and_stops_its_database_on_sigterm(tmp_path: Path, workers: int) -> None:
    """About the embedded server (a child process of `serve`): embedded engine only. With two
    workers, two processes answer, each connected to the one database `serve` started."""
    import signal
    import socket
    import time
    import urllib.request

    from persecution_graph.graph import embedded

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "PERSECUTION_GRAPH_DATA_DIR": str(tmp_path / "db")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "persecution_graph.api.cli",
            "serve",
            "--port",
            str(port),
            "--data",
            str(FIXTURES / "small"),
            "--workers",
            str(workers),
        ],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    children: list[int] = []
    try:
        deadline = time.monotonic() + 90
        health = None
        while time.monotonic() < deadline and health is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as response:
                    health = json.loads(response.read())
            except OSError:
                time.sleep(0.3)
        assert health == {"status": "ok", "engine": "arcadedb", "entities": 38}  # public: 1 record is restricted
        children = _workers_of(process.pid)
        assert len(children) == (workers if workers > 1 else 0)
        for _ in range(6):  # whichever worker answers
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/entities/dck", timeout=10) as response:
                assert json.loads(response.read())["id"] == "dck"
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=90)
    assert "loaded 39 nodes and 42 edges" in stderr
    assert embedded.running(tmp_path / "db") is None
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()]  # the workers ended too


# Loaded by every Python process started with it on PYTHONPATH (site.py): in uvicorn's worker
# processes, the warm-up first holds the interpreter for 8 s, as its long calls did at 1M
# entities (up to 37 s).
HOLDING_WARM_UP = """
import sys, time
if "multiprocessing" in " ".join(sys.orig_argv):
    from persecution_graph.queries import catalogue

    warm_up = catalogue.warm_up

    def holding(view):
        sys.setswitchinterval(30)  # no other thread of this process runs until this one waits
        end = time.monotonic() + 8
        while time.monotonic() < end:
            pass
        sys.setswitchinterval(0.005)
        return warm_up(view)

    catalogue.warm_up = holding
"""


def test_serve_keeps_a_worker_whose_warm_up_holds_the_interpreter(tmp_path: Path) -> None:
    """uvicorn kills a worker that does not answer its health check in time (5 s unless told)
    and starts another, whose warm-up starts again: at 1M entities no worker was ever warm."""
    import signal
    import socket
    import time
    import urllib.request

    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(HOLDING_WARM_UP, encoding="utf-8")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "PERSECUTION_GRAPH_DATA_DIR": str(tmp_path / "db"), "PYTHONPATH": str(tmp_path / "site")}
    command = [sys.executable, "-m", "persecution_graph.api.cli", "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--data", str(FIXTURES / "small"), "--workers", "2"], env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(_workers_of(process.pid)) < 2:
            time.sleep(0.2)
        started = sorted(_workers_of(process.pid))
        time.sleep(16)  # both warm-ups have held the interpreter for their 8 s
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/entities/dck", timeout=30) as response:
            assert json.loads(response.read())["id"] == "dck"
        assert sorted(_workers_of(process.pid)) == started and len(started) == 2  # none killed, none new
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=90)


@pytest.mark.parametrize(
    ("given", "said"), [("0", "between 1 and 64, not 0"), ("two", "a whole number of processes, not 'two'")]
)
def test_serve_refuses_a_number_of_workers_it_cannot_run(given: str, said: str) -> None:
    run = cli("serve", "--workers", given)
    assert run.returncode == 2
    assert run.stderr.endswith(f"serve: error: argument --workers: {said}\n")
