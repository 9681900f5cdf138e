"""Network views and the web pages, added to the API app (api/main.py) by the
`persecution_graph.routers` entry point. viz/ never imports api/: the app hands :func:`routers`
the dependency that gives each request its caller's view of the graph, and every page and view
reads through that view and the read layer (queries/)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter

from ..graph.scope import View
from .pages import pages_router
from .view_routes import views_router


def routers(get_view: Callable[..., View]) -> tuple[APIRouter, APIRouter]:
    """The views' and the pages' routes, reading through the caller's view (``get_view``)."""
    return views_router(get_view), pages_router(get_view)
