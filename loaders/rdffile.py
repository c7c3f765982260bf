"""Standard RDF files (every format pyoxigraph reads: ``kb.formats``) as load input.

Quads keep their graph. Triples (or default-graph quads) go into the graph of the one
``ek:Article`` the file describes, or into the graph named by ``--graph`` when it describes
none; a ``--graph`` other than the article the file describes is refused, and so is a file
with neither, because triples outside any article graph could never be replaced or removed
by reloading. System graphs (``ekg:``) are not writable this way.

RDF input is held to what fact files are held to:

- terms in the ``ek:`` namespace must be declared by the ontology, so a misspelt property
  is an error rather than a silent new term; the terms the KB itself manages
  (``SYSTEM_TERMS``: entity-statement records, lookup keys, derived properties) are refused;
- every literal of an XSD type is valid in XSD (``loaders.xsd``), none is larger than the
  literal limit;
- what the file types and references is indexed like a fact file's (``loaders.references``):
  an entity cannot be declared of a class incompatible with what the KB says, a fact id
  another article owns cannot be reused, and an ``ekr:`` IRI used as a value must be an
  entity the KB or the batch defines, of the class the property's ``rdfs:range`` wants.

The parser gives no line numbers, so a message about a term names the line where the file
first mentions it.
"""

from __future__ import annotations

from collections.abc import Callable

from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, RdfFormat, parse

from kb.errors import InputError
from kb.namespaces import EK, EKG, EKR, RDF, RDFS, XSD, compact
from kb.ontology import declared_terms, ranges, superclasses
from loaders.references import Definition, FileIndex, Reference
from loaders.source import LineFinder
from loaders.xsd import size_error, xsd_error

SYSTEM_TERMS = frozenset(
    EK + name
    for name in (
        "entityStatement",
        "lookupKey",
        "partnerOf",
        "partOfPlace",
        "partOfOrganization",
    )
)
"""What the KB writes itself and input may not: the records of ``ekg:entities``, the
lookup keys names are found by, and what ``ekg:derived`` holds."""
RDF_TYPE = RDF + "type"
PART_OF = EK + "subOrganizationOf"
XSD_STRING = XSD + "string"
ARTICLE = NamedNode(EK + "Article")


RELATIVE_IRI_FORMATS = frozenset(
    (RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.N3, RdfFormat.RDF_XML, RdfFormat.JSON_LD)
)
"""The formats in which an IRI may be relative (N-Triples and N-Quads take absolute IRIs
only, so ``--base`` cannot help them)."""


def plan_rdf_file(
    path: str,
    data: bytes,
    fmt: RdfFormat,
    graph: str | None,
    locate: LineFinder,
    *,
    base: str | None = None,
) -> tuple[dict[str, list[Quad]], FileIndex]:
    """Parse ``data``, check it and group its quads by target graph, or raise InputError.

    ``base``: the IRI relative IRIs resolve against (``kb load --base``); with none, a
    relative IRI is an error.

    Returns the quads by graph and the file's index (its references are checked with the
    batch's); ``locate`` finds the line of a term in the file, for messages.
    """
    try:
        parsed = list(parse(data, format=fmt, base_iri=base))
    except SyntaxError as err:
        line = err.lineno if isinstance(err.lineno, int) else None
        column = err.offset if isinstance(err.offset, int) else None
        message = err.msg if isinstance(err.msg, str) else str(err)
        message = message.split(": ", 1)[-1] if message.startswith("Parser error") else message
        if "LoadDocumentCallback" in message:  # pyoxigraph's way of saying "remote context"
            message = "remote @context documents are never fetched; put the context inline"
        if base is None and "No scheme found" in message and fmt in RELATIVE_IRI_FORMATS:
            message += "; give --base IRI for relative IRIs"
        raise InputError(
            f"{fmt.name} syntax error: {message}", path=path, line=line, column=column
        ) from None
    except (ValueError, OSError) as err:
        raise InputError(f"cannot read {fmt.name}: {err}", path=path) from None
    if not parsed:
        raise InputError("the file holds no triples", path=path, line=1)
    default = _default_graph(path, parsed, graph, locate)
    graphs: dict[str, list[Quad]] = {}
    checked: set[str] = set()  # predicates and classes already found in the ontology
    for quad in parsed:
        predicate = quad.predicate.value
        if predicate not in checked:
            _check_term(path, predicate, locate, predicate=True)
            checked.add(predicate)
        obj = quad.object
        if isinstance(obj, Literal):
            _check_literal(path, obj, predicate, locate)
        elif predicate == RDF_TYPE and isinstance(obj, NamedNode) and obj.value not in checked:
            _check_term(path, obj.value, locate, predicate=False)
            checked.add(obj.value)
        target = quad.graph_name
        if isinstance(target, DefaultGraph):
            if default is None:
                raise InputError(
                    "triples outside a named graph: give --graph IRI or describe one ek:Article",
                    path=path,
                )
            quad = Quad(quad.subject, quad.predicate, obj, default)
            target = default
        elif not isinstance(target, NamedNode):
            raise InputError("blank-node graph names are not supported", path=path)
        into = graphs.get(target.value)
        if into is None:
            if target.value.startswith(EKG):
                raise InputError(
                    f"<{target.value}> is a system graph and cannot be loaded into", path=path
                )
            into = graphs[target.value] = []
        into.append(quad)
    return graphs, index_of(graphs, locate)


