"""The embedded engine: ArcadeDB with its Bolt plugin, run in a child process of its own.

The engine lives in a JVM (through JPype) that can start only once per process and takes its
host process down if it faults; it also writes logs into its working directory. So it runs in
a separate process whose working directory is the data folder, bound to 127.0.0.1, with a
generated password kept (mode 0600) in the data folder; every other part talks Bolt to it.

``server.json`` in the data folder says which server is running. A server started by a single
command (``ephemeral``) is stopped by that command; ``db start`` and ``serve`` keep it running.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import DatabaseUnavailable
from .settings import EMBEDDED_DATABASE

STATE_FILE = "server.json"
CREDENTIALS_FILE = "credentials.json"
LOG_FILE = "server.log"
# Which of the server's databases holds the graph: a load writes a new database beside it and
# then points this file at it (graph/writer.py), so readers see the old graph or the new one.
CURRENT_FILE = "current-database"
STAGING_PREFIX = "graph-"
START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class ServerInfo:
    """A running embedded server: its process, ports and whether a single command owns it."""

    pid: int
    bolt_port: int
    http_port: int
    database: str = EMBEDDED_DATABASE  # current when the server started; now: current_database()
    ephemeral: bool = False

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"


def credentials(data_dir: Path) -> tuple[str, str]:
    """The root user and its password, generated on first use and kept private."""
    path = data_dir / CREDENTIALS_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump({"user": "root", "password": secrets.token_urlsafe(24)}, handle)
    data = json.loads(path.read_text())
    return data["user"], data["password"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _alive(pid: int) -> bool:
    """Whether the process runs; a finished child of ours is reaped (a zombie is not alive)."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass  # not our child: its parent reaps it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_state(data_dir: Path) -> ServerInfo | None:
    try:
        return ServerInfo(**json.loads((data_dir / STATE_FILE).read_text()))
    except (OSError, ValueError, TypeError):
        return None


def _write_state(data_dir: Path, info: ServerInfo) -> None:
    temporary = data_dir / (STATE_FILE + ".tmp")
    temporary.write_text(json.dumps(asdict(info)))
    temporary.replace(data_dir / STATE_FILE)


def running(data_dir: Path) -> ServerInfo | None:
    """The server running on this data folder, if any (stale state files are ignored)."""
    info = _read_state(data_dir)
    if info is None or not _alive(info.pid) or not _port_open(info.bolt_port):
        return None
    return info


@contextlib.contextmanager
def _lock(data_dir: Path) -> Iterator[None]:
    """Only one process at a time may start or stop the server of a data folder."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current_database(data_dir: Path) -> str:
    """The name of the database that holds the graph (the first one until a load replaces it)."""
    try:
        name = (data_dir / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return EMBEDDED_DATABASE
    return name or EMBEDDED_DATABASE


def make_current(data_dir: Path, name: str) -> None:
    """Point readers at ``name`` in one step (a file replaced atomically)."""
    temporary = data_dir / (CURRENT_FILE + ".tmp")
    temporary.write_text(name, encoding="utf-8")
    temporary.replace(data_dir / CURRENT_FILE)


def server_command(data_dir: Path, command: str) -> object:
    """Run an ArcadeDB server command (``create database NAME``, ``drop database NAME``,
    ``list databases``) on the running server's HTTP API, on loopback, as root."""
    info = running(data_dir)
    if info is None:
        raise DatabaseUnavailable(f"the embedded database of {data_dir} is not running")
    user, password = credentials(data_dir)
    request = urllib.request.Request(
        f"http://127.0.0.1:{info.http_port}/api/v1/server",
        data=json.dumps({"command": command}).encode(),
        method="POST",
        headers={
            "Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode(),
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read()).get("result")
    except urllib.error.HTTPError as error:
        detail = error.read().decode(errors="replace")[:300]
        raise DatabaseUnavailable(f"the embedded database refused {command!r}: {detail}") from None
    except OSError as error:
        raise DatabaseUnavailable(f"the embedded database did not answer {command!r}: {error}") from None


def _log_tail(data_dir: Path, lines: int = 15) -> str:
    try:
        text = (data_dir / LOG_FILE).read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(text[-lines:])


def start(data_dir: Path, ephemeral: bool = False) -> ServerInfo:
    """Start the server for this data folder (or adopt the running one) and wait until ready."""
    with _lock(data_dir):
        info = running(data_dir)
        if info is not None:
            if info.ephemeral and not ephemeral:
                info = ServerInfo(**{**asdict(info), "ephemeral": False})
                _write_state(data_dir, info)
            return info
        credentials(data_dir)
        (data_dir / STATE_FILE).unlink(missing_ok=True)
        bolt, http = _free_port(), _free_port()
        with (data_dir / LOG_FILE).open("ab") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "persecution_graph.graph.embedded",
                    str(data_dir),
                    str(bolt),
                    str(http),
                    "1" if ephemeral else "0",
                ],
                cwd=data_dir,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        return _wait_ready(data_dir, process)


def _wait_ready(data_dir: Path, process: subprocess.Popen[bytes]) -> ServerInfo:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DatabaseUnavailable(
                f"the embedded database failed to start (exit status "
                f"{process.returncode}); end of {data_dir / LOG_FILE}:\n"
                f"{_log_tail(data_dir)}"
            )
        info = running(data_dir)
        if info is not None and info.pid == process.pid:
            return info
        time.sleep(0.1)
    process.terminate()
    raise DatabaseUnavailable(
        f"the embedded database did not start within {START_TIMEOUT_S:.0f} s; " f"see {data_dir / LOG_FILE}"
    )


def stop(data_dir: Path, only_ephemeral_pid: int | None = None) -> bool:
    """Stop the server cleanly (SIGTERM, then SIGKILL after a time limit); False if none ran.

    With ``only_ephemeral_pid``, stop it only if it is still that command's own server.
    """
    with _lock(data_dir):
        info = running(data_dir)
        if info is None:
            return False
        if only_ephemeral_pid is not None and (info.pid != only_ephemeral_pid or not info.ephemeral):
            return False
        os.kill(info.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while _alive(info.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(info.pid):
            os.kill(info.pid, signal.SIGKILL)
        (data_dir / STATE_FILE).unlink(missing_ok=True)
        return True


def _serve_forever(data_dir: Path, bolt: int, http: int, ephemeral: bool) -> None:
    """Child-process main: run ArcadeDB until SIGTERM, then shut it down cleanly."""
    import arcadedb_embedded  # the JVM starts here, in this process only

    _, password = credentials(data_dir)
    server = arcadedb_embedded.create_server(
        str(data_dir / "arcadedb"),
        root_password=password,
        config={
            "server_plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
            "bolt_port": bolt,
            "http_port": http,
            "host": "127.0.0.1",
        },
    )
    server.start()
    current = current_database(data_dir)
    if not (data_dir / "arcadedb" / "databases" / current).exists():
        server.create_database(current)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    _write_state(data_dir, ServerInfo(os.getpid(), bolt, http, current, ephemeral))
    print(f"persecution-graph: embedded database ready on 127.0.0.1:{bolt}", flush=True)
    while not stopping.wait(0.2):  # a timed wait lets the signal handler run promptly
        pass
    server.stop()
    print("persecution-graph: embedded database stopped", flush=True)


if __name__ == "__main__":
    _serve_forever(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1")
