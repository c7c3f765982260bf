"""The SPARQL 1.1 Service Description: what this endpoint is and what it accepts.

``kb/http/static/service.ttl`` holds the fixed part; the update language and federation are
added when the server allows them.
"""

from __future__ import annotations

import io
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Triple, parse

from kb.formats import RDF_MEDIA_TYPES
from kb.http.app import App
from kb.http.messages import Request, Response
from kb.http.negotiation import negotiator
from kb.namespaces import PREFIXES, SD, XSD
from kb.sparql.results import serialize_graph

DESCRIPTION = Path(__file__).resolve().parent / "static" / "service.ttl"


def service_description(app: App, request: Request) -> Response:
    """The description, its endpoint IRI built from the ``Host`` the request names (the
    server has checked it is a host name, or it answered 400) or else its own address."""
    endpoint = f"http://{request.header('Host') or request.address}/sparql"
    try:
        service = NamedNode(endpoint)
    except ValueError:
        endpoint = f"http://{request.address}/sparql"
        service = NamedNode(endpoint)
    triples = list(parse(DESCRIPTION.read_bytes(), RdfFormat.TURTLE, base_iri=endpoint))
    if app.config.allow_update:
        triples.append(
            Triple(service, NamedNode(SD + "supportedLanguage"), NamedNode(SD + "SPARQL11Update"))
        )
    if app.config.allow_federation:
        triples.append(
            Triple(service, NamedNode(SD + "feature"), NamedNode(SD + "BasicFederatedQuery"))
        )
    chosen = negotiator(request.header("Accept"), request.param("format"))("graph")
    out = io.BytesIO()
    prefixes = {"sd": SD, "xsd": XSD, "dcterms": PREFIXES["dcterms"]}
    serialize_graph(triples, out, RDF_MEDIA_TYPES[chosen], prefixes)
    return Response(200, out.getvalue(), chosen + "; charset=utf-8")
