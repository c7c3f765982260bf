"""What the bundled ontology declares, read from ontology/event-kb.ttl once per process.

The fact-file loader asks it for superclasses (a Country is a Place) and the RDF loader
for the set of declared ``ek:`` terms (so a typo such as ``ek:partcipant`` is an error,
not a silent new property).
"""

from __future__ import annotations

from functools import cache

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

from kb import resources
from kb.namespaces import EK, ONTOLOGY_FILE, OWL, RDF, RDFS


@cache
def _parsed() -> tuple[Quad, ...]:
    data = (resources.ontology_dir() / ONTOLOGY_FILE).read_bytes()
    return tuple(
        q for q in parse(data, format=RdfFormat.TURTLE) if isinstance(q.subject, NamedNode)
    )


@cache
def _triples() -> tuple[tuple[str, str, str], ...]:
    return tuple((q.subject.value, q.predicate.value, q.object.value) for q in _parsed())


@cache
def declared_terms() -> frozenset[str]:
    """Every ``ek:`` IRI the ontology gives a type to."""
    return frozenset(s for s, p, _ in _triples() if p == RDF + "type" and s.startswith(EK))


@cache
def superclasses(cls: str) -> frozenset[str]:
    """``cls`` and all its ``ek:`` superclasses (reflexive, transitive)."""
    direct: dict[str, set[str]] = {}
    for s, p, o in _triples():
        if p == RDFS + "subClassOf" and o.startswith(EK):
            direct.setdefault(s, set()).add(o)
    found = {cls}
    todo = [cls]
    while todo:
        for parent in direct.get(todo.pop(), ()):
            if parent not in found:
                found.add(parent)
                todo.append(parent)
    return frozenset(found)


@cache
def classes() -> frozenset[str]:
    """Every ``ek:`` class the ontology declares."""
    return frozenset(
        s for s, p, o in _triples() if p == RDF + "type" and o == OWL + "Class" and s.startswith(EK)
    )


@cache
def _labels() -> dict[tuple[str, str], str]:
    return {
        (q.subject.value, q.object.language or ""): q.object.value
        for q in _parsed()
        if q.predicate.value == RDFS + "label" and isinstance(q.object, Literal)
    }


def label(term: str, lang: str = "en") -> str:
    """The ontology's label of ``term`` in ``lang``, else in English, else its local name."""
    labels = _labels()
    return labels.get((term, lang)) or labels.get((term, "en")) or term.rpartition("#")[2]


def ranges() -> dict[str, str]:
    """The ``ek:`` class each ``ek:`` property's values must have (its ``rdfs:range``)."""
    return {
        s: o
        for s, p, o in _triples()
        if p == RDFS + "range" and s.startswith(EK) and o.startswith(EK)
    }
