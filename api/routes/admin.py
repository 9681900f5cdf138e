"""Routes for editors and admins: a read-only Cypher console, reloading the data, the audit log."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from ...graph import console
from ...graph.errors import QueryError
from ...loaders.load import load
from ...queries.catalogue import warm_in_background
from ..auth import Caller
from ..deps import GraphDep, require

router = APIRouter(tags=["admin"])
EditorDep = Annotated[Caller, Depends(require("editor"))]
AdminDep = Annotated[Caller, Depends(require("admin"))]


class CypherRequest(BaseModel):
    statement: str = Field(max_length=10_000, examples=["MATCH (p:Person)-[:SIGNED_EXPLANATION]->(e) RETURN p.name"])
    parameters: dict[str, Any] = Field(default_factory=dict, examples=[{}])
    max_rows: int = Field(100, ge=1, le=console.MAX_ROWS)


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
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, ensure_ascii=False) + "\n")


@router.post("/api/cypher")
def cypher_console(body: CypherRequest, request: Request, graph: GraphDep, caller: EditorDep) -> dict[str, Any]:
    """Run a Cypher statement that only reads (editor or admin). The database itself refuses any
    other: it runs the statement as a user that may only read. At most `max_rows` rows, 5
    seconds and 2 MB; every attempt, refused or not, goes to the audit log."""
    try:
        answer = console.run_console(graph, body.statement, body.parameters, body.max_rows)
    except QueryError as error:  # answered in the error shape: 400, or 413 for an answer too large
        action = "cypher-stopped" if isinstance(error, console.ConsoleLimit) else "cypher-refused"
        audit(request, caller, action, {"statement": body.statement, "reason": str(error)})
        raise
    audit(request, caller, "cypher", {"statement": body.statement, "rows": len(answer.rows)})
    return {"columns": answer.columns, "rows": answer.rows, "truncated": answer.truncated}


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
def audit_log(request: Request, caller: AdminDep, limit: int = Query(100, ge=1, le=10_000)) -> list[dict[str, Any]]:
    """The latest entries of the audit log (admin)."""
    path: Path | None = request.app.state.audit_log
    if path is None or not path.exists():
        return []
    # One entry per "\n" (a statement may hold other line separators, which splitlines() would split at).
    lines = [line for line in path.read_text(encoding="utf-8").split("\n") if line]
    return [json.loads(line) for line in lines[-limit:]]
