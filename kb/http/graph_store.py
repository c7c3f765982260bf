"""The SPARQL 1.1 Graph Store HTTP Protocol at ``/store?graph=IRI``.

GET and HEAD read a graph; PUT, POST and DELETE (``--allow-update`` and the token) write
one through ``KB.replace``, which keeps ``ekg:entities`` and ``ekg:derived`` in step. The KB
keeps every triple in a named graph, so there is no default-graph form. System graphs
(every graph under ``ekg:``) are refused for writing, as ``kb load`` refuses them. A write
runs in the writer (``App.write``): it reads whether the graph exists and writes it in one
turn, so two POSTs to a new graph both land.
"""

from __future__ import annotations

from pyoxigraph import NamedNode, Quad, QueryTriples, parse

from kb.api import KB
from kb.formats import RDF_MEDIA_TYPES
from kb.http.app import App
from kb.http.messages import HTTPError, Request, Response, allow
from kb.http.negotiation import negotiator
from kb.namespaces import EKG
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
        NamedNode(graph)
    except ValueError as err:
        raise HTTPError(400, f"graph={graph}: {err}") from None
    if request.method in ("GET", "HEAD"):
        media = negotiator(request.header("Accept"), request.param("format"))
        return app.run(read_graph, graph, media=media, capped=False)
    app.authorise_write(request)
    if graph.startswith(EKG):
        raise HTTPError(403, f"<{graph}> is a system graph and cannot be loaded into")
    if request.method == "DELETE":
        app.write(delete_graph, graph)
        return Response(204, b"", "text/plain")
    media = request.media_type
    if media not in TRIPLE_MEDIA_TYPES:
        raise HTTPError(
            415,
            f"send the graph as one of {', '.join(TRIPLE_MEDIA_TYPES)}, not {media or 'nothing'}",
        )
    created = app.write(store_graph, graph, request.method == "POST", media, request.body())
    return Response(201 if created else 204, b"", "text/plain")


def read_graph(kb: KB, graph: str) -> QueryTriples:
    """In a reader: the graph's triples; 404 if there is no such graph."""
    if not kb.has_graph(graph):
        raise HTTPError(404, f"no graph <{graph}> in this store")
    return kb.query(internal_query("graph"), {"graph": NamedNode(graph)}).raw


def delete_graph(kb: KB, graph: str) -> None:
    """In the writer: remove the graph; 404 if there is none."""
    if not kb.has_graph(graph):
        raise HTTPError(404, f"no graph <{graph}> in this store")
    kb.replace({graph: []})


def store_graph(kb: KB, graph: str, merge: bool, media: str, body: bytes) -> bool:
    """In the writer: parse the body and give the graph its triples (``merge``: added to
    the ones it has, for POST); whether the graph is new."""
    node = NamedNode(graph)
    try:
        triples = list(parse(body, TRIPLE_MEDIA_TYPES[media], base_iri=graph))
    except SyntaxError as err:
        raise HTTPError(400, f"the {media} body does not parse: {err}") from None
    quads = [Quad(t.subject, t.predicate, t.object, node) for t in triples]
    exists = kb.has_graph(graph)
    if merge and exists:
        old = kb.query(internal_query("graph"), {"graph": node}).raw
        quads = [Quad(t.subject, t.predicate, t.object, node) for t in old] + quads
    kb.replace({graph: quads}, existing={graph} if exists else set())  # ekg:entities follows
    return not exists