def index_of(
    graphs: dict[str, list[Quad]], locate: Callable[[str], int | None] | None = None
) -> FileIndex:
    """What RDF content defines (the ``ekr:`` IRIs it types) and references (the ``ekr:``
    IRIs it uses as values), graph by graph. Also used for graph-store writes."""
    index = FileIndex(locate=locate)
    want = ranges()
    fields: dict[str, str] = {}  # predicate -> how messages name it
    for graph, quads in graphs.items():
        types: dict[str, set[str]] = {}
        names: dict[str, list[tuple[str, str, int | None]]] = {}
        parents: dict[str, str] = {}
        seen: set[tuple[str, str | None]] = set()
        for quad in quads:
            subject, predicate, obj = quad.subject, quad.predicate.value, quad.object
            if predicate == RDF_TYPE and obj == ARTICLE and subject.value == graph:
                index.articles.add(graph)
            if isinstance(subject, NamedNode) and subject.value.startswith(EKR):
                if predicate == RDF_TYPE and isinstance(obj, NamedNode):
                    types.setdefault(subject.value, set()).add(obj.value)
                elif predicate == RDFS + "label" and isinstance(obj, Literal) and obj.language:
                    names.setdefault(subject.value, []).append((obj.language, obj.value, None))
                elif predicate == PART_OF and isinstance(obj, NamedNode):
                    parents[subject.value] = obj.value
            if isinstance(obj, NamedNode) and obj.value.startswith(EKR) and predicate != RDF_TYPE:
                key = (obj.value, want.get(predicate))
                if key not in seen:
                    seen.add(key)
                    if predicate not in fields:
                        fields[predicate] = compact(predicate)
                    index.references.append(Reference(obj.value, key[1], None, fields[predicate]))
        for iri, declared in types.items():
            classes = frozenset().union(
                *(superclasses(c) if c.startswith(EK) else {c} for c in declared)
            )
            index.definitions.append(
                Definition(
                    iri,
                    graph,
                    classes,
                    None,
                    compact(iri),
                    names=tuple(names.get(iri, ())),
                    part_of=(parents[iri], None) if iri in parents else None,
                    keys=tuple(text for _, text, _ in names.get(iri, ())),
                )
            )
    return index


def _check_term(
    path: str, term: str, locate: Callable[[str], int | None], *, predicate: bool
) -> None:
    """A predicate (or a class) must not be one the KB writes itself, and an ``ek:`` term
    must be in the ontology."""
    if predicate and term in SYSTEM_TERMS:
        raise InputError(
            f"ek:{term.removeprefix(EK)} is written by the KB itself, never by input "
            "(leave it out: the loader adds what it needs)",
            path=path,
            line=locate(term),
        )
    if term.startswith(EK) and term not in declared_terms():
        raise InputError(
            f"ek:{term.removeprefix(EK)} is not in the ontology", path=path, line=locate(term)
        )


def _check_literal(
    path: str, literal: Literal, predicate: str, locate: Callable[[str], int | None]
) -> None:
    text = literal.value
    problem = size_error(text)
    if problem is None and not literal.language:
        datatype = literal.datatype.value
        if datatype != XSD_STRING:
            problem = xsd_error(text, datatype)
    if problem:
        raise InputError(problem, path=path, line=locate(text), field=compact(predicate))


def _default_graph(
    path: str, quads: list[Quad], graph: str | None, locate: Callable[[str], int | None]
) -> NamedNode | None:
    articles = {
        q.subject.value
        for q in quads
        if isinstance(q.graph_name, DefaultGraph)
        and q.predicate.value == RDF_TYPE
        and isinstance(q.object, NamedNode)
        and q.object.value == EK + "Article"
        and isinstance(q.subject, NamedNode)
    }
    if graph is not None:
        try:
            node = NamedNode(graph)
        except ValueError:
            raise InputError(f"--graph is not an IRI: {graph!r}", path=path) from None
        others = sorted(articles - {graph})
        if others:
            raise InputError(
                f"--graph <{graph}> conflicts with the article the file describes, "
                f"<{others[0]}>, whose graph its triples go to; leave --graph out",
                path=path,
                line=locate(others[0]),
            )
        return node
    return NamedNode(articles.pop()) if len(articles) == 1 else None
