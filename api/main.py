"""The FastAPI app: it only includes the routers and the one JSON error shape."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ..graph.errors import GraphError, NotFound, UserError
from ..graph.settings import Settings
from ..graph.store import Graph
from .auth import KeyRing, StoredKey
from .deps import ViewDep, get_view
from .headers import SecurityHeaders
from .limits import LimitRequests
from .routes import admin, docs, entities, exports, queries, search


def error_body(status: int, title: str, detail: object) -> JSONResponse:
    """Every error, whatever its cause, in one shape: {"error": {status, title, detail}}."""
    return JSONResponse({"error": {"status": status, "title": title, "detail": detail}}, status)


def plugin_routers() -> list[Any]:
    """Router lists of the parts registered under the `persecution_graph.routers` entry point,
    by name; each is given the dependency that reads through the caller's view of the graph."""
    points = sorted(entry_points(group="persecution_graph.routers"), key=lambda p: p.name)
    return [point.load()(get_view) for point in points]


# How many requests one server process answers at once (the others wait their turn). Each runs
# in a thread of FastAPI's pool, and Python threads of one process share one interpreter lock:
# the more at once, the more each costs (entity lookups at 100k entities, 8 clients: 207 -> 246
# requests a second with 4 rather than FastAPI's 40; a mixed load 84 -> 95, ego p99 594 -> 273 ms).
# More let long requests (a whole-graph export) hold up fewer others.
THREADS_ENV = "PERSECUTION_GRAPH_API_THREADS"
DEFAULT_THREADS = 4


def api_threads() -> int:
    """The requests a process answers at once (THREADS_ENV); UserError if not 1 to 256."""
    text = os.environ.get(THREADS_ENV) or str(DEFAULT_THREADS)
    if not text.isdigit() or not 1 <= int(text) <= 256:
        raise UserError(f"{THREADS_ENV} must be a whole number from 1 to 256, not {text!r}")
    return int(text)


def create_app(
    graph: Graph,
    data_folder: str | None = None,
    keys: list[StoredKey] | None = None,
    state_dir: Path | None = None,
) -> FastAPI:
    """The app on a graph. `keys`: API keys (default: configured ones, see api/auth.py);
    `state_dir`: where the audit log goes (default: the data folder of the settings)."""
    threads = api_threads()

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="persecution-graph",
        version="0.1.0",
        description="A sourced knowledge graph of political persecution networks.",
        docs_url=None,  # served offline by routes/docs.py
        redoc_url=None,
    )
    app.state.graph = graph
    app.add_middleware(LimitRequests)
    app.add_middleware(SecurityHeaders)
    # Where the curated data and its reports/ are, for the pages that show a source's text.
    app.state.data_folder = data_folder
    settings_dir = Settings.from_env().data_dir
    app.state.keys = KeyRing(settings_dir, keys)
    app.state.audit_log = (state_dir or settings_dir) / "audit.log"
    for module in (search, entities, queries, exports, admin, docs):
        app.include_router(module.router)
    # Downstream parts (viz: network views and pages) plug in by entry point; see pyproject.
    for routers in plugin_routers():
        for router in routers:
            app.include_router(router)

    @app.get("/api/health", tags=["meta"])
    def health(view: ViewDep) -> dict[str, object]:
        """The database answers; how many entities the caller may see."""
        return {"status": "ok", "engine": view.engine, "entities": view.count()}

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, error: HTTPException) -> JSONResponse:
        return error_body(
            error.status_code, NotFound.title if error.status_code == 404 else "request failed", error.detail
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        detail = [{"where": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in error.errors()]
        return error_body(422, "invalid request", detail)

    @app.exception_handler(GraphError)
    async def graph_error(_: Request, error: GraphError) -> JSONResponse:
        """The caller's mistakes are 4xx, an unreachable database 503, only faults 500."""
        return error_body(error.status, error.title, str(error))

    return app
