"""The SPARQL 1.1 Graph Store HTTP Protocol at ``/store?graph=IRI``.

GET and HEAD read a graph; PUT, POST and DELETE (``--allow-update`` and the token) write
one through ``KB.replace``, which keeps ``ekg:entities`` and ``ekg:derived`` in step. The KB
keeps every triple in a named graph, so there is no default-graph form.
"""

from __future__ import annotations

from pyoxigraph import NamedNode, Quad, parse

from kb.api import KB
from kb.formats import RDF_MEDIA_TYPES
from kb.http.app import App
from kb.http.messages import HTTPError, Request, Response, allow
from kb.http.negotiation import negotiator
from kb.sparql.catalogue import internal_query

TRIPLE_MEDIA_TYPES = {m: f for m, f in RDF_MEDIA_TYPES.items() if not f.supports_datasets}
"""What a graph may be sent as: the formats of one graph."""


def graph_store(app: App, request: Request) -> Response:
    allow(request, "GET", "HEAD", "PUT", "POST", "DELETE")
    graph = request.param("graph")
    if not graph:
        raise HTTPError(
            400, "name the graph: /store?graph=IRI (the KB keeps every triple in a named graph)"
        )
    try:
        node = NamedNode(graph)
    except ValueError as err:
        raise HTTPError(400, f"graph={graph}: {err}") from None
    kb = app.kb
    exists = kb.has_graph(graph)
    if request.method in ("GET", "HEAD"):
        if not exists:
            raise HTTPError(404, f"no graph <{graph}> in this store")
        media = negotiator(request.header("Accept"), request.param("format"))
        query = internal_query("graph")
        return app.run(lambda: kb.query(query, {"graph": node}).raw, media, capped=False)
    app.authorise_write(request)
    if request.method == "DELETE":
        if not exists:
            raise HTTPError(404, f"no graph <{graph}> in this store")
        app.apply_write(lambda kb: kb.replace({graph: []}))
        return Response(204, b"", "text/plain")
    media = request.media_type
    if media not in TRIPLE_MEDIA_TYPES:
        raise HTTPError(
            415,
            f"send the graph as one of {', '.join(TRIPLE_MEDIA_TYPES)}, not {media or 'nothing'}",
        )
    body = request.body()
    try:
        triples = list(parse(body, TRIPLE_MEDIA_TYPES[media], base_iri=graph))
    except SyntaxError as err:
        raise HTTPError(400, f"the {media} body does not parse: {err}") from None
    quads = [Quad(t.subject, t.predicate, t.object, node) for t in triples]

    def write(kb: KB) -> None:
        keep: list[Quad] = []
        if request.method == "POST" and exists:
            old = kb.query(internal_query("graph"), {"graph": node}).raw
            keep = [Quad(t.subject, t.predicate, t.object, node) for t in old]
        kb.replace({graph: keep + quads})  # ekg:entities follows the records

    app.apply_write(write)
    return Response(201 if not exists else 204, b"", "text/plain")
