"""Which view answers which path, and how library errors become statuses.

``route(app, request)`` needs no socket: a test can call it with a ``Request``. A view is a
function ``view(app, request) -> Response`` that uses the KB only through ``app.run``,
``app.call`` and ``app.write`` (``kb.http.app``), so whatever it asks runs in a worker
process, under the deadline.
"""

from __future__ import annotations

from kb import __version__
from kb.errors import (
    EvaluationError,
    InputError,
    IntegrityError,
    KBError,
    ParameterError,
    QueryError,
    UnknownQuery,
)
from kb.http import (
    answers,
    canned,
    entity,
    graph,
    graph_store,
    openapi,
    pages,
    protocol,
    search,
    static,
)
from kb.http.app import App
from kb.http.messages import HTTPError, Request, Response, allow, json_response


def route(app: App, request: Request) -> Response:
    """The response to ``request``; HTTPError for 4xx/5xx answers."""
    try:
        return _view(app, request)
    except EvaluationError as err:
        raise HTTPError(500, str(err)) from None
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
    if pages.is_page(path):
        return pages.page(app, request)
    if path == "/editor":
        return pages.editor(app, request)
    if path.startswith("/api/"):
        return _api(app, request, path.removeprefix("/api/"))
    if path == "/openapi.json":
        return openapi.document(app, request)
    if path.startswith("/static/"):
        return static.asset(app, request, path.removeprefix("/static/"))
    if path == "/health":
        allow(request, "GET", "HEAD")
        return json_response(
            {
                "status": "ok",
                "version": __version__,
                "store": app.location,
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


def _api(app: App, request: Request, rest: str) -> Response:
    """The JSON behind the page (``/openapi.json`` describes it)."""
    if rest == "config":
        return answers.config(app, request)
    if rest == "search":
        return search.search(app, request)
    if rest == "graph":
        return graph.graph(app, request)
    if rest.startswith("answer/"):
        return answers.answer(app, request, rest.removeprefix("answer/"))
    if rest.startswith("entity/"):
        return entity.entity(app, request, rest.removeprefix("entity/"))
    raise HTTPError(404, f"nothing at /api/{rest}; /openapi.json lists what there is")
