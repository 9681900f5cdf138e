"""igraph's betweenness in a process of its own, so that it runs beside Leiden.

igraph holds Python's lock while it computes: betweenness and Leiden in two threads took
longer than one after the other (5.3 s against 3.8 at 100k entities), so on two cores the
second has to be another process. This module is that process's program (run as a script:
it imports nothing of the product, only igraph) and the parent's side of it (``start``).

The child is told numbers only: how many vertices, the sampled sources, the edges as pairs of
vertex positions. No id, name or record leaves the parent, and nothing is written to a file:
the two talk through pipes. It answers igraph's own betweenness, one float64 a vertex.
"""

from __future__ import annotations

import subprocess
import sys
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# The header: vertices, sources (-1: every vertex, exact), edges. Then the sources, then the
# edges' ends in pairs, each a 64-bit integer.
_HEADER = 3
# The edges as pairs of vertex positions: a sequence of pairs, or a numpy array of shape (edges, 2)
# of integers (not imported here: the child program imports igraph alone).
Edges = Any


class Pending:
    """Betweenness being computed in a process of its own: ``result`` waits for it."""

    def __init__(self, vertices: int, edges: Edges, sources: Sequence[int] | None) -> None:
        told = array("q", [vertices, -1 if sources is None else len(sources), len(edges)])
        told.extend(sources or ())
        if isinstance(edges, Sequence):
            told.extend(end for edge in edges for end in edge)
            body = told.tobytes()
        else:  # numpy's pairs, in the same layout: not a Python int made for each end
            body = told.tobytes() + edges.astype("int64", order="C", copy=False).tobytes()
        self._vertices = vertices
        # -I: the child sees neither the caller's environment variables nor its working folder.
        self._process = subprocess.Popen(
            [sys.executable, "-I", str(Path(__file__))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        # Told here, all of it, before the caller goes on: a thread writing it would need the
        # lock igraph holds through Leiden, and the child would wait until Leiden ends (it did).
        try:
            assert self._process.stdin is not None
            with self._process.stdin as pipe:
                pipe.write(body)
        except OSError:
            self.close()
            raise

    def result(self) -> list[float] | None:
        """igraph's betweenness of each vertex, or None if the process failed (the caller
        then computes it itself)."""
        assert self._process.stdout is not None
        try:
            answer = self._process.stdout.read()
        except (OSError, ValueError):
            answer = b""
        code = self._process.wait()
        if code != 0 or len(answer) != 8 * self._vertices:
            print(
                f"persecution-graph: betweenness apart failed (exit {code}, {len(answer) // 8} values for"
                f" {self._vertices} vertices): computed here",
                file=sys.stderr,
            )
            return None
        return array("d", answer).tolist()

    def close(self) -> None:
        """End the process if it still runs (its answer is no longer needed) and reap it."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()


def start(vertices: int, edges: Edges, sources: Sequence[int] | None) -> Pending | None:
    """Start computing betweenness apart (None if no process could be started or told)."""
    if not sys.executable:  # an interpreter embedded in another program: no Python to start
        return None
    try:
        return Pending(vertices, edges, sources)
    except OSError:
        return None


def _main() -> None:
    told = array("q")
    told.frombytes(sys.stdin.buffer.read())  # first: the parent waits until it is read
    import igraph

    vertices, count, edges = told[:_HEADER]
    sources = None if count < 0 else told[_HEADER : _HEADER + count].tolist()
    ends = told[_HEADER + max(count, 0) :]
    if len(ends) != 2 * edges:
        sys.exit("persecution-graph: betweenness apart: a truncated graph")
    graph = igraph.Graph(n=vertices, edges=list(zip(ends[::2], ends[1::2], strict=True)), directed=False)
    found = graph.betweenness(directed=False) if sources is None else graph.betweenness(directed=False, sources=sources)
    sys.stdout.buffer.write(array("d", found).tobytes())


if __name__ == "__main__":
    _main()
