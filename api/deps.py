"""Request dependencies: one Graph for the app's lifetime, who is calling, and the view of the
graph that caller may see (the only way routes read it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from ..graph.scope import View, scope_of
from ..graph.store import Graph
from .auth import Caller, identify


# Dependencies that do no I/O (but a stat of the keys file) are `async def`: FastAPI runs a plain
# `def` one in its thread pool, a hand-off to another thread and back for each (the entity route
# answered 7.5% more requests a second at 100k entities without the caller's). The view's is a
# plain `def`: making it may read the graph's version from the database.
async def get_graph(request: Request) -> Graph:
    return request.app.state.graph  # type: ignore[no-any-return]


async def get_caller(request: Request) -> Caller:
    """The caller of a request, from `Authorization: Bearer KEY` or `X-API-Key: KEY`."""
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else request.headers.get("x-api-key")
    caller = identify(token, request.app.state.keys.keys())
    if caller is None:
        raise HTTPException(401, "unknown API key", headers={"WWW-Authenticate": "Bearer"})
    return caller


def get_view(request: Request, caller: Annotated[Caller, Depends(get_caller)]) -> View:
    """The graph as this caller may see it: the public scope for anonymous callers, the full
    one for key holders. Routes read through this, never through the graph itself."""
    return request.app.state.graph.view(scope_of(caller.public))  # type: ignore[no-any-return]


GraphDep = Annotated[Graph, Depends(get_graph)]
CallerDep = Annotated[Caller, Depends(get_caller)]
ViewDep = Annotated[View, Depends(get_view)]


def require(role: str) -> Callable[[Caller], Awaitable[Caller]]:
    """A dependency that lets through callers with at least `role` (401 anonymous, 403 too low)."""

    async def check(caller: CallerDep) -> Caller:
        if caller.public:
            raise HTTPException(
                401, f"this needs an API key with the role {role!r}", headers={"WWW-Authenticate": "Bearer"}
            )
        if not caller.allowed(role):
            raise HTTPException(403, f"this needs the role {role!r}; your key has {caller.role!r}")
        return caller

    return check
