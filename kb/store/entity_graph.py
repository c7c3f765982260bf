"""The entity graph: what articles say about the entities they define, each statement once.

Why it exists: Oxigraph reads the default graph as the union of the named graphs *as a
bag*, so a triple held by 300 article graphs matches a pattern 300 times. A fact file
defines every entity it mentions, so a popular organization's types, names and lookup keys
used to sit in every article that named it, and every join on them multiplied a query's
work by that count (docs/benchmarks.md has the figures). Now the loader writes those
statements to one graph, ``ekg:entities``, where each is held once.

Which article says what is not lost: each article graph keeps ``?entity ek:source
?article`` and the entity's ``ek:quote``, and records every statement it makes about its
entities as an ``ek:entityStatement`` literal (one N-Triples line, e.g. ``<…/id/naver>
<…rdf-schema#label> "Naver"@en``). A literal never matches a pattern over the entity, so
the records cost queries nothing. They make the entity graph exactly the set of statements
that the loaded articles make: reloading an article adds what it now says and removes what
it no longer says unless another article still says it. A store whose write was cut short
rebuilds the entity graph from the records on its next writable open.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Triple, parse

from kb.errors import QueryError
from kb.namespaces import EK, ENTITIES_GRAPH
from kb.sparql.catalogue import internal_query, values_query
from kb.store.backend import Backend

ENTITY_STATEMENT = NamedNode(EK + "entityStatement")
LOOKUP_KEY = NamedNode(EK + "lookupKey")
KEPT_IN_ARTICLE = frozenset({EK + "source", EK + "quote"})
"""Where and how the article introduces the entity: provenance, so it stays with the article."""
BATCH = 500
"""Statements per query: keeps each request well under any server's size limit."""


def article_content(
    graph: str, quads: list[Quad], entities: Iterable[str]
) -> tuple[list[Quad], set[str]]:
    """What the article graph ``graph`` holds, and the texts of its records: ``quads`` with
    the statements about ``entities`` (the ids the article defines) replaced by their
    ``ek:entityStatement`` records.

    RDF input defines no entities this way, but may carry records (written by hand, or in a
    graph ``kb export`` wrote): the lookup keys of what they describe are in the records, so
    keys for those subjects are dropped. A record that is not one N-Triples statement
    raises QueryError.
    """
    node = NamedNode(graph)
    defined = set(entities)
    kept: list[Quad] = []
    records: list[Quad] = []
    texts: set[str] = set()
    given: set[str] = set()
    for quad in quads:
        if quad.subject.value in defined and quad.predicate.value not in KEPT_IN_ARTICLE:
            text = str(quad.triple)
            records.append(Quad(node, ENTITY_STATEMENT, Literal(text), node))
            texts.add(text)
        else:
            kept.append(quad)
            if quad.predicate == ENTITY_STATEMENT:
                given.add(quad.object.value)
    if given:
        described = {t.subject for t in statements(given)}
        kept = [q for q in kept if not (q.predicate == LOOKUP_KEY and q.subject in described)]
    return kept + records, texts | given


def records_in(quads: Iterable[Quad]) -> set[str]:
    """The ``ek:entityStatement`` texts among ``quads``."""
    return {q.object.value for q in quads if q.predicate == ENTITY_STATEMENT}


def statements(texts: Iterable[str], *, skip_bad: bool = False) -> list[Triple]:
    """Parse statement records. A record that is not one N-Triples statement without blank
    nodes (only a write through SPARQL Update or the graph store can make one) raises
    QueryError, or with ``skip_bad`` asserts nothing: a rebuild must not stop a store from
    opening."""
    texts = list(texts)
    try:
        return _parsed(texts)
    except SyntaxError:
        good = []
        for text in texts:
            try:
                good += _parsed([text])
            except SyntaxError:
                if not skip_bad:
                    raise QueryError(
                        f"ek:entityStatement {text[:200]!r} is not one N-Triples statement "
                        "without blank nodes"
                    ) from None
        return good


def _parsed(texts: list[str]) -> list[Triple]:
    document = "".join(f"{text} .\n" for text in texts)
    triples = [q.triple for q in parse(document.encode("utf-8"), format=RdfFormat.N_TRIPLES)]
    if len(triples) != len(texts):  # "<a> <b> <c> . <d> <e> <f>" is two
        raise SyntaxError("not one statement per record")
    if any(isinstance(t.subject, BlankNode) or isinstance(t.object, BlankNode) for t in triples):
        raise SyntaxError("a blank node in a record")  # a new one at each read: never removed
    return triples


def entity_quads(texts: Iterable[str], *, skip_bad: bool = False) -> list[Quad]:
    """The entity-graph quads for statement records."""
    graph = NamedNode(ENTITIES_GRAPH)
    triples = statements(texts, skip_bad=skip_bad)
    return [Quad(t.subject, t.predicate, t.object, graph) for t in triples]


def changes(
    backend: Backend, new: set[str], graphs: list[str], existing: set[str]
) -> tuple[list[Quad], list[Quad]]:
    """What to insert into and delete from the entity graph when ``graphs`` are replaced by
    content whose records are ``new``.

    ``existing``: the named graphs in the store now. Inserted: what the new graphs say and
    the replaced ones did not (what they did say is in the entity graph already, which
    holds exactly what the records say). Deleted: what the replaced graphs said and the new
    ones do not, unless another article still says it.
    """
    replaced = [g for g in graphs if g in existing]
    old = {row["statement"].value for row in _rows(backend, "records-of", "graph", replaced)}
    dropped = old - new
    still_said = {
        row["statement"].value
        for row in _rows(backend, "record-holders", "statement", sorted(dropped), literal=True)
        if row["article"].value not in graphs
    }
    return entity_quads(sorted(new - old)), entity_quads(sorted(dropped - still_said))


def rebuild(backend: Backend) -> list[Quad]:
    """The whole entity graph, from every article's records."""
    rows = backend.query(internal_query("all-records"))
    return entity_quads(sorted({row["statement"].value for row in rows}), skip_bad=True)


def _rows(
    backend: Backend, name: str, variable: str, values: list[str], *, literal: bool = False
) -> Iterator[dict[str, object]]:
    for start in range(0, len(values), BATCH):
        batch = values[start : start + BATCH]
        terms = [Literal(v) if literal else NamedNode(v) for v in batch]
        yield from backend.query(values_query(name, variable, terms))  # type: ignore[misc]
