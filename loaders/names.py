"""Lookup keys: how a name typed by a user finds its entity.

Every labelled resource gets one ``ek:lookupKey`` per label, alias and id, normalised so
that "Naver Cloud", "naver-cloud", "NAVER CLOUD" and "네이버 클라우드" meet: Unicode NFKC,
case-folded, with spaces and punctuation removed. The key sits in the same graph as the
label it came from, so it goes away with its article. Canned queries then find an entity
with one index lookup instead of scanning every label.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from pyoxigraph import Literal, NamedNode, Quad

from kb.namespaces import EK, EKR, RDFS, SKOS

LOOKUP_KEY = NamedNode(EK + "lookupKey")
NAME_PREDICATES = frozenset({RDFS + "label", SKOS + "altLabel"})
_NOT_WORD = re.compile(r"[\W_]+")


def normalise(name: str) -> str:
    """The lookup key of a name.

    >>> normalise("Naver Cloud") == normalise("naver-cloud") == normalise(" NAVER  cloud ")
    True
    >>> normalise("네이버 클라우드") == normalise("네이버클라우드")
    True
    """
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", name).casefold())


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
