"""The embedded engine: ArcadeDB with its Bolt plugin, run in a child process of its own.

The engine lives in a JVM (through JPype) that can start only once per process and takes its
host process down if it faults; it also writes logs into its working directory. So it runs in
a separate process whose working directory is the data folder, bound to 127.0.0.1, with a
generated password kept (mode 0600) in the data folder; every other part talks Bolt to it.

``server.json`` in the data folder says which server is running. A server started by a command
(``ephemeral``) stays up for the commands after it and stops itself once no command has used it
for ``idle_timeout_s`` (``PERSECUTION_GRAPH_IDLE_TIMEOUT_S``, default 15 minutes; 0: the command
that started it stops it), since the engine's JVM takes seconds to start; ``db stop`` stops it
at once. ``db start`` and ``serve`` keep it running. A command holds a shared lock on ``.in-use``
while it runs (``in_use``): the server never stops under a command, however long it runs.

Hardening, enforced by the engine itself (see docs/SECURITY.md):

- the data folder is private (0700) and the server process creates every file with umask 077
  (database files, write-ahead log, logs);
- no statement may read a file or a URL (`LOAD CSV` off for both; `IMPORT DATABASE`, which only
  root may run, reads only the data folder's ``import/``, where a large load leaves its file for
  the engine's importer: graph/bulk.py), every statement stops after
  ``STATEMENT_TIMEOUT_MS``, and ``range()`` is bounded;
- the Cypher console runs as a server user of its own (``CONSOLE_USER``) whose group may only
  read records, never write, change the schema or the security; the engine refuses the rest.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
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
from typing import IO

from .errors import DatabaseUnavailable
from .files import PRIVATE_FILE, write_private
from .settings import EMBEDDED_DATABASE

STATE_FILE = "server.json"
CREDENTIALS_FILE = "credentials.json"
LOG_FILE = "server.log"
# Which of the server's databases holds the graph: a load writes a new database beside it and
# then points this file at it (graph/writer.py), so readers see the old graph or the new one.
CURRENT_FILE = "current-database"
STAGING_PREFIX = "graph-"
# The only folder from which the engine's importer may read (graph/bulk.py writes its files there).
IMPORT_DIR = "import"
START_TIMEOUT_S = 120.0
# An import of millions of records is one command (graph/bulk.py): wait for it.
IMPORT_TIMEOUT_S = 3600.0
STOP_TIMEOUT_S = 60.0
PRIVATE_DIR = 0o700
# The console's server user and its group: it may read records of every type in every database
# (a load makes a new database), and nothing else.
CONSOLE_USER = "console"
CONSOLE_GROUP = "console-reader"
# A statement that runs longer is stopped by the engine (the project's own statements take well
# under a second; a batch of a large load a few seconds).
STATEMENT_TIMEOUT_MS = 120_000
STATEMENT_TIMEOUT_ENV = "PERSECUTION_GRAPH_STATEMENT_TIMEOUT_S"
# The most elements a range() may produce (the project's statements use none).
MAX_RANGE_SIZE = 100_000
# The most elements one operation may hold in the engine's heap (a collect, a sort). Whole-graph
# tables are one collect (View.read_table): every edge at 1M entities is 3.15M, past ArcadeDB's
# default 2,097,152, and every read of the links failed there (2026-12-07). Room for ~6M entities.
MAX_HEAP_ELEMENTS = 20_000_000


# The engine's JVM options from the environment (read by the arcadedb-embedded package as its
# JVM starts: -Xmx and the like). Its heap is 4 GB unless they give another.
JVM_ARGS_ENV = "ARCADEDB_JVM_ARGS"
DEFAULT_HEAP_MB = 4096
# The engine's page cache, as a share of its heap: ArcadeDB's own default is a quarter (1 GB of 4
# GB), and a 1M-entity graph (1.5 GB on disk) did not fit. official-footprint's pages (100 edges
# from all over the graph) at 1M, 200 calls in a fresh server each, one run each way: p95 58.6
# and 80.8 ms with a quarter, 39.8 ms with half; a whole warm-up at 1M (every whole-graph table,
# 500.6 s) ran in the same 4 GB heap with half of it for pages.
PAGE_CACHE_SHARE = 0.5


def jvm_args(given: str) -> str:
    """The engine's JVM options: those ``given`` (ARCADEDB_JVM_ARGS), and the page cache's size
    (PAGE_CACHE_SHARE of the heap) unless they set it."""
    if "-Darcadedb.maxPageRAM=" in given:
        return given
    units = {"": 1 / 2**20, "k": 1 / 1024, "m": 1, "g": 1024, "t": 2**20}
    heaps = [int(n) * units[unit.lower()] for n, unit in re.findall(r"-Xmx(\d+)([kKmMgGtT]?)\b", given)]
    heap_mb = max(heaps) if heaps else DEFAULT_HEAP_MB  # the largest wins, as the package takes it
    return f"{given} -Darcadedb.maxPageRAM={int(heap_mb * PAGE_CACHE_SHARE)}".strip()


@dataclass(frozen=True)
class ServerInfo:
    """A running embedded server: its process, ports and whether a single command owns it."""

    pid: int
    bolt_port: int
    http_port: int
    database: str = EMBEDDED_DATABASE  # current when the server started; now: current_database()
    ephemeral: bool = False
    idle_timeout_s: float = 0.0  # an ephemeral server stops itself after this long unused (0: never)

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"


def private_folder(folder: Path) -> Path:
    """Make ``folder`` (and missing parents) with mode 0700; an existing one keeps its mode."""
    folder.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    return folder


def loose_mode(folder: Path) -> str | None:
    """A warning if other users may read or enter ``folder``, else None."""
    try:
        mode = folder.stat().st_mode & 0o777
    except OSError:
        return None
    if mode & 0o077 == 0:
        return None
    return (
        f"warning: {folder} can be read by other users of this machine (mode {mode:o}); "
        f"it holds restricted records: run `chmod 700 {folder}`"
    )


def _credentials_file(data_dir: Path) -> dict[str, str]:
    """The generated passwords (root, and the console's read-only user), kept private."""
    path = data_dir / CREDENTIALS_FILE
    if not path.exists():
        private_folder(data_dir)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        with os.fdopen(fd, "w") as handle:
            json.dump({"user": "root", "password": secrets.token_urlsafe(24)}, handle)
    data: dict[str, str] = json.loads(path.read_text())
    if "console_password" not in data:  # a data folder from before the console had its own user
        data["console_password"] = secrets.token_urlsafe(24)
        temporary = path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle)
        temporary.replace(path)
    return data


