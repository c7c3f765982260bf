"""The SPARQL 1.1 Protocol: the query operation (``/sparql``, also ``/query``) and the update
operation (``/update``, with ``--allow-update`` and the token).

Queries: GET ``?query=``, POST form-encoded, POST ``application/sparql-query``; answers are
negotiated (``kb.http.negotiation``). Without a query, the service description. The
dataset: ``default-graph-uri`` and ``named-graph-uri`` when given (they win over the
query's ``FROM``, as the protocol says), else the query's ``FROM`` / ``FROM NAMED``, else
the union of every graph (``kb.store.backend.Dataset``).
"""

from __future__ import annotations

import urllib.parse

from kb.api import KB
from kb.http.app import App, refuse_remote_fetch
from kb.http.messages import HTTPError, Request, Response, allow
from kb.http.negotiation import negotiator
from kb.http.service import service_description
from kb.namespaces import EKG, PREFIXES
from kb.sparql.results import Result
from kb.sparql.writes import system_graph_write
from kb.store.backend import Dataset


def query(app: App, request: Request) -> Response:
    allow(request, "GET", "POST", "HEAD")
    sparql = request.param("query")
    if request.method == "POST":
        media = request.media_type
        if media == "application/sparql-query":
            sparql = utf8(request.body(), "the query")
        elif media == "application/x-www-form-urlencoded":
            request.params.update(form(request.body()))
            sparql = request.param("query")
        else:
            raise HTTPError(
                415,
                f"POST a query as application/sparql-query or "
                f"application/x-www-form-urlencoded, not {media or 'nothing'}",
            )
    if sparql is None:
        if request.method == "POST":
            raise HTTPError(400, "no query: give query=...")
        return service_description(app, request)
    media = negotiator(request.header("Accept"), request.param("format"))
    refused = tuple(k for k in app.fetch_keywords if k != "LOAD")
    return app.run(evaluate, sparql, dataset(request), refused, media=media)


def evaluate(kb: KB, sparql: str, graphs: Dataset | None, refused: tuple[str, ...]) -> Result:
    """In a reader: the checks that need the text, then the query."""
    refuse_remote_fetch(sparql, refused)
    return kb.query(sparql, dataset=graphs)


def dataset(request: Request) -> Dataset | None:
    """The dataset the protocol's ``default-graph-uri`` / ``named-graph-uri`` name, if any."""
    default = request.params.get("default-graph-uri", [])
    named = request.params.get("named-graph-uri", [])
    if not default and not named:
        return None
    return Dataset(tuple(default), tuple(named))


def update(app: App, request: Request) -> Response:
    allow(request, "POST")
    app.authorise_write(request)
    media = request.media_type
    if media == "application/sparql-update":
        sparql: str | None = utf8(request.body(), "the update")
    elif media == "application/x-www-form-urlencoded":
        sparql = form(request.body()).get("update", [None])[-1]
    else:
        raise HTTPError(
            415,
            "POST an update as application/sparql-update or "
            "application/x-www-form-urlencoded (update=...)",
        )
    if not sparql:
        raise HTTPError(400, "no update: give update=...")
    app.write(run_update, sparql, app.fetch_keywords)
    return Response(204, b"", "text/plain")


def run_update(kb: KB, sparql: str, refused: tuple[str, ...]) -> None:
    """In the writer: SERVICE and LOAD refused unless federation is on, writes into a system
    graph refused as ``kb load`` refuses them, then the update (``KB.update``)."""
    refuse_remote_fetch(sparql, refused)
    reason = system_graph_write(sparql, EKG, PREFIXES)
    if reason:
        raise HTTPError(403, reason)
    kb.update(sparql)


def utf8(body: bytes, what: str) -> str:
    """The body as text; 400 if it is not UTF-8."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise HTTPError(
            400, f"{what} is not UTF-8: byte 0x{body[err.start]:02x} at offset {err.start}"
        ) from None


def form(body: bytes) -> dict[str, list[str]]:
    """An ``application/x-www-form-urlencoded`` body; 400 if it (or a value) is not UTF-8."""
    try:
        return urllib.parse.parse_qs(
            utf8(body, "the form"), keep_blank_values=True, errors="strict", max_num_fields=1000
        )
    except UnicodeDecodeError:
        raise HTTPError(400, "a form value is not UTF-8 once its %-escapes are decoded") from None
    except ValueError as err:
        raise HTTPError(400, f"the form cannot be read: {err}") from None
