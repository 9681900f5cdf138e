"""`persecution-graph serve`: the HTTP API on the embedded engine (or a configured Neo4j)."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from ..graph import embedded
from ..graph.errors import UserError
from ..graph.scope import Scope
from ..graph.settings import Settings
from ..graph.store import Graph, connect_healing
from ..graph.writer import RECORD_FORMAT
from ..loaders.load import load
from ..queries.catalogue import warm_in_background
from .main import api_threads, create_app


def warn_if_loose(settings: Settings) -> None:
    """Say so when other users of the machine may read the data folder."""
    if not settings.neo4j_uri:
        warning = embedded.loose_mode(settings.data_dir)
        if warning:
            print(warning, file=sys.stderr)


# The data folder `serve` was given, for its workers (processes of their own: see worker_app).
DATA_ENV = "PERSECUTION_GRAPH_SERVE_DATA"
# How long uvicorn waits for a worker to answer its health check before it kills the worker as
# hung and starts another (uvicorn's own default: 5 s). A worker answers from a thread of its
# own, which waits while the warm-up holds the interpreter in one long call: at 1M entities up
# to 37 s in one process alone (Leiden, and the driver decoding a whole-graph table as one
# record), 7.4 s since those were broken up; with 5 s every worker of `serve --workers 2` was
# killed and started again before it was warm, for ever (docs/bench/issue-19.md). A worker that
# truly hangs is still replaced, after this long.
WORKER_HEALTHCHECK_S = 300


def worker_app() -> FastAPI:
    """The app of one of `serve --workers N`'s processes (uvicorn's factory): its own
    connection to the database `serve` started, its own kept answers, warmed in the background
    as `serve` warms its own. Each request is served under one process's interpreter lock, so
    two workers use both cores of a small machine where one cannot."""
    return _warmed_app(connect_healing(Settings.from_env()), os.environ.get(DATA_ENV))


def _warmed_app(graph: Graph, data: str | None) -> FastAPI:
    """The app on ``graph``, its kept answers warmed in the background, now and after a reload."""
    warm_in_background(graph)
    app = create_app(graph, data_folder=data)
    app.state.warm_up = True
    return app


def serve(host: str, port: int, data: str, workers: int = 1) -> None:
    """Start the database if needed, load ``data`` into an empty graph, serve until Ctrl-C,
    with ``workers`` processes answering requests (1: this one)."""
    api_threads()  # a wrong setting is said before the database starts
    settings = Settings.from_env()
    warn_if_loose(settings)
    graph = connect_healing(settings)
    try:
        # Empty, or written before records carried visibility flags (graph/scope.py): load again.
        stale = graph.version() is not None and graph.stored_format() != RECORD_FORMAT
        empty = stale or graph.view(Scope.FULL).count() == 0
        if stale:
            print(f"persecution-graph: the stored graph predates this version; loading {data} again", file=sys.stderr)
        if empty and Path(data).exists():
            result = load(graph, Path(data))
            if not result.ok:
                raise UserError(f"{data} is not valid; run `persecution-graph validate {data}`")
            public = graph.view(Scope.PUBLIC).count()
            print(
                f"loaded {result.nodes} nodes and {result.edges} edges from {data}; public readers may open "
                f"{public} of the nodes (the others are marked restricted), key holders all",
                file=sys.stderr,
            )
        elif empty:
            print(
                f"persecution-graph: the graph is empty and there is no {data} to load; "
                "load data with `persecution-graph load PATH` or give `serve --data PATH`",
                file=sys.stderr,
            )
        print(f"persecution-graph: http://{host}:{port}/docs", file=sys.stderr)
        # uvicorn re-raises the SIGTERM it caught once it has shut down; with the default handler
        # that would end the process before the database below is stopped, so exit cleanly.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        if workers > 1:
            os.environ[DATA_ENV] = data
            factory = f"{__name__}:worker_app"
            uvicorn.run(
                factory,
                factory=True,
                workers=workers,
                host=host,
                port=port,
                log_level="warning",
                timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
            )
            return
        uvicorn.run(_warmed_app(graph, data), host=host, port=port, log_level="warning")
    finally:
        # Closed first, so that no thread still reading (the warm-up) starts the database again
        # once it is stopped: it outlived `serve` then.
        try:
            graph.close()
        finally:
            if not settings.neo4j_uri:
                embedded.stop(settings.data_dir)