def credentials(data_dir: Path) -> tuple[str, str]:
    """The root user and its password, generated on first use and kept private."""
    data = _credentials_file(data_dir)
    return data["user"], data["password"]


def console_credentials(data_dir: Path) -> tuple[str, str]:
    """The console's user, which the engine lets read and nothing else, and its password."""
    return CONSOLE_USER, _credentials_file(data_dir)["console_password"]


def free_port() -> int:
    """A port on loopback no one listens on now."""
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


def statement_timeout_ms() -> int:
    """The engine's limit on one statement, in milliseconds (PERSECUTION_GRAPH_STATEMENT_TIMEOUT_S)."""
    given = os.environ.get(STATEMENT_TIMEOUT_ENV)
    return int(float(given) * 1000) if given else STATEMENT_TIMEOUT_MS


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
    private_folder(data_dir)
    with os.fdopen(os.open(data_dir / ".lock", os.O_WRONLY | os.O_CREAT, PRIVATE_FILE), "w") as handle:
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
    write_private(temporary, name)
    temporary.replace(data_dir / CURRENT_FILE)


def basic_auth(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _post(
    http_port: int, path: str, body: dict[str, object], auth: tuple[str, str], what: str, timeout: float = 120.0
) -> object:
    """POST JSON to the server's HTTP API on loopback; its ``result``."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{http_port}{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": basic_auth(*auth), "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read()).get("result")
    except urllib.error.HTTPError as error:
        detail = error.read().decode(errors="replace")[:300]
        raise DatabaseUnavailable(f"the embedded database refused {what}: {detail}") from None
    except OSError as error:
        raise DatabaseUnavailable(f"the embedded database did not answer {what}: {error}") from None


def import_folder(data_dir: Path) -> Path:
    """Where a load leaves the file the engine imports (graph/bulk.py), and nothing else."""
    return data_dir / IMPORT_DIR


def sql_command(data_dir: Path, database: str, command: str, **params: object) -> object:
    """Run an SQL command (``IMPORT DATABASE``, which Cypher lacks) in ``database`` on the running
    server's HTTP API, on loopback, as root; values as parameters."""
    info = running(data_dir)
    if info is None:
        raise DatabaseUnavailable(f"the embedded database of {data_dir} is not running")
    body: dict[str, object] = {"language": "sql", "command": command, "params": params}
    where = f"/api/v1/command/{database}"
    return _post(info.http_port, where, body, credentials(data_dir), repr(command), IMPORT_TIMEOUT_S)


def server_command(data_dir: Path, command: str) -> object:
    """Run an ArcadeDB server command (``create database NAME``, ``drop database NAME``,
    ``list databases``) on the running server's HTTP API, on loopback, as root."""
    info = running(data_dir)
    if info is None:
        raise DatabaseUnavailable(f"the embedded database of {data_dir} is not running")
    return _post(info.http_port, "/api/v1/server", {"command": command}, credentials(data_dir), repr(command))


def _create_console_user(data_dir: Path, http_port: int) -> None:
    """The console's group (read records of any type, in any database; nothing else) and its
    user, made anew at every start so that the stored password is the one in force."""
    root = credentials(data_dir)
    group = {
        "database": "*",
        "name": CONSOLE_GROUP,
        "access": [],  # no updateSecurity, updateSchema or updateDatabaseSettings
        "types": {"*": {"access": ["readRecord"]}},
        "readTimeout": statement_timeout_ms(),
    }
    _post(http_port, "/api/v1/server/groups", group, root, "the console's group")
    user, password = console_credentials(data_dir)
    if _server_user(data_dir, user):  # a fresh folder has none: dropping it would log an error
        _post(http_port, "/api/v1/server", {"command": f"drop user {user}"}, root, "drop user")
    spec = {"name": user, "password": password, "databases": {"*": [CONSOLE_GROUP]}}
    _post(http_port, "/api/v1/server", {"command": "create user " + json.dumps(spec)}, root, "the console's user")


def _server_user(data_dir: Path, name: str) -> bool:
    """Whether the engine's own list of server users (one JSON object per line) names ``name``."""
    try:
        lines = (data_dir / "arcadedb" / "config" / "server-users.jsonl").read_text(encoding="utf-8").splitlines()
    except OSError:
        return False
    for line in lines:
        with contextlib.suppress(ValueError):
            found = json.loads(line)
            if isinstance(found, dict) and found.get("name") == name:
                return True
    return False


def leftover_databases(data_dir: Path) -> list[Path]:
    """Database folders nobody reads: every one but the current (loads killed mid-way, or
    killed between making a new database current and dropping the old one)."""
    folder = data_dir / "arcadedb" / "databases"
    if not folder.is_dir():
        return []
    current = current_database(data_dir)
    return sorted(path for path in folder.iterdir() if path.is_dir() and path.name != current)


def _tighten(data_dir: Path) -> None:
    """Files written before the data folder was kept private: owner only."""
    for path in [data_dir, *data_dir.rglob("*")]:
        with contextlib.suppress(OSError):
            if not path.is_symlink():
                path.chmod(PRIVATE_DIR if path.is_dir() else PRIVATE_FILE)


# How the engine's log says that a write found no room (Java's IOException message).
DISK_FULL = "No space left on device"
# Room a load needs besides a copy of the current graph (write-ahead log, index pages).
LOAD_HEADROOM = 16 << 20


def log_size(data_dir: Path) -> int:
    """Where the engine's log ends now (what it writes later starts there)."""
    try:
        return (data_dir / LOG_FILE).stat().st_size
    except OSError:
        return 0


def disk_full(data_dir: Path, since: int = 0) -> str | None:
    """Why a write failed, if it was for lack of room: the disk holding the data folder has less
    free than a new graph needs (about the size of the current one, plus headroom), or the engine
    logged after byte ``since`` of its log that it found no space. None otherwise."""
    needed = _database_size(data_dir) + LOAD_HEADROOM
    free = shutil.disk_usage(data_dir).free
    if free >= needed and DISK_FULL not in _logged_since(data_dir, since):
        return None
    return (
        f"the disk holding {data_dir} is full ({_megabytes(free)} free): the database could not write "
        f"the new graph, which needs about {_megabytes(needed)}; free some space there and load again"
    )


def _database_size(data_dir: Path) -> int:
    current = data_dir / "arcadedb" / "databases" / current_database(data_dir)
    return sum(f.stat().st_size for f in current.rglob("*") if f.is_file()) if current.is_dir() else 0


def _logged_since(data_dir: Path, since: int) -> str:
    try:
        with (data_dir / LOG_FILE).open("rb") as log:
            log.seek(since)
            return log.read(8 << 20).decode(errors="replace")
    except OSError:
        return ""


def _megabytes(count: int) -> str:
    return f"{count / (1 << 20):,.1f} MB"


def _log_tail(data_dir: Path, lines: int = 15) -> str:
    try:
        text = (data_dir / LOG_FILE).read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(text[-lines:])


IN_USE_FILE = ".in-use"
IDLE_TIMEOUT_ENV = "PERSECUTION_GRAPH_IDLE_TIMEOUT_S"
IDLE_TIMEOUT_S = 900.0


def idle_timeout_s() -> float:
    """How long a server started by a command stays up unused (PERSECUTION_GRAPH_IDLE_TIMEOUT_S)."""
    given = os.environ.get(IDLE_TIMEOUT_ENV)
    return float(given) if given else IDLE_TIMEOUT_S


@contextlib.contextmanager
def in_use(data_dir: Path) -> Iterator[None]:
    """Held by a command while it uses the server (a shared lock; the server takes it exclusively
    to stop when idle); its end is the server's last use (the file's time)."""
    private_folder(data_dir)
    path = data_dir / IN_USE_FILE
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH)
        try:
            yield
        finally:
            os.utime(path)
            fcntl.flock(handle, fcntl.LOCK_UN)


