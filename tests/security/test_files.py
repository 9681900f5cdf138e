"""Files that hold restricted text are private, faults say what happened, and no database is
left behind. Each test starts an embedded server of its own on a data folder of its own."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from persecution_graph.graph import embedded
from persecution_graph.graph.errors import GraphError
from persecution_graph.graph.scope import Scope
from persecution_graph.graph.settings import Settings
from persecution_graph.graph.store import connect
from persecution_graph.graph.writer import ONE_TRANSACTION_ENV

from tests.conftest import SMALL


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "data"
    yield folder
    embedded.stop(folder)


def _loose(folder: Path) -> list[str]:
    """Every file or folder below ``folder`` that anyone but its owner may read or enter."""
    return [str(p) for p in [folder, *folder.rglob("*")] if not p.is_symlink() and p.stat().st_mode & 0o077]


def test_the_data_folder_and_everything_the_engine_writes_are_private(  # type: ignore[no-untyped-def]
    own_server: Path, small_dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = embedded.start(own_server)
    graph = connect(Settings(data_dir=own_server), info)
    try:
        graph.replace(small_dataset)
        monkeypatch.setenv(ONE_TRANSACTION_ENV, "0")  # the next load into a new database, pointed at
        graph.replace(small_dataset)
    finally:
        graph.driver.close()
    assert stat.S_IMODE(own_server.stat().st_mode) == 0o700
    written = {p.name for p in own_server.rglob("*")}
    assert {"server.log", "credentials.json", "arcadedb", "databases", "current-database"} <= written
    assert _loose(own_server) == []
    # The console's user is made on a fresh folder without first dropping one that is not there.
    assert f"User '{embedded.CONSOLE_USER}' not found" not in (own_server / "server.log").read_text()


def test_files_written_before_are_made_private_and_a_loose_folder_is_named(own_server: Path) -> None:
    own_server.mkdir(mode=0o755)
    old = own_server / "server.log"
    old.write_text("an old log\n")
    old.chmod(0o644)
    assert embedded.loose_mode(own_server) == (
        f"warning: {own_server} can be read by other users of this machine (mode 755); "
        f"it holds restricted records: run `chmod 700 {own_server}`"
    )
    run = subprocess.run(
        [sys.executable, "-m", "persecution_graph.api.cli", "db", "start"],
        env={**os.environ, "PERSECUTION_GRAPH_DATA_DIR": str(own_server)},
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr.startswith(f"warning: {own_server} can be read by other users")
    assert _loose(own_server) == []
    assert embedded.loose_mode(own_server) is None


def test_exports_views_and_dossiers_are_written_private(cli_env: dict[str, str], tmp_path: Path) -> None:
    def cli(*args: str) -> None:
        run = subprocess.run(
            [sys.executable, "-m", "persecution_graph.api.cli", *args], env=cli_env, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr

    cli("load", str(SMALL))
    loose = tmp_path / "was-public.json"
    loose.write_text("{}")
    loose.chmod(0o644)
    cli("export", "--format", "json", "-o", str(loose))
    cli("export", "--format", "neo4j-import", "-o", str(tmp_path / "g.zip"))
    cli("export", "--format", "dump", "-o", str(tmp_path / "g.jsonl"))
    cli("viz", "dilnar-insenova", "-o", str(tmp_path / "v.png"))
    cli("viz", "dilnar-insenova", "-o", str(tmp_path / "v.html"))
    cli("report", "official", "zh-smatov", "-o", str(tmp_path / "d.html"))
    written = ["was-public.json", "g.zip", "g.jsonl", "v.png", "v.html", "d.html"]
    assert {name: stat.S_IMODE((tmp_path / name).stat().st_mode) for name in written} == dict.fromkeys(written, 0o600)


def test_databases_nobody_reads_are_removed_at_start(own_server: Path) -> None:
    """A kill between making a new database current and dropping the old one left the old
    `persecution` database on disk; a killed large load left a half-written `graph-*` one."""
    databases = own_server / "arcadedb" / "databases"
    embedded.start(own_server)
    embedded.stop(own_server)
    (databases / "persecution").rename(databases / "graph-20261206-new")
    embedded.make_current(own_server, "graph-20261206-new")
    for leftover in ("persecution", "graph-20261206-half-written"):
        (databases / leftover).mkdir()
        (databases / leftover / "bucket.bin").write_bytes(b"x" * 1000)
    info = embedded.start(own_server)
    assert sorted(p.name for p in databases.iterdir() if p.is_dir()) == ["graph-20261206-new"]
    graph = connect(Settings(data_dir=own_server), info)
    try:
        assert graph.view(Scope.FULL).count() == 0
    finally:
        graph.driver.close()


def _mount_small_disk(folder: Path, megabytes: int) -> bool:
    folder.mkdir(parents=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m,mode=700", "tmpfs", str(folder)])
    return done.returncode == 0


def test_a_full_disk_is_named_as_such_and_changes_nothing(tmp_path: Path, small_dataset) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "small-disk"
    if os.geteuid() != 0 or not _mount_small_disk(folder, 64):
        pytest.skip("a small disk needs `mount -t tmpfs` (root)")
    try:
        info = embedded.start(folder)
        graph = connect(Settings(data_dir=folder), info)
        graph.replace(small_dataset)
        before = graph.view(Scope.FULL).export()
        filler = folder / "filler"
        with filler.open("wb") as handle:  # leave almost nothing free
            try:
                while True:
                    handle.write(b"\0" * (1 << 20))
                    handle.flush()
            except OSError:
                pass
        with pytest.raises(GraphError) as failed:
            graph.replace(small_dataset)
        message = str(failed.value)
        assert message.startswith(f"the disk holding {folder} is full ("), message
        assert message.endswith("free some space there and load again; nothing was changed"), message
        filler.unlink()
        assert graph.view(Scope.FULL).export() == before
        graph.driver.close()
    finally:
        embedded.stop(folder)
        _unmount(folder)


def _unmount(folder: Path) -> None:
    """Unmount the small disk; lazily if a process that is going away still holds it."""
    for _ in range(20):
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode == 0:
            return
        time.sleep(0.5)
    subprocess.run(["umount", "-l", str(folder)], capture_output=True)
