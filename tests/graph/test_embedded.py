"""The embedded engine's JVM: its page cache is half its heap unless its options say otherwise."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from persecution_graph.graph import embedded
from persecution_graph.graph.embedded import jvm_args


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("", "-Darcadedb.maxPageRAM=2048"),  # the package's 4 GB heap
        ("-Xmx8g", "-Xmx8g -Darcadedb.maxPageRAM=4096"),
        ("-Xmx2048m -Xmx1g", "-Xmx2048m -Xmx1g -Darcadedb.maxPageRAM=1024"),  # the largest heap wins
        ("-XX:+UseG1GC -Xmx12G", "-XX:+UseG1GC -Xmx12G -Darcadedb.maxPageRAM=6144"),
        ("-Xmx4g -Darcadedb.maxPageRAM=300", "-Xmx4g -Darcadedb.maxPageRAM=300"),  # set by the user: kept
    ],
)
def test_the_page_cache_is_half_the_heap_unless_given(given: str, expected: str) -> None:
    assert jvm_args(given) == expected


def test_the_running_engine_has_its_page_cache_set(data_dir: Path) -> None:
    """Asked of the engine's own JVM (jcmd, from the JDK the engines need)."""
    jcmd = shutil.which("jcmd")
    if jcmd is None:
        pytest.skip("no jcmd on this machine (a JDK's tool)")
    info = embedded.running(data_dir)
    assert info is not None
    properties = subprocess.run(
        [jcmd, str(info.pid), "VM.system_properties"], capture_output=True, text=True, timeout=60
    ).stdout
    assert "arcadedb.maxPageRAM=2048\n" in properties
