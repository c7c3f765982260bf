"""Lookup keys: the quads that let a name typed by a user find its entity.

Every labelled resource gets one ``ek:lookupKey`` per label, alias and id, normalised by
``kb.names.normalise``. The key sits in the same graph as the label it came from, so it goes
away with its article. Canned queries then find an entity with one index lookup instead of
scanning every label.
"""

from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import Literal, NamedNode, Quad

from kb.names import normalise
from kb.namespaces import EK, EKR, RDFS, SKOS

LOOKUP_KEY = NamedNode(EK + "lookupKey")
NAME_PREDICATES = frozenset({RDFS + "label", SKOS + "altLabel"})
_NAME_NODES = tuple(NamedNode(p) for p in sorted(NAME_PREDICATES))


def lookup_quads(quads: Iterable[Quad]) -> list[Quad]:
    """The lookup-key quads for the labels, aliases and ``ekr:`` ids among ``quads``,
    ordered by subject, key and graph."""
    keys: set[tuple[str, str, object]] = set()
    subjects: dict[str, NamedNode] = {}
    seen: set[tuple[str, object]] = set()  # (subject, graph): its id's key is made once
    for quad in quads:
        subject = quad.subject
        if not isinstance(subject, NamedNode):
            continue
        iri, graph = subject.value, quad.graph_name
        if (iri, graph) not in seen:
            seen.add((iri, graph))
            subjects.setdefault(iri, subject)
            if iri.startswith(EKR) and "/" not in iri[len(EKR) :]:
                keys.add((iri, normalise(iri[len(EKR) :]), graph))
        predicate = quad.predicate
        if predicate in _NAME_NODES and isinstance(quad.object, Literal):
            keys.add((iri, normalise(quad.object.value), quad.graph_name))
    return [
        Quad(subjects[s], LOOKUP_KEY, Literal(k), g)
        for s, k, g in sorted(keys, key=lambda key: (key[0], key[1], str(key[2])))
        if k
    ]
