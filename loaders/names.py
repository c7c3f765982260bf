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


def lookup_quads(quads: Iterable[Quad]) -> list[Quad]:
    """The lookup-key quads for the labels, aliases and ``ekr:`` ids among ``quads``."""
    keys: set[tuple[NamedNode, str, object]] = set()
    for quad in quads:
        subject = quad.subject
        if not isinstance(subject, NamedNode):
            continue
        if quad.predicate.value in NAME_PREDICATES and isinstance(quad.object, Literal):
            keys.add((subject, normalise(quad.object.value), quad.graph_name))
        if subject.value.startswith(EKR) and "/" not in subject.value[len(EKR) :]:
            keys.add((subject, normalise(subject.value[len(EKR) :]), quad.graph_name))
    return [Quad(s, LOOKUP_KEY, Literal(k), g) for s, k, g in sorted(keys, key=str) if k]
