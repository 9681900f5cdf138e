"""The Cypher console: an editor's own statement, run so that the engine itself refuses
anything but reading the graph, within limits the engine and this module enforce.

Each engine has a variant of its own (``CONSOLES``), because each enforces read-only access its
own way; nothing here inspects the statement's words:

- embedded ArcadeDB: the statement goes to the engine's HTTP query endpoint as the console's
  server user (graph/embedded.py). The endpoint runs only statements the engine's parser finds
  read-only (``QueryNotIdempotentException`` otherwise), the user's group may only read records
  (no write, schema or security permission, so no file either), every statement stops at the
  engine's timeout, and the engine stops a statement whose client has gone. ArcadeDB's Bolt
  plugin ignores the driver's read access mode and transaction timeout, hence HTTP here.
- Neo4j: a read transaction, which the server enforces, with a transaction timeout the server
  applies; file URLs in LOAD CSV are the server's own setting (README, "Using Neo4j").

Rows stream in; past ``max_rows`` the answer is cut and marked truncated, past ``MAX_BYTES`` it
is refused (the caller asks for less), past ``TIMEOUT_S`` the statement is stopped.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import neo4j
from neo4j.exceptions import ClientError, Neo4jError, ServiceUnavailable, SessionExpired

from . import embedded
from .errors import DatabaseUnavailable, QueryError, TooLarge

if TYPE_CHECKING:
    from .store import Graph

TIMEOUT_S = 5.0
MAX_BYTES = 2 << 20
MAX_ROWS = 1000


class ConsoleRefused(QueryError):
    """The engine refused the statement (not a read, not allowed, not valid)."""


class ConsoleLimit(QueryError):
    """The statement ran too long (400) or its answer was too large (413); ``limit`` says which."""

    def __init__(self, message: str, limit: str) -> None:
        super().__init__(message)
        self.limit = limit
        if limit == "bytes":
            self.status = TooLarge.status


@dataclass
class ConsoleAnswer:
    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    truncated: bool = False


def run_console(graph: Graph, statement: str, parameters: dict[str, Any], max_rows: int = 100) -> ConsoleAnswer:
    """Run an editor's statement on the engine's read-only path (see the module's docstring)."""
    return CONSOLES[graph.engine](graph, statement, parameters, max_rows)


class _Collector:
    """Rows as they come, within the row count and the byte size allowed."""

    def __init__(self, max_rows: int) -> None:
        self.answer = ConsoleAnswer(columns=[])
        self.max_rows = max_rows
        self.bytes = 0

    def add(self, row: dict[str, Any], size: int) -> bool:
        """Keep a row; False once the rows wanted are there (one more was seen: truncated)."""
        self.bytes += size
        if self.bytes > MAX_BYTES:
            raise ConsoleLimit(
                f"the answer is larger than {MAX_BYTES // (1 << 20)} MB; ask for fewer rows or smaller values "
                "(LIMIT, or return properties instead of whole nodes)",
                "bytes",
            )
        if len(self.answer.rows) == self.max_rows:
            self.answer.truncated = True
            return False
        if not self.answer.columns:
            self.answer.columns = list(row)
        self.answer.rows.append(row)
        return True


def _timed_out() -> ConsoleLimit:
    return ConsoleLimit(f"the statement ran longer than {TIMEOUT_S:.0f} s and was stopped", "time")


# -- embedded ArcadeDB ---------------------------------------------------------------------------


def _arcadedb(graph: Graph, statement: str, parameters: dict[str, Any], max_rows: int) -> ConsoleAnswer:
    assert graph.embedded_dir is not None
    info = embedded.running(graph.embedded_dir)
    if info is None:
        raise DatabaseUnavailable("the embedded database is not running")
    body = json.dumps({"language": "opencypher", "command": statement, "params": parameters, "limit": max_rows + 1})
    connection = http.client.HTTPConnection("127.0.0.1", info.http_port, timeout=TIMEOUT_S)
    deadline = time.monotonic() + TIMEOUT_S
    collector = _Collector(max_rows)
    try:
        connection.request(
            "POST",
            f"/api/v1/query/{graph.database}",
            body=body.encode(),
            headers={
                "Authorization": embedded.basic_auth(*embedded.console_credentials(graph.embedded_dir)),
                "Content-Type": "application/json",
                "Accept": "application/x-ndjson",
            },
        )
        response = connection.getresponse()
        for line in _lines(response, deadline):
            message = json.loads(line)
            if "error" in message:
                raise _arcadedb_refusal(message)
            if "record" in message and not collector.add(_arcadedb_row(message["record"]), len(line)):
                break
    except TimeoutError:
        raise _timed_out() from None
    except ConnectionRefusedError as error:
        raise DatabaseUnavailable(f"the embedded database did not answer: {error}") from None
    finally:
        connection.close()  # a statement still running is stopped by the engine once we have gone
    return collector.answer


def _lines(response: http.client.HTTPResponse, deadline: float) -> Iterator[bytes]:
    """The response's lines until its end, or until the deadline."""
    if response.status >= 300 and "json" not in (response.getheader("Content-Type") or ""):
        raise ConsoleRefused(f"the database refused the statement (HTTP {response.status})")
    while line := response.readline(MAX_BYTES + 1):
        if time.monotonic() > deadline:
            raise _timed_out()
        if not line.endswith(b"\n") and len(line) > MAX_BYTES:
            raise ConsoleLimit(f"a row is larger than {MAX_BYTES // (1 << 20)} MB; return smaller values", "bytes")
        if line.strip():
            yield line


# What the engine's refusals mean for an editor (by exception class).
_REFUSALS = {
    "QueryNotIdempotentException": "the console only reads: this statement would change the graph",
    "RequestRefusedBeforeExecutionException": "the console only reads: this statement would change the graph",
    "SecurityException": "the console may only read the graph (no files, URLs, schema or security)",
    "ServerSecurityException": "the console may only read the graph (no files, URLs, schema or security)",
    "TimeoutException": "the statement ran longer than the database allows and was stopped",
}


def _arcadedb_refusal(message: dict[str, Any]) -> QueryError:
    if isinstance(message.get("error"), dict):  # a streamed answer nests the error
        message = message["error"]
    kind = str(message.get("exception", "")).rsplit(".", 1)[-1]
    detail = message.get("detail") or message.get("message") or message.get("error") or "refused"
    if kind == "TimeoutException":
        return ConsoleLimit(_REFUSALS[kind], "time")
    return ConsoleRefused(
        f"{_REFUSALS[kind]} (the database said: {detail})"
        if kind in _REFUSALS
        else f"the database refused the statement: {detail}"
    )


def _arcadedb_row(record: dict[str, Any]) -> dict[str, Any]:
    return {key: _arcadedb_value(value) for key, value in record.items()}


def _arcadedb_value(value: Any) -> Any:
    """Nodes and relationships in the console's shape; other values as they are."""
    if isinstance(value, list):
        return [_arcadedb_value(v) for v in value]
    if not isinstance(value, dict):
        return value
    properties = {k: _arcadedb_value(v) for k, v in value.items() if not k.startswith("@")}
    if value.get("@cat") == "v":
        labels = sorted(str(value.get("@type", "")).split("~"))
        return {"id": value.get("id"), "labels": [label for label in labels if label], "properties": properties}
    if value.get("@cat") == "e":
        return {"type": value.get("@type"), "properties": properties}
    return properties


# -- Neo4j ---------------------------------------------------------------------------------------


def _neo4j(graph: Graph, statement: str, parameters: dict[str, Any], max_rows: int) -> ConsoleAnswer:
    collector = _Collector(max_rows)
    deadline = time.monotonic() + TIMEOUT_S
    try:
        with graph.driver.session(
            database=graph.database, default_access_mode=neo4j.READ_ACCESS, fetch_size=100
        ) as session:
            result = session.run(neo4j.Query(statement, timeout=TIMEOUT_S), parameters)
            for record in result:
                if time.monotonic() > deadline:
                    raise _timed_out()
                row = {key: _bolt_value(value) for key, value in record.items()}
                if not collector.add(row, len(json.dumps(row, default=str))):
                    break
    except (ServiceUnavailable, SessionExpired) as error:
        raise DatabaseUnavailable(f"the database is not reachable: {error}") from None
    except ClientError as error:
        code = (error.code or "").rsplit(".", 1)[-1]
        if code in TIMEOUT_CODES:
            raise _timed_out() from None
        if code in NEO4J_REFUSALS:
            raise ConsoleRefused(f"{NEO4J_REFUSALS[code]} (the database said: {error.message})") from None
        raise ConsoleRefused(f"the database refused the statement: {error.message}") from None
    except Neo4jError as error:
        raise ConsoleRefused(f"the database refused the statement: {error.message}") from None
    except (OverflowError, ValueError, TypeError) as error:  # a parameter the driver cannot send
        raise ConsoleRefused(f"a parameter cannot be sent to the database: {error}") from None
    return collector.answer


# Neo4j's status codes for a transaction stopped by its timeout, and for its refusals.
TIMEOUT_CODES = ("TransactionTimedOut", "TransactionTimedOutClientConfiguration")
NEO4J_REFUSALS = {
    "AccessMode": _REFUSALS["QueryNotIdempotentException"],  # a write in a read transaction
    "ExternalResourceFailed": _REFUSALS["SecurityException"],  # LOAD CSV of a file or a URL
    "Forbidden": _REFUSALS["SecurityException"],
}


def _bolt_value(value: Any) -> Any:
    if isinstance(value, neo4j.graph.Node):
        return {"id": value.get("id"), "labels": sorted(value.labels), "properties": dict(value)}
    if isinstance(value, neo4j.graph.Relationship):
        return {"type": value.type, "properties": dict(value)}
    if isinstance(value, list):
        return [_bolt_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _bolt_value(v) for k, v in value.items()}
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value


Variant = Callable[["Graph", str, dict[str, Any], int], ConsoleAnswer]
CONSOLES: dict[str, Variant] = {"arcadedb": _arcadedb, "neo4j": _neo4j}
