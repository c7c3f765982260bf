"""The search index ``ekg:search``: the trigrams of every entity's lookup keys, so that
``kb search`` finds a partial or misspelt name with a few index lookups, not a scan.

Layout: one node per lookup key of an entity (an ``ekr:`` resource that is not a fact),
``<…/graph/search/KEY> ek:searchGram "^na", "nav", …`` with KEY the key percent-encoded,
and one version statement on the graph. The grams are a pure function of the key
(``kb.names.trigrams`` of ``kb.names.search_form``), so the index is a function of the set
of entity keys in the store: it does not depend on which article holds a key or in which
order articles came, and a key's quads can be deleted by computing them again.

Kept in step with every write: ``KB.replace`` gathers the keys a write may add or remove
and ``refresh`` adds the grams of those now held and deletes those of keys no entity holds
any more; a bulk write, a SPARQL update and a repair ``build`` it whole (0.35 s of
reading at 1M quads). Between a write and its refresh the derive-pending marker is in the
store, so a crash there ends in ``KB.repair``, which builds the index again. A store made
before the index existed gets it on the first search that may write.

A search: the query's trigrams find the keys sharing most of them (one grouped query), the
candidates are ranked by ``kb.names.match_score``, and the entities holding the best keys
are read with their classes, names and aliases.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode, Quad

from kb.errors import ParameterError, StoreError
from kb.names import (
    containment_score,
    fuzzy_score,
    least_shared_trigrams,
    normalise,
    search_form,
    trigrams,
)
from kb.namespaces import EK, EKR, OWL, SEARCH_GRAPH
from kb.ontology import classes, superclasses
from kb.sparql.catalogue import internal_query, values_query
from kb.store.backend import Backend

VERSION = "event-kb search index 1"
"""Changes whenever the grams of a key would: an index of another version is built again."""
NODE_PREFIX = SEARCH_GRAPH + "/"
SEARCH_GRAM = NamedNode(EK + "searchGram")
LOOKUP_KEY = EK + "lookupKey"
BATCH = 500
"""Keys per query: keeps each request well under any server's size limit."""
RANKED = 60
"""Best-ranked keys whose entities are read."""


@dataclass
class SearchHit:
    """One entity a search found: its id, classes (most specific first) and names."""

    iri: str
    classes: list[str]
    names: dict[str, str]
    """Label by language tag."""
    aliases: dict[str, list[str]]
    matched: str
    """The name, alias or id that matched."""
    score: float
    """1 the same name, 0.9 a name that starts with the text, 0.8 one that contains it,
    below 0.7 a few edits away."""
    keys: set[str] = field(default_factory=set, repr=False)

    @property
    def id(self) -> str:
        return self.iri.removeprefix(EKR)

    def name(self, lang: str = "en") -> str:
        """The label in ``lang``, else English, else any, else the id."""
        for tag in (lang, "en"):
            if tag in self.names:
                return self.names[tag]
        return next(iter(sorted(self.names.items())), ("", self.id))[1]

    def to_json(self, lang: str = "en") -> dict[str, object]:
        return {
            "id": self.id,
            "iri": self.iri,
            "class": self.classes[0].removeprefix(EK) if self.classes else None,
            "classes": [c.removeprefix(EK) for c in self.classes],
            "name": self.name(lang),
            "names": self.names,
            "aliases": self.aliases,
            "matched": self.matched,
            "score": round(self.score, 3),
        }


def node(key: str) -> NamedNode:
    return NamedNode(NODE_PREFIX + urllib.parse.quote(key, safe=""))


def key_of(iri: str) -> str:
    return urllib.parse.unquote(iri.removeprefix(NODE_PREFIX))


def key_quads(key: str) -> list[Quad]:
    """The index's quads for one lookup key."""
    graph, subject = NamedNode(SEARCH_GRAPH), node(key)
    return [
        Quad(subject, SEARCH_GRAM, Literal(gram), graph)
        for gram in sorted(trigrams(search_form(key)))
    ]


def version_quad() -> Quad:
    graph = NamedNode(SEARCH_GRAPH)
    return Quad(graph, NamedNode(OWL + "versionInfo"), Literal(VERSION), graph)


def is_built(backend: Backend) -> bool:
    """Whether the store has an index of this version."""
    v = version_quad()
    result = backend.query(
        f"ASK {{ GRAPH {v.graph_name} {{ {v.subject} {v.predicate} {v.object} }} }}"
    )
    return bool(result)


def build(backend: Backend) -> None:
    """The index for every entity key in the store: what is missing is added, what is
    stale removed (a whole graph rewritten would cost a MOVE of every quad)."""
    live = {row["key"].value for row in backend.query(internal_query("search-keys"))}
    if is_built(backend):
        indexed = {
            key_of(row["node"].value) for row in backend.query(internal_query("search-nodes"))
        }
        _write(backend, live - indexed, indexed - live)
    else:  # none yet, or of another version
        if backend.existing_graphs([SEARCH_GRAPH]):
            backend.replace_graphs({SEARCH_GRAPH: []})
        _write(backend, live, set(), version_quad())


def _write(backend: Backend, add: set[str], drop: set[str], *also: Quad) -> None:
    insert = [*also, *(q for key in sorted(add) for q in key_quads(key))]
    delete = [q for key in sorted(drop) for q in key_quads(key)]
    if insert or delete:
        backend.replace_graphs({}, insert=insert, delete=delete)


