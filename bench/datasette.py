"""Datasette beside this API, on the same entities, in the same run (issue 19): what a user
would pick instead for publishing lookups.

Datasette is not a dependency of the product: the benchmark installs it into an environment of
its own (``build/bench-env``, made on first use). The graph's public export goes into a SQLite
file, a table of entities and a table of relations with an index on each end; one canned query
answers an entity with its relations, as ``/api/entities/{id}`` does; Datasette serves the file
read-only (``-i``, immutable) on loopback, and the load test's clients ask it for the same
random persons as this API (bench/loadtest.py).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from ..graph.records import Dataset

DATASETTE = "datasette==0.65.5"
ENVIRONMENT = Path(__file__).resolve().parents[1] / "build" / "bench-env"
# One entity with every relation it has, as this API's entity page has them.
ENTITY_SQL = """
SELECT e.id, e.type, e.labels, e.properties,
       (SELECT json_group_array(json_object('type', r.type, 'source', r.source, 'target', r.target,
                                            'properties', json(r.properties)))
          FROM relations AS r WHERE r.source = e.id OR r.target = e.id) AS relations
  FROM entities AS e WHERE e.id = :id
"""
DATABASE = "graph"
URL = f"/{DATABASE}/entity.json?id={{id}}&_shape=array"


def write_sqlite(dataset: Dataset, path: Path) -> None:
    """The records in two tables, properties as JSON, an index on each end of a relation."""
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE entities (id TEXT PRIMARY KEY, type TEXT, labels TEXT, properties TEXT)")
        db.execute("CREATE TABLE relations (id TEXT PRIMARY KEY, type TEXT, source TEXT, target TEXT, properties TEXT)")
        db.executemany(
            "INSERT INTO entities VALUES (?, ?, ?, ?)",
            (
                (n.id, n.type, json.dumps(n.labels), json.dumps(n.properties, ensure_ascii=False))
                for n in dataset.nodes.values()
            ),
        )
        db.executemany(
            "INSERT INTO relations VALUES (?, ?, ?, ?, ?)",
            ((e.id, e.type, e.source, e.target, json.dumps(e.properties, ensure_ascii=False)) for e in dataset.edges),
        )
        db.execute("CREATE INDEX relations_source ON relations (source)")
        db.execute("CREATE INDEX relations_target ON relations (target)")
    path.chmod(0o600)  # data about people, like every file this project writes


def entity_with_relations(path: Path, entity_id: str) -> dict[str, Any] | None:
    """What the canned query answers for one id (the tests compare it with the API's)."""
    with sqlite3.connect(path) as db:
        db.row_factory = sqlite3.Row
        row = db.execute(ENTITY_SQL, {"id": entity_id}).fetchone()
    return dict(row) if row is not None else None


def environment(folder: Path = ENVIRONMENT) -> Path:
    """The datasette command of the bench's own environment, installed on first use."""
    command = folder / "bin" / "datasette"
    if not command.exists():
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, capture_output=True)
        subprocess.run(
            [str(folder / "bin" / "pip"), "install", "--quiet", DATASETTE], check=True, capture_output=True, text=True
        )
    return command


def side_by_side(dataset: Dataset, plan: dict[str, Any], clients: int, seconds: float) -> dict[str, Any]:
    """Datasette serving the same entities, under the same clients, for the same time: the load
    test's summary, or {"skipped": why} when Datasette could not be installed or started."""
    from ..graph.embedded import free_port
    from .loadtest import measure

    try:
        datasette = environment()
    except (OSError, subprocess.CalledProcessError) as error:
        return {"skipped": f"datasette not installed: {getattr(error, 'stderr', None) or error}"}
    with tempfile.TemporaryDirectory(prefix="pg-datasette-") as work:
        database = Path(work) / f"{DATABASE}.db"
        write_sqlite(dataset, database)
        metadata = Path(work) / "metadata.json"
        metadata.write_text(json.dumps({"databases": {DATABASE: {"queries": {"entity": {"sql": ENTITY_SQL}}}}}))
        port = free_port()
        server = subprocess.Popen(
            [str(datasette), "serve", "-i", str(database), "--metadata", str(metadata), "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            if not _answering(base + URL.format(id=plan["ids"][0]), server):
                return {"skipped": f"datasette did not start: {(server.stderr.read() if server.stderr else '')[-300:]}"}
            summary = measure(base, {**plan, "urls": {"entity": URL}}, clients, seconds, ("entity",))
            summary["version"] = DATASETTE.split("==")[1]
            return summary
        finally:
            server.terminate()
            server.wait(timeout=10)


def _answering(url: str, server: subprocess.Popen[str], timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return bool(json.loads(response.read()))
        except OSError:
            time.sleep(0.2)
    return False
