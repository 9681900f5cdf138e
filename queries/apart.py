"""igraph's betweenness and Leiden in processes of their own, so that they run side by side,
and so that the process that asked goes on answering meanwhile.

igraph holds Python's lock while it computes: betweenness and Leiden in two threads took
longer than one after the other (5.3 s against 3.8 at 100k entities), so on two cores the
second has to be another process. And while Leiden ran in the server's process (42 s at 1M
entities, in one call), no other thread of it ran: the server answered nothing. This module is
that process's program (run as a script: it imports nothing of the product, only igraph) and
the parent's side of it (``start``, ``start_leiden``).

The child is told numbers only: how many vertices, the sampled sources or Leiden's passes and
seed, the edges as pairs of vertex positions, their weights. No id, name or record leaves the
parent, and nothing is written to a file: the two talk through pipes. It answers igraph's own
betweenness, one float64 a vertex, or Leiden's membership, one int64 a vertex.
"""

from __future__ import annotations

import subprocess
import sys
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# The header: what to compute, vertices, sources (betweenness; -1: every vertex, exact) or passes
# (Leiden), edges, the seed, whether weights follow. Then the sources, then the edges' ends in
# pairs, each a 64-bit integer, then a float64 weight an edge.
_HEADER = 6
BETWEENNESS, LEIDEN = 0, 1
# The edges as pairs of vertex positions: a sequence of pairs, or a numpy array of shape (edges, 2)
# of integers (not imported here: the child program imports igraph alone).
Edges = Any


class Pending:
    """Betweenness or Leiden being computed in a process of its own: ``result`` waits for it."""

    def __init__(self, header: list[int], edges: Edges, tail: bytes, sources: Sequence[int] = ()) -> None:
        told = array("q", header)
        told.extend(sources)
        if isinstance(edges, Sequence):
            told.extend(end for edge in edges for end in edge)
            body = told.tobytes()
        else:  # numpy's pairs, in the same layout: not a Python int made for each end
            body = told.tobytes() + edges.astype("int64", order="C", copy=False).tobytes()
        body += tail
        self._what = "Leiden" if header[0] == LEIDEN else "betweenness"
        self._vertices = header[1]
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

    def result(self) -> list[Any] | None:
        """igraph's betweenness of each vertex (floats) or Leiden's membership (ints), or None if
        the process failed (the caller then computes it itself)."""
        assert self._process.stdout is not None
        try:
            answer = self._process.stdout.read()
        except (OSError, ValueError):
            answer = b""
        code = self._process.wait()
        if code != 0 or len(answer) != 8 * self._vertices:
            print(
                f"persecution-graph: {self._what} apart failed (exit {code}, {len(answer) // 8} values for"
                f" {self._vertices} vertices): computed here",
                file=sys.stderr,
            )
            return None
        return array("q" if self._what == "Leiden" else "d", answer).tolist()

    def close(self) -> None:
        """End the process if it still runs (its answer is no longer needed) and reap it."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()


def start(vertices: int, edges: Edges, sources: Sequence[int] | None) -> Pending | None:
    """Start computing betweenness apart (None if no process could be started or told)."""
    header = [BETWEENNESS, vertices, -1 if sources is None else len(sources), len(edges), 0, 0]
    return _started(lambda: Pending(header, edges, b"", sources or ()))


def start_leiden(
    vertices: int, edges: Edges, weights: Sequence[float] | None, iterations: int, seed: int
) -> Pending | None:
    """Start Leiden apart (modularity, ``iterations`` passes, igraph drawing from
    ``random.Random(seed)``, as queries/graphalgo.py communities runs it); None if no process
    could be started or told."""
    header = [LEIDEN, vertices, iterations, len(edges), seed, 0 if weights is None else 1]
    tail = b"" if weights is None else array("d", weights).tobytes()
    return _started(lambda: Pending(header, edges, tail))


def _started(make: Any) -> Pending | None:
    if not sys.executable:  # an interpreter embedded in another program: no Python to start
        return None
    try:
        return make()  # type: ignore[no-any-return]
    except OSError:
        return None


def _main() -> None:
    body = sys.stdin.buffer.read()  # first: the parent waits until it is read
    told = array("q")
    told.frombytes(body[: 8 * _HEADER])
    what, vertices, count, edges, seed, weighted = told
    ints = array("q")
    numbers = (max(count, 0) if what == BETWEENNESS else 0) + 2 * edges
    ints.frombytes(body[8 * _HEADER : 8 * (_HEADER + numbers)])
    weights = array("d")
    weights.frombytes(body[8 * (_HEADER + numbers) :])
    if len(ints) != numbers or len(weights) != (edges if weighted else 0):
        sys.exit("persecution-graph: igraph apart: a truncated graph")
    import random

    import igraph

    ends = ints[numbers - 2 * edges :]
    graph = igraph.Graph(n=vertices, edges=list(zip(ends[::2], ends[1::2], strict=True)), directed=False)
    if what == LEIDEN:
        if weighted:
            graph.es["weight"] = weights.tolist()
        igraph.set_random_number_generator(random.Random(seed))
        clusters = graph.community_leiden(
            objective_function="modularity", weights="weight" if weighted else None, n_iterations=count
        )
        sys.stdout.buffer.write(array("q", clusters.membership).tobytes())
        return
    sources = None if count < 0 else ints[:count].tolist()
    found = graph.betweenness(directed=False) if sources is None else graph.betweenness(directed=False, sources=sources)
    sys.stdout.buffer.write(array("d", found).tobytes())


if __name__ == "__main__":
    _main()
