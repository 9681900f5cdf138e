"""Files that hold data: only their owner may read them (exports, pictures and dossiers may hold
restricted records, about real and persecuted people)."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_FILE = 0o600


def write_private(path: Path, body: str | bytes) -> None:
    """Write ``body`` to ``path`` with mode 0600 (an existing file is made 0600 too)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    os.fchmod(fd, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(body.encode() if isinstance(body, str) else body)


def private_file(path: Path) -> Path:
    """An empty file with mode 0600 at ``path``, for a writer that opens it by name afterwards."""
    write_private(path, b"")
    return path
