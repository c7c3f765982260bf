"""Which view answers which path, and how library errors become statuses.

``route(app, request)`` is pure (no sockets), so most server tests call it in-process.
"""

from __future__ import annotations

from kb import __version__
from kb.errors import InputError, IntegrityError, KBError, ParameterError, QueryError, UnknownQuery
from kb.http import canned, graph_store, protocol, static
from kb.http.app import App
from kb.http.messages import HTTPError, Request, Response, allow, json_response


def route(app: App, request: Request) -> Response:
    """The response to ``request``; HTTPError for 4xx/5xx answers."""
    try:
        return _view(app, request)
    except IntegrityError as err:  # the write would break a reference between articles
        raise HTTPError(409, str(err)) from None
    except (ParameterError, QueryError, InputError) as err:
        raise HTTPError(400, str(err)) from None
    except UnknownQuery as err:
        raise HTTPError(404, str(err)) from None
    except HTTPError:
        raise
    except KBError as err:
        raise HTTPError(500, str(err)) from None


def _view(app: App, request: Request) -> Response:
    path = request.path
    if path in ("/sparql", "/query"):
        return protocol.query(app, request)
    if path == "/update":
        return protocol.update(app, request)
    if path == "/store":
        return graph_store.graph_store(app, request)
    if path == "/":
        return static.root(app, request)
    if path.startswith("/static/"):
        return static.asset(app, request, path.removeprefix("/static/"))
    if path == "/health":
        allow(request, "GET", "HEAD")
        return json_response(
            {
                "status": "ok",
                "version": __version__,
                "store": app.kb.location,
                "read_only": not app.config.allow_update,
            }
        )
    if path == "/queries":
        return canned.listing(app, request)
    if path.startswith("/queries/") and path.endswith(".rq"):
        return canned.bound_text(app, request, path.removeprefix("/queries/").removesuffix(".rq"))
    if path.startswith("/ask/"):
        return canned.ask(app, request, path.removeprefix("/ask/"))
    raise HTTPError(404, f"nothing at {path}; try /, /sparql, /queries or /health")
