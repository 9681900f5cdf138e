"""API keys with roles: reader < editor < admin. Anonymous callers are public readers.

Keys are random tokens handed out once (``persecution-graph keys add``) and stored only as
SHA-256 hashes, in a file (``PERSECUTION_GRAPH_API_KEYS_FILE``, default ``api-keys.json`` in
the data folder, mode 0600) and/or given in ``PERSECUTION_GRAPH_API_KEYS`` as
``role:token,role:token`` (hashed when read, for containers and tests). A presented key is
compared with every stored hash in constant time.

Any valid key sees restricted records; an anonymous caller never does. Keys take effect at
once: the file is read again at the first request after it changes (:class:`KeyRing`), so a
removed key stops working and a new one works without a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..graph.errors import GraphError, InvalidData

ROLES = ("reader", "editor", "admin")
KEYS_ENV = "PERSECUTION_GRAPH_API_KEYS"
KEYS_FILE_ENV = "PERSECUTION_GRAPH_API_KEYS_FILE"
TOKEN_PREFIX = "pg_"


@dataclass(frozen=True)
class Caller:
    """Who is asking: a named key with a role, or the anonymous public."""

    name: str = "anonymous"
    role: str | None = None

    @property
    def public(self) -> bool:
        """Public callers never see restricted records."""
        return self.role is None

    def allowed(self, role: str) -> bool:
        return self.role is not None and ROLES.index(self.role) >= ROLES.index(role)


ANONYMOUS = Caller()


def token_hash(token: str) -> str:
    return "sha256:" + hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class StoredKey:
    name: str
    role: str
    hash: str


class KeyError_(InvalidData):
    """A key file or variable that cannot be read, or a key that cannot be added."""


class KeysUnavailable(GraphError):
    """The server cannot read its keys now: it refuses every key rather than keep old ones."""

    status = 503
    title = "API keys unavailable"


def _check_role(role: str, where: str) -> str:
    if role not in ROLES:
        raise KeyError_(f"{where}: role {role!r} is not one of {', '.join(ROLES)}")
    return role


def keys_file(data_dir: Path) -> Path:
    return Path(os.environ.get(KEYS_FILE_ENV) or data_dir / "api-keys.json")


def load_keys(data_dir: Path) -> list[StoredKey]:
    """Every configured key: from the keys file and from the environment variable."""
    keys: list[StoredKey] = []
    path = keys_file(data_dir)
    if path.exists():
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))
            for entry in entries:
                keys.append(StoredKey(entry["name"], _check_role(entry["role"], str(path)), entry["hash"]))
        except (ValueError, KeyError, TypeError) as error:
            raise KeyError_(f"{path}: not a list of {{name, role, hash}}: {error}") from None
    for index, item in enumerate(filter(None, os.environ.get(KEYS_ENV, "").split(","))):
        role, sep, token = item.strip().partition(":")
        if not sep or not token:
            raise KeyError_(f"{KEYS_ENV}: entry {index + 1} is not role:token")
        keys.append(StoredKey(f"env-{index + 1}", _check_role(role, KEYS_ENV), token_hash(token)))
    return keys


class KeyRing:
    """The keys in force: the file's, read again whenever it changes, and the environment's.
    A ring made from a fixed list (tests, embedding) never changes."""

    def __init__(self, data_dir: Path, fixed: list[StoredKey] | None = None) -> None:
        self.data_dir = data_dir
        self.fixed = fixed
        self._seen: tuple[int, int, int] | None = None
        self._keys: list[StoredKey] = []
        self._lock = threading.Lock()

    def keys(self) -> list[StoredKey]:
        """The keys now (a stat of the file per call; read only when it changed)."""
        if self.fixed is not None:
            return self.fixed
        stamp = _stamp(keys_file(self.data_dir))
        with self._lock:
            if stamp != self._seen or self._seen is None:
                try:
                    self._keys = load_keys(self.data_dir)
                except KeyError_ as error:
                    self._seen = None  # read again at the next request
                    raise KeysUnavailable(str(error)) from None
                self._seen = stamp
            return self._keys


def _stamp(path: Path) -> tuple[int, int, int]:
    """What changes when a file is replaced or written: inode, size, modification time."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return (0, 0, 0)
    return (found.st_ino, found.st_size, found.st_mtime_ns)


def identify(token: str | None, keys: list[StoredKey]) -> Caller | None:
    """The caller a token belongs to; ANONYMOUS without a token; None for an unknown token."""
    if not token:
        return ANONYMOUS
    presented = token_hash(token)
    found: StoredKey | None = None
    for key in keys:  # no early exit: the time taken does not depend on which key matched
        if hmac.compare_digest(presented, key.hash):
            found = key
    return Caller(found.name, found.role) if found else None


def add_key(data_dir: Path, name: str, role: str) -> str:
    """Create a key, store its hash, and return the token (shown once, never stored)."""
    _check_role(role, "--role")
    path = keys_file(data_dir)
    entries: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    if any(entry["name"] == name for entry in entries):
        raise KeyError_(f"a key named {name!r} exists already; remove it first")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    entries.append({"name": name, "role": role, "hash": token_hash(token)})
    _write_private(path, entries)
    return token


def remove_key(data_dir: Path, name: str) -> bool:
    path = keys_file(data_dir)
    if not path.exists():
        return False
    entries = json.loads(path.read_text(encoding="utf-8"))
    kept = [entry for entry in entries if entry["name"] != name]
    _write_private(path, kept)
    return len(kept) != len(entries)


def _write_private(path: Path, entries: list[dict[str, Any]]) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(entries, handle, indent=1)
    os.replace(temporary, path)
