"""Integrity across articles: no write may leave a reference to an entity nobody defines.

The rule (docs/design.md, "Integrity across articles") is a foreign key ``ON DELETE
RESTRICT``: a load, reload, drop, graph-store write or SPARQL update that would take away
the last definition of an entity (or fact) that another article still uses as a value is
refused. This module finds what such a write would leave dangling, cheaply: only IRIs the
replaced graphs define and their new content does not are looked at, and of those only the
ones no other graph defines.

A reference is an ``ekr:`` IRI used as the object of a statement in an article graph, or in
``ekg:entities`` while an article outside the write still records that statement.
References from the derived graph and the Wikidata graphs do not count: they follow.

A SPARQL update can change anything, so it is checked as a whole (``Problems``): the KB's
unresolved references and facts typed by two articles, before the update and after it (on
a copy), and the update is refused if it adds any. That costs a scan of the KB's types and
references: seconds on a store of a million quads, on a path used rarely.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import NamedNode, Triple

from kb.namespaces import EKR, ENTITIES_GRAPH
from kb.sparql.catalogue import internal_query
from kb.store.backend import Backend
from kb.store.lookups import record_holders, rows


@dataclass(frozen=True)
class Dangling:
    """``entity`` would no longer exist, but ``article`` still says ``subject predicate
    entity``; ``definers`` are the graphs of the write that define it now."""

    entity: str
    article: str
    subject: str
    predicate: str
    definers: tuple[str, ...]


def definitions_in(backend: Backend, graphs: Iterable[str]) -> dict[str, set[str]]:
    """The ``ekr:`` IRIs each of ``graphs`` defines now (gives a source or a type)."""
    found: dict[str, set[str]] = {}
    for row in rows(backend, "definitions-in", "graph", sorted(set(graphs))):
        iri = row["entity"].value
        if isinstance(row["entity"], NamedNode) and iri.startswith(EKR):
            found.setdefault(iri, set()).add(row["graph"].value)
    return found


def dangling(backend: Backend, replaced: set[str], kept: set[str]) -> list[Dangling]:
    """What would dangle if the graphs ``replaced`` (existing ones) lost every definition
    but those in ``kept`` (the IRIs their new content defines)."""
    if not replaced:
        return []
    before = definitions_in(backend, replaced)
    candidates = sorted(iri for iri in before if iri not in kept)
    if not candidates:
        return []
    excluded = {"graph": sorted(replaced)}
    still = {
        row["entity"].value
        for row in rows(backend, "still-defined", "entity", candidates, others=excluded)
    }
    lost = [iri for iri in candidates if iri not in still]
    found: list[Dangling] = []
    via_records: list[tuple[str, str, str]] = []
    for row in rows(backend, "references-to", "entity", lost, others=excluded):
        entity, subject, predicate, graph = (
            row["entity"].value,
            row["subject"],
            row["p"].value,
            row["graph"].value,
        )
        if graph == ENTITIES_GRAPH:
            if isinstance(subject, NamedNode):
                via_records.append((entity, subject.value, predicate))
        else:
            found.append(
                Dangling(entity, graph, str(subject.value), predicate, _sorted(before[entity]))
            )
    texts = {
        key: str(Triple(NamedNode(key[1]), NamedNode(key[2]), NamedNode(key[0])))
        for key in via_records
    }
    holders = record_holders(backend, texts.values())
    for key, text in texts.items():
        for article in sorted(holders.get(text, set()) - replaced):
            found.append(Dangling(key[0], article, key[1], key[2], _sorted(before[key[0]])))
    return sorted(set(found), key=lambda d: (d.entity, d.article, d.subject, d.predicate))


def _sorted(graphs: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(graphs))


@dataclass(frozen=True)
class Problems:
    """What is wrong with a whole KB: ``ekr:`` values nothing defines, and facts that more
    than one article types (with those articles)."""

    undefined: frozenset[str]
    shared_facts: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, backend: Backend) -> Problems:
        def column(name: str) -> set[str]:
            return {row["entity"].value for row in backend.query(internal_query(name))}

        undefined = column("all-references") - column("all-definitions")
        shared = {
            row["entity"].value: tuple(sorted(row["graphs"].value.split()))
            for row in backend.query(internal_query("shared-facts"))
        }
        return cls(frozenset(undefined), shared)

    def added_to(self, before: Problems) -> Problems:
        """What these problems have that ``before`` had not."""
        return Problems(
            self.undefined - before.undefined,
            {f: g for f, g in self.shared_facts.items() if f not in before.shared_facts},
        )

    def __bool__(self) -> bool:
        return bool(self.undefined or self.shared_facts)


def referrers(backend: Backend, entity: str) -> list[tuple[str, str, str]]:
    """(graph, subject, predicate) of the statements that use ``entity`` as a value, in
    article graphs and the entity graph (a statement there named by an article holding it)."""
    found = []
    for row in rows(backend, "references-to", "entity", [entity], others={"graph": []}):
        graph, subject, predicate = row["graph"].value, row["subject"], row["p"].value
        if graph == ENTITIES_GRAPH and isinstance(subject, NamedNode):
            text = str(Triple(subject, NamedNode(predicate), NamedNode(entity)))
            for article in sorted(record_holders(backend, [text]).get(text, ())):
                found.append((article, subject.value, predicate))
        else:
            found.append((graph, str(subject.value), predicate))
    return found
