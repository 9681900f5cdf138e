"""Routes for editors and admins: a read-only Cypher console, reloading the data, the audit log."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Annotated, Any

import neo4j
from fastapi import APIRouter, Depends, HTTPException, Request
from neo4j.exceptions import Neo4jError, ServiceUnavailable
from persecution_graph.graph.errors import DatabaseUnavailable
from persecution_graph.loaders.load import load
from persecution_graph.queries.catalogue import warm_in_background
from pydantic import BaseModel, Field

from ..auth import Caller
from ..deps import GraphDep, require

router = APIRouter(tags=["admin"])
EditorDep = Annotated[Caller, Depends(require("editor"))]
AdminDep = Annotated[Caller, Depends(require("admin"))]

CONSOLE_TIMEOUT_S = 5.0
CONSOLE_MAX_ROWS = 1000
# Whole words that change data or reach outside the graph; checked on the statement with its
# comments and string literals blanked out, so a name like 'Set' in quotes is no problem.
WRITE_WORDS = re.compile(
    r"\b(CREATE|MERGE|DELETE|DETACH|SET|REMOVE|DROP|LOAD|FOREACH|GRANT|REVOKE|DENY|ALTER|RENAME|"
    r"START|STOP|TERMINATE|USE|PERIODIC|TRANSACTIONS)\b|\bCALL\s+(?!\{)",
    re.IGNORECASE,
)
_STRINGS_AND_COMMENTS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.S)


def write_word(statement: str) -> str | None:
    """The first word that makes a statement more than a read, if any."""
    bare = _STRINGS_AND_COMMENTS.sub(" ", statement)
    found = WRITE_WORDS.search(bare)
    return found.group(0).strip() if found else None


class CypherRequest(BaseModel):
    statement: str = Field(max_length=10_000, examples=["MATCH (p:Person)-[:SIGNED_EXPLANATION]->(e) RETURN p.name"])
    parameters: dict[str, Any] = Field(default_factory=dict, examples=[{}])
    max_rows: int = Field(100, ge=1, le=CONSOLE_MAX_ROWS)


def audit(request: Request, caller: Caller, action: str, detail: dict[str, Any]) -> None:
    """One JSON line per change or console use, in the data folder's audit.log."""
    path: Path | None = request.app.state.audit_log
    if path is None:
        return
    entry = {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "caller": caller.name,
        "role": caller.role,
        "action": action,
        **detail,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, ensure_ascii=False) + "\n")


@router.post("/api/cypher")
def cypher_console(body: CypherRequest, request: Request, graph: GraphDep, caller: EditorDep) -> dict[str, Any]:
    """Run a read-only Cypher statement (editor or admin): read access mode, no write clause,
    at most `max_rows` rows, 5 seconds."""
    word = write_word(body.statement)
    if word:
        raise HTTPException(400, f"the console is read-only: {word!r} is not allowed")
    audit(request, caller, "cypher", {"statement": body.statement})
    rows: list[dict[str, Any]] = []
    truncated = False
    try:
        with graph.driver.session(database=graph.database, default_access_mode=neo4j.READ_ACCESS) as session:
            result = session.run(neo4j.Query(body.statement, timeout=CONSOLE_TIMEOUT_S), body.parameters)
            for record in result:
                if len(rows) == body.max_rows:
                    truncated = True
                    break
                rows.append({key: _plain(value) for key, value in record.items()})
            result.consume()
    except ServiceUnavailable as error:
        raise DatabaseUnavailable(f"the database is not reachable: {error}") from None
    except Neo4jError as error:
        raise HTTPException(400, f"the database refused the statement: {error.message}") from None
    except (OverflowError, ValueError, TypeError) as error:  # a parameter the driver cannot send
        raise HTTPException(400, f"a parameter cannot be sent to the database: {error}") from None
    return {"columns": list(rows[0]) if rows else [], "rows": rows, "truncated": truncated}


def _plain(value: Any) -> Any:
    if isinstance(value, neo4j.graph.Node):
        return {"id": value.get("id"), "labels": sorted(value.labels), "properties": dict(value)}
    if isinstance(value, neo4j.graph.Relationship):
        return {"type": value.type, "properties": dict(value)}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value


@router.post("/api/reload")
def reload(request: Request, graph: GraphDep, caller: EditorDep) -> dict[str, Any]:
    """Validate the server's data folder and replace the graph with it (editor or admin).
    Nothing changes unless all of it is valid; readers see the old graph or the new one."""
    folder = request.app.state.data_folder
    if not folder or not Path(folder).is_dir():
        raise HTTPException(409, "this server has no data folder to reload from")
    result = load(graph, Path(folder))
    if not result.ok:
        audit(request, caller, "reload-refused", {"problems": len(result.problems)})
        raise HTTPException(422, [str(p) for p in result.problems])
    counts = {"nodes": result.nodes, "edges": result.edges}
    audit(request, caller, "reload", counts)
    if getattr(request.app.state, "warm_up", False):
        warm_in_background(graph)
    return {"reloaded": folder, **counts}


@router.get("/api/audit")
def audit_log(request: Request, caller: AdminDep, limit: int = 100) -> list[dict[str, Any]]:
    """The latest entries of the audit log (admin)."""
    path: Path | None = request.app.state.audit_log
    if path is None or not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()[-max(1, min(limit, 10_000)) :]
    return [json.loads(line) for line in lines]
