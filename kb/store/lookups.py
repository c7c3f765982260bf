"""The KB as a batch being planned sees it: ``StoreView`` answers ``loaders.references``'
questions from the store, without the graphs the batch replaces.

Who defines an IRI: an article graph that gives it an ``ek:source`` (fact files do, for
every entity and fact they define) or a type (RDF articles, facts), and the gazetteer.
What an entity is called and what it is part of sit in ``ekg:entities``, said once however
many articles say it; which articles say it is in their ``ek:entityStatement`` records, so a
name counts only while an article outside the batch records it. Every question is a few
queries with ``VALUES`` rows, so it costs the same on an embedded store and a server.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pyoxigraph import Literal, NamedNode, Triple, Variable

from kb.names import normalise
from kb.namespaces import EK, EKG, EKR, ENTITIES_GRAPH, GAZETTEER_GRAPH, STAGING_GRAPH_PREFIX
from kb.ontology import superclasses
from kb.sparql.catalogue import internal_query, values_query
from kb.store.backend import Backend

BATCH = 500
"""Terms per VALUES row: keeps each request well under any server's size limit."""
FACT_CLASSES = frozenset({EK + "Fact", EK + "Purpose"})


def defines(graph: str) -> bool:
    """Whether a graph's types and sources define what they describe: an article graph or
    the gazetteer (not the entity graph, whose statements belong to their records)."""
    return graph == GAZETTEER_GRAPH or not graph.startswith(EKG)


def rows(
    backend: Backend,
    name: str,
    variable: str,
    values: Sequence[Any],
    *,
    literal: bool = False,
    others: dict[str, Iterable[str]] | None = None,
) -> Iterator[dict[str, Any]]:
    """Internal query ``name`` run for ``values`` (IRIs, or texts with ``literal``), a
    ``BATCH`` of them at a time; ``others``: IRIs for its other ``VALUES`` rows."""
    values = list(values)
    fixed = {var: [NamedNode(v) for v in iris] for var, iris in (others or {}).items()}
    for start in range(0, len(values), BATCH):
        batch = values[start : start + BATCH]
        terms = [Literal(v) if literal else NamedNode(v) for v in batch]
        yield from backend.query(values_query(name, variable, terms, fixed))  # type: ignore[misc]


def record_holders(backend: Backend, texts: Iterable[str]) -> dict[str, set[str]]:
    """The articles that record each entity statement (one N-Triples line)."""
    held: dict[str, set[str]] = {}
    for row in rows(backend, "record-holders", "statement", sorted(set(texts)), literal=True):
        held.setdefault(row["statement"].value, set()).add(row["article"].value)
    return held


@dataclass(frozen=True)
class Known:
    """What the KB says of one IRI (``loaders.references.Known``)."""

    classes: frozenset[str]
    definers: tuple[str, ...]
    owner: str | None
    names: tuple[tuple[str, str, str], ...]
    part_of: tuple[tuple[str, str], ...]


