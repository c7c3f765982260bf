"""The SPARQL 1.1 Protocol: the query operation (``/sparql``, also ``/query``) and the update
operation (``/update``, with ``--allow-update`` and the token).

Queries: GET ``?query=``, POST form-encoded, POST ``application/sparql-query``; answers are
negotiated (``kb.http.negotiation``). Without a query, the service description.
"""

from __future__ import annotations

import urllib.parse

from kb.http.app import App
from kb.http.messages import HTTPError, Request, Response, allow
from kb.http.negotiation import negotiator
from kb.http.service import service_description


def query(app: App, request: Request) -> Response:
    allow(request, "GET", "POST", "HEAD")
    sparql = request.param("query")
    if request.method == "POST":
        media = request.media_type
        body = request.body()
        if media == "application/sparql-query":
            sparql = body.decode("utf-8")
        elif media == "application/x-www-form-urlencoded":
            form = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True)
            request.params.update(form)
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
    if request.params.get("named-graph-uri"):
        raise HTTPError(
            400, "named-graph-uri is not supported: every named graph is available to GRAPH"
        )
    app.refuse_remote_fetch(sparql, ("SERVICE",))
    kb = app.kb
    default_graphs = set(request.params.get("default-graph-uri", []))
    media = negotiator(request.header("Accept"), request.param("format"))
    if default_graphs:
        excluded = [g for g in kb.named_graphs() if g not in default_graphs]
        return app.run(lambda: kb.backend.query(sparql, exclude_graphs=excluded), media)
    return app.run(lambda: kb.query(sparql).raw, media)


def update(app: App, request: Request) -> Response:
    allow(request, "POST")
    app.authorise_write(request)
    media = request.media_type
    body = request.body()
    if media == "application/sparql-update":
        sparql: str | None = body.decode("utf-8")
    elif media == "application/x-www-form-urlencoded":
        form = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True)
        sparql = form.get("update", [None])[-1]
    else:
        raise HTTPError(
            415,
            "POST an update as application/sparql-update or "
            "application/x-www-form-urlencoded (update=...)",
        )
    if not sparql:
        raise HTTPError(400, "no update: give update=...")
    app.refuse_remote_fetch(sparql, ("SERVICE", "LOAD"))
    app.apply_write(lambda kb: kb.update(sparql))
    return Response(204, b"", "text/plain")
