"""The errors persecution-graph reports to people: one tree, each message a sentence a user can
act on, each class saying what kind of failure it is (and so what HTTP status and exit code).

    GraphError                 a fault of the program or its set-up (HTTP 500, exit 1)
    ├── UserError              what the caller asked cannot be done (HTTP 400, exit 2)
    │   ├── NotFound           no such entity, query, source or file (404)
    │   ├── QueryError         a query or statement refused: a parameter, a rule, a limit (400)
    │   │   └── TooLarge       an answer past a size limit (413)
    │   └── InvalidData        data that cannot be read: a dump, an import, a keys file (422)
    └── DatabaseUnavailable    the database cannot be reached or started (HTTP 503, exit 3)

Validation of curated YAML reports its problems as `file:line:col` lines, not as an exception
(loaders/validate.py); ModelError is a developer's mistake in model.yaml (a GraphError).
"""


class GraphError(Exception):
    """Base of every error persecution-graph reports to a user; alone, a fault of its own."""

    status = 500
    exit_code = 1
    title = "server error"


class UserError(GraphError):
    """Something the caller asked for cannot be done; the message says why and what to do."""

    status = 400
    exit_code = 2
    title = "request failed"


class NotFound(UserError):
    """No such entity, query, source or file."""

    status = 404
    title = "not found"


class QueryError(UserError):
    """A query or statement was refused: a bad parameter, a read-only rule, a time limit."""

    title = "invalid query"
    # True where the engine failed, not the statement (graph/store.py Graph._read).
    engine_fault = False


class TooLarge(QueryError):
    """An answer would be larger than allowed."""

    status = 413
    title = "answer too large"


class InvalidData(UserError):
    """Data given to the program cannot be read (a dump, a FollowTheMoney file, a keys file)."""

    status = 422
    title = "invalid data"


class DatabaseUnavailable(GraphError):
    """The database cannot be reached or started."""

    status = 503
    exit_code = 3
    title = "database unavailable"