class StoreView:
    """``loaders.references.KBView`` over a store, leaving out the graphs ``excluded``."""

    def __init__(self, backend: Backend, excluded: Iterable[str]) -> None:
        self.backend = backend
        self.excluded = set(excluded)
        self._keys: dict[str, set[str]] | None = None

    def _counts(self, graph: str) -> bool:
        return graph not in self.excluded and not graph.startswith(STAGING_GRAPH_PREFIX)

    def about(self, iris: Sequence[str], detailed: set[str]) -> dict[str, Known]:
        definers: dict[str, set[str]] = {}
        for row in rows(self.backend, "definers", "entity", iris):
            if self._counts(row["article"].value) and defines(row["article"].value):
                definers.setdefault(row["entity"].value, set()).add(row["article"].value)
        typed: dict[str, list[tuple[str, str]]] = {}
        for row in rows(self.backend, "types-of", "entity", iris):
            graph = row["graph"].value
            if self._counts(graph):
                typed.setdefault(row["entity"].value, []).append((row["type"].value, graph))
                if defines(graph):
                    definers.setdefault(row["entity"].value, set()).add(graph)
        names = self._names(sorted(i for i in detailed if i in definers))
        found = {}
        for iri in set(typed) | set(definers):
            classes: set[str] = set()
            owner = None
            for cls, graph in typed.get(iri, ()):
                if graph == ENTITIES_GRAPH and not definers.get(iri):
                    continue  # said only by the articles the batch replaces
                classes |= superclasses(cls) if cls.startswith(EK) else {cls}
                if graph != GAZETTEER_GRAPH and defines(graph) and superclasses(cls) & FACT_CLASSES:
                    owner = owner or graph
            found[iri] = Known(
                classes=frozenset(classes),
                definers=tuple(sorted(definers.get(iri, ()))),
                owner=owner,
                names=tuple(names.get(iri, {}).get("label", ())),
                part_of=tuple(names.get(iri, {}).get("part_of", ())),
            )
        return found

    def _names(self, iris: list[str]) -> dict[str, dict[str, list[Any]]]:
        """Each entity's labels (language, text, graph) and parents (IRI, graph), as said by
        graphs the batch does not replace."""
        said: list[tuple[str, str, Any, str]] = []
        in_entities: list[str] = []
        for row in rows(self.backend, "entity-names", "entity", iris):
            entity, predicate, value, graph = (
                row["entity"].value,
                row["p"].value,
                row["o"],
                row["graph"].value,
            )
            if graph == ENTITIES_GRAPH:
                in_entities.append(str(Triple(NamedNode(entity), row["p"], value)))
            elif not (self._counts(graph) and defines(graph)):
                continue
            said.append((entity, predicate, value, graph))
        holders = record_holders(self.backend, in_entities)
        found: dict[str, dict[str, list[Any]]] = {}
        for entity, predicate, value, graph in said:
            if graph == ENTITIES_GRAPH:
                text = str(Triple(NamedNode(entity), NamedNode(predicate), value))
                by = sorted(g for g in holders.get(text, ()) if self._counts(g))
                if not by:
                    continue
                graph = by[0]
            slot = found.setdefault(entity, {"label": [], "part_of": []})
            if predicate.endswith("#label") and isinstance(value, Literal) and value.language:
                slot["label"].append((value.language, value.value, graph))
            elif isinstance(value, NamedNode):
                slot["part_of"].append((value.value, graph))
        return found

    def replaced_definers(self, iri: str) -> list[str]:
        graphs = {
            row["article"].value
            for row in rows(self.backend, "definers", "entity", [iri])
            if row["article"].value in self.excluded
        }
        return sorted(graphs)

    def suggest(self, text: str, cls: str | None) -> str | None:
        """An entity whose id, name or alias normalises to ``text``'s key, or else the one
        whose key is closest to it (of class ``cls`` when given)."""
        key = normalise(text)
        exact = {
            row["entity"].value
            for row in self.backend.query(
                internal_query("resolve"), {Variable("key"): Literal(key)}
            )
        }
        if exact:
            return self._pick(sorted(exact), cls)
        if self._keys is None:
            self._keys = {}
            for row in self.backend.query(internal_query("lookup-keys")):
                self._keys.setdefault(row["key"].value, set()).add(row["entity"].value)
        near = [k for k in self._keys if abs(len(k) - len(key)) <= 3]
        for close in difflib.get_close_matches(key, near, n=3, cutoff=0.75):
            picked = self._pick(sorted(self._keys[close]), cls)
            if picked:
                return picked
        return None

    def _pick(self, iris: list[str], cls: str | None) -> str | None:
        iris = [i for i in iris if i.startswith(EKR) and "/" not in i[len(EKR) :]]
        if cls:
            types = self.backend.types_of(iris, None)
            iris = [i for i in iris if any(cls in superclasses(t) for t in types.get(i, ()))]
        return iris[0].removeprefix(EKR) if iris else None
