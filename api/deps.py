"""Request dependencies: one Graph for the app's lifetime, and the caller's view."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from persecution_graph.graph.store import Graph


def get_graph(request: Request) -> Graph:
    return request.app.state.graph  # type: ignore[no-any-return]


GraphDep = Annotated[Graph, Depends(get_graph)]
# Until access control lands (issue 6), every caller is a public reader.
PUBLIC_ONLY = True