def _idle_for(data_dir: Path, seconds: float) -> IO[str] | None:
    """The in-use lock, held, if no command uses the server and none has for ``seconds``
    (the caller stops the server, then lets the lock go); None if it is in use."""
    path = data_dir / IN_USE_FILE
    handle = os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE), "w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    if time.time() - path.stat().st_mtime < seconds:
        handle.close()
        return None
    return handle


def start(data_dir: Path, ephemeral: bool = False, idle_timeout: float = 0.0) -> ServerInfo:
    """Start the server for this data folder (or adopt the running one) and wait until ready.
    An ``ephemeral`` one with an ``idle_timeout`` stops itself once unused that long."""
    with _lock(data_dir):
        info = running(data_dir)
        if info is not None:
            if info.ephemeral and not ephemeral:
                info = ServerInfo(**{**asdict(info), "ephemeral": False})
                _write_state(data_dir, info)
            return info
        credentials(data_dir)
        (data_dir / STATE_FILE).unlink(missing_ok=True)
        # Nothing is in use while no server runs: databases nobody points at go now.
        for leftover in [*leftover_databases(data_dir), import_folder(data_dir)]:
            shutil.rmtree(leftover, ignore_errors=True)
        _tighten(data_dir)
        bolt, http = free_port(), free_port()
        log_fd = os.open(data_dir / LOG_FILE, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
        with os.fdopen(log_fd, "ab") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "persecution_graph.graph.embedded",
                    str(data_dir),
                    str(bolt),
                    str(http),
                    "1" if ephemeral else "0",
                    str(idle_timeout if ephemeral else 0.0),
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


def server_config(bolt: int, http: int) -> dict[str, object]:
    """The server's settings (keys as arcadedb_embedded takes them: ``a_b`` is ``arcadedb.a.b``)."""
    return {
        "server_plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
        "bolt_port": bolt,
        "http_port": http,
        "host": "127.0.0.1",
    }


def database_settings(data_dir: Path) -> dict[str, object]:
    """Settings every database of the server takes from the engine's defaults (a database
    opened by the server does not read the server's own settings)."""
    return {
        # Statements read the graph, never a file or a URL.
        "arcadedb.opencypher.loadCsv.allowFileUrls": False,
        "arcadedb.opencypher.loadCsv.allowRemoteUrls": False,
        # The importer (root only: it needs the right to change security) reads the load's own
        # files, nothing else; the server commands 'import/restore database' no local file at all.
        "arcadedb.server.security.importAllowedLocalPaths": str(import_folder(data_dir).resolve()),
        "arcadedb.server.restoreImportAllowLocalUrls": False,
        "arcadedb.server.security.importBlockLocalNetworks": True,
        "arcadedb.command.timeout": statement_timeout_ms(),
        "arcadedb.queryMaxRangeSize": MAX_RANGE_SIZE,
        "arcadedb.queryMaxHeapElementsAllowedPerOp": MAX_HEAP_ELEMENTS,
    }


def _apply_database_settings(data_dir: Path) -> None:
    import jpype

    settings = jpype.JClass("com.arcadedb.GlobalConfiguration")
    for key, value in database_settings(data_dir).items():
        found = settings.findByKey(key)
        if found is None:
            raise DatabaseUnavailable(f"this ArcadeDB has no setting {key!r}")
        found.setValue(value)


def _unused(data_dir: Path, pid: int) -> IO[str] | None:
    """The in-use lock, held, if this server was started by a command, is still (``db start``
    may adopt it) and has been unused for its idle timeout; None otherwise."""
    info = _read_state(data_dir)
    if info is None or info.pid != pid or not info.ephemeral or info.idle_timeout_s <= 0:
        return None
    return _idle_for(data_dir, info.idle_timeout_s)


def _serve_forever(data_dir: Path, bolt: int, http: int, ephemeral: bool, idle_timeout: float = 0.0) -> None:
    """Child-process main: run ArcadeDB until SIGTERM, then shut it down cleanly."""
    os.umask(0o077)  # every file the engine writes (database, write-ahead log, logs): owner only
    os.environ[JVM_ARGS_ENV] = jvm_args(os.environ.get(JVM_ARGS_ENV, ""))
    import arcadedb_embedded  # the JVM starts here, in this process only

    _, password = credentials(data_dir)
    server = arcadedb_embedded.create_server(
        str(data_dir / "arcadedb"), root_password=password, config=server_config(bolt, http)
    )
    _apply_database_settings(data_dir)
    server.start()
    current = current_database(data_dir)
    if not (data_dir / "arcadedb" / "databases" / current).exists():
        server.create_database(current)
    _create_console_user(data_dir, http)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    (data_dir / IN_USE_FILE).touch(mode=PRIVATE_FILE)  # unused from now on, until a command
    _write_state(data_dir, ServerInfo(os.getpid(), bolt, http, current, ephemeral, idle_timeout))
    print(f"persecution-graph: embedded database ready on 127.0.0.1:{bolt}", flush=True)
    idle: IO[str] | None = None
    ticks = 0
    while not stopping.wait(0.2):  # a timed wait lets the signal handler run promptly
        ticks += 1
        if ticks % 5 == 0 and (idle := _unused(data_dir, os.getpid())) is not None:
            # Commands wait on the lock held meanwhile, then find no server and start one.
            with _lock(data_dir):
                (data_dir / STATE_FILE).unlink(missing_ok=True)
            print(f"persecution-graph: embedded database unused for {idle_timeout:.0f} s, stopping", flush=True)
            break
    server.stop()
    if idle is not None:
        idle.close()
    print("persecution-graph: embedded database stopped", flush=True)


if __name__ == "__main__":
    _serve_forever(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1", float(sys.argv[5] or 0))
