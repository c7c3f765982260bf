"""Standard RDF files (every format pyoxigraph reads: ``kb.formats``) as load input.

Quads keep their graph. Triples (or default-graph quads) go into the graph named by
``--graph``, or else into the graph of the one ``ek:Article`` the file describes; a file
with neither is refused, because triples outside any article graph could never be
replaced or removed by reloading. System graphs (``ekg:``) are not writable this way.
Terms in the ``ek:`` namespace must be declared by the ontology, so a misspelt property
is an error rather than a silent new term.
"""

from __future__ import annotations

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, parse

from kb.errors import InputError
from kb.namespaces import EK, EKG, RDF
from kb.ontology import declared_terms


def plan_rdf_file(
    path: str, data: bytes, fmt: RdfFormat, graph: str | None
) -> dict[str, list[Quad]]:
    """Parse ``data`` and group its quads by target graph, or raise InputError."""
    try:
        parsed = list(parse(data, format=fmt, base_iri=f"file:///{path.lstrip('/')}"))
    except SyntaxError as err:
        line = err.lineno if isinstance(err.lineno, int) else None
        column = err.offset if isinstance(err.offset, int) else None
        message = err.msg if isinstance(err.msg, str) else str(err)
        message = message.split(": ", 1)[-1] if message.startswith("Parser error") else message
        if "LoadDocumentCallback" in message:  # pyoxigraph's way of saying "remote context"
            message = "remote @context documents are never fetched; put the context inline"
        raise InputError(
            f"{fmt.name} syntax error: {message}", path=path, line=line, column=column
        ) from None
    except (ValueError, OSError) as err:
        raise InputError(f"cannot read {fmt.name}: {err}", path=path) from None
    if not parsed:
        raise InputError("the file holds no triples", path=path, line=1)
    default = _default_graph(path, parsed, graph)
    known = declared_terms()
    graphs: dict[str, list[Quad]] = {}
    for quad in parsed:
        for term in (quad.predicate, quad.object if quad.predicate.value == RDF + "type" else None):
            if (
                isinstance(term, NamedNode)
                and term.value.startswith(EK)
                and term.value not in known
            ):
                raise InputError(
                    f"ek:{term.value.removeprefix(EK)} is not in the ontology", path=path
                )
        target = quad.graph_name
        if isinstance(target, DefaultGraph):
            if default is None:
                raise InputError(
                    "triples outside a named graph: give --graph IRI or describe one ek:Article",
                    path=path,
                )
            target = default
        if not isinstance(target, NamedNode):
            raise InputError("blank-node graph names are not supported", path=path)
        if target.value.startswith(EKG):
            raise InputError(
                f"<{target.value}> is a system graph and cannot be loaded into", path=path
            )
        graphs.setdefault(target.value, []).append(
            Quad(quad.subject, quad.predicate, quad.object, target)
        )
    return graphs


def _default_graph(path: str, quads: list[Quad], graph: str | None) -> NamedNode | None:
    if graph is not None:
        try:
            return NamedNode(graph)
        except ValueError:
            raise InputError(f"--graph is not an IRI: {graph!r}", path=path) from None
    articles = {
        q.subject.value
        for q in quads
        if q.predicate.value == RDF + "type"
        and isinstance(q.object, NamedNode)
        and q.object.value == EK + "Article"
        and isinstance(q.subject, NamedNode)
    }
    return NamedNode(articles.pop()) if len(articles) == 1 else None
