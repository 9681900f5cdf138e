"""The exceptions of the graph layer; each message is a sentence a user can act on."""


class GraphError(Exception):
    """Base of every error persecution-graph reports to a user."""


class DatabaseUnavailable(GraphError):
    """The database cannot be reached or started."""


class QueryError(GraphError):
    """A query was refused or failed (bad parameters, a read-only violation, a time limit)."""