def keys_among(quads: Iterable[Quad]) -> set[str]:
    """The lookup keys that ``quads`` state."""
    return {q.object.value for q in quads if q.predicate.value == LOOKUP_KEY}


def graph_keys(backend: Backend, graphs: Iterable[str]) -> set[str]:
    """The lookup keys the named graphs hold: what replacing them may take away."""
    graphs = sorted(graphs)
    found: set[str] = set()
    for start in range(0, len(graphs), BATCH):
        batch = [NamedNode(g) for g in graphs[start : start + BATCH]]
        found.update(
            row["key"].value
            for row in backend.query(values_query("search-graph-keys", "graph", batch))
        )
    return found


def refresh(backend: Backend, keys: Iterable[str]) -> None:
    """Bring the index in step for ``keys`` (the keys a write may have added or removed):
    grams for those an entity now holds, none for the others. Nothing when the store has
    no index of this version: the first search builds it."""
    keys = sorted(keys)
    if not keys or not is_built(backend):
        return
    live: set[str] = set()
    indexed: set[str] = set()
    for start in range(0, len(keys), BATCH):
        batch = keys[start : start + BATCH]
        live.update(
            row["key"].value
            for row in backend.query(
                values_query("search-live-keys", "key", [Literal(k) for k in batch])
            )
        )
        indexed.update(
            key_of(row["node"].value)
            for row in backend.query(values_query("search-indexed", "node", map(node, batch)))
        )
    _write(backend, live - indexed, indexed - live)


def search(
    backend: Backend, text: str, *, cls: str | None = None, limit: int = 20
) -> list[SearchHit]:
    """The entities whose names, aliases or ids best match ``text``, best first.

    ``cls``: only entities of this ``ek:`` class (``Organization``; subclasses count).
    """
    wanted = EK + class_name(cls) if cls else None
    query = search_form(text)
    if not query:
        return []
    if not is_built(backend):
        if backend.read_only:
            raise StoreError(
                "this store has no search index yet (it was made before kb search) and is "
                "open read-only, as another process holds it: search again once it is free, "
                "and the index is built then"
            )
        build(backend)
    grams = sorted(trigrams(query))
    rows = backend.query(values_query("search-candidates", "gram", map(Literal, grams)))
    candidates = {key_of(row["node"].value): int(row["hits"].value) for row in rows}
    forms = {key: search_form(key) for key in candidates}
    scored = {
        key: score
        for key, form in forms.items()
        if (score := containment_score(query, form)) is not None
    }
    if not scored:  # typing errors are looked for only when no name contains the text
        enough = least_shared_trigrams(query)
        for key, form in forms.items():
            if candidates[key] >= enough and (score := fuzzy_score(query, form)) is not None:
                scored[key] = score
    best = sorted(scored, key=lambda k: (-scored[k], len(k), k))[:RANKED]
    hits = _entities(backend, best)
    found = []
    for hit in hits.values():
        if wanted and wanted not in hit.classes:
            continue
        hit.score = max(scored[k] for k in hit.keys)
        hit.classes = _most_specific_first(hit.classes)
        found.append(hit)
    found.sort(key=lambda h: (-h.score, len(h.matched), h.name(), h.iri))
    return found[:limit]


def class_name(value: str) -> str:
    """An ``ek:`` class the ontology declares (``Organization``, ``ek:Country``), or a
    ParameterError naming the nearest one."""
    name = value.removeprefix("ek:")
    known = sorted(c.removeprefix(EK) for c in classes())
    if name not in known:
        import difflib

        hint = difflib.get_close_matches(name, known, n=1)
        more = f"; did you mean {hint[0]}?" if hint else f"; one of {', '.join(known)}"
        raise ParameterError(f"--class: no class {value!r} in the ontology{more}")
    return name


def _entities(backend: Backend, keys: list[str]) -> dict[str, SearchHit]:
    if not keys:
        return {}
    rows = backend.query(values_query("search-entities", "key", [Literal(k) for k in keys]))
    hits: dict[str, SearchHit] = {}
    for row in rows:
        iri = row["entity"].value
        hit = hits.setdefault(iri, SearchHit(iri, [], {}, {}, "", 0.0))
        hit.keys.add(row["key"].value)
        value, prop = row["value"], row["property"].value
        if prop == "class":
            if value.value not in hit.classes:
                hit.classes.append(value.value)
        elif prop == "name":
            hit.names.setdefault(value.language or "", value.value)
        else:
            listed = hit.aliases.setdefault(value.language or "", [])
            if value.value not in listed:
                listed.append(value.value)
    order = {k: i for i, k in enumerate(keys)}
    for hit in hits.values():
        best = min(hit.keys, key=order.__getitem__)
        candidates = [*hit.names.values(), *(a for al in hit.aliases.values() for a in al)]
        hit.matched = next((n for n in candidates if normalise(n) == best), hit.id)
        for listed in hit.aliases.values():
            listed.sort()
    return hits


def _most_specific_first(classes: list[str]) -> list[str]:
    """``ek:`` classes, each before its superclasses (Country before Place)."""
    depth = {c: len(superclasses(c)) for c in classes}
    return sorted(classes, key=lambda c: (-depth[c], c))
