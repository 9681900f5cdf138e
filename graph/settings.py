"""Configuration: a flat list of ``PERSECUTION_GRAPH_*`` environment variables.

| variable | meaning | default |
|---|---|---|
| PERSECUTION_GRAPH_DATA_DIR | embedded database files, credentials, log | see :func:`default_data_dir` |
| PERSECUTION_GRAPH_NEO4J_URI | use this Neo4j 5 server instead of the embedded engine | unset |
| PERSECUTION_GRAPH_NEO4J_USER | its user | ``neo4j`` |
| PERSECUTION_GRAPH_NEO4J_PASSWORD | its password | unset |
| PERSECUTION_GRAPH_NEO4J_DATABASE | its database | ``neo4j`` |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PREFIX = "PERSECUTION_GRAPH_"
EMBEDDED_DATABASE = "persecution"


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/persecution-graph``, or ``~/.local/share/persecution-graph``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "persecution-graph"


def default_corpus() -> str:
    """`seed_data` in the current folder if there is one, else the bundled data of this
    checkout (so the commands work from any folder), else `seed_data` (reported missing)."""
    if Path("seed_data").is_dir():
        return "seed_data"
    bundled = Path(__file__).resolve().parents[1] / "seed_data"
    return str(bundled) if bundled.is_dir() else "seed_data"


@dataclass(frozen=True)
class Settings:
    """Where the graph lives: the embedded engine's data folder, or a Neo4j server."""

    data_dir: Path
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: str | None = None
    neo4j_database: str = "neo4j"

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            data_dir=Path(env.get(PREFIX + "DATA_DIR") or default_data_dir()).expanduser().resolve(),
            neo4j_uri=env.get(PREFIX + "NEO4J_URI") or None,
            neo4j_user=env.get(PREFIX + "NEO4J_USER") or "neo4j",
            neo4j_password=env.get(PREFIX + "NEO4J_PASSWORD"),
            neo4j_database=env.get(PREFIX + "NEO4J_DATABASE") or "neo4j",
        )

    def as_env(self) -> dict[str, str]:
        """The environment ``from_env`` reads these settings back from (for a process of its own)."""
        env = {PREFIX + "DATA_DIR": str(self.data_dir)}
        if self.neo4j_uri:
            env |= {
                PREFIX + "NEO4J_URI": self.neo4j_uri,
                PREFIX + "NEO4J_USER": self.neo4j_user,
                PREFIX + "NEO4J_DATABASE": self.neo4j_database,
            }
            if self.neo4j_password is not None:
                env[PREFIX + "NEO4J_PASSWORD"] = self.neo4j_password
        return env
