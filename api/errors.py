"""Errors a user can act on, shared by the command line and the HTTP API."""

from __future__ import annotations

from persecution_graph.graph.errors import GraphError


class UserError(GraphError):
    """Something the user asked for cannot be done; the message says why and what to do."""
