"""Link the KB's people, organizations and places to Wikidata items, or say why not.

A wrong link is worse than none, so the linker accepts a candidate only when the evidence
is clear, and sends everything else to review:

1. **Pins first.** A pin file (YAML, see :func:`read_pins`) fixes an entity's item by hand,
   or rejects an item for it. Pins win over the scorer and are re-applied on every run. The
   KB ships pins for the seed article's entities whose QIDs are verified
   (``facts/links/wikidata-pins.yaml``, each with its source); ``--pins FILE`` adds yours,
   which win over the shipped ones.
2. **Candidates** are the items whose label or alias is exactly one of the entity's names,
   in the name's language (every language the entity has), one query per entity.
3. **Score** = name (0.5 if a name is the item's label, 0.4 if only an alias; +0.1 for each
   further name that matches, at most +0.2) + type (+0.3 when the item is an instance of a
   class the entity's kind accepts: human for a person; business or organization for an
   organization; country, region or city for a place) + context (+0.25 for each statement
   that the KB confirms: employer P108 or an organization the person leads/founded
   (P169/P112 pointing at the person), position held P39, country P17 or headquarters
   country P159/P17, parent P749, subsidiary P355; -0.4 when the item's country contradicts
   the KB's).
4. **Accept** the best candidate only if it has the right type, nothing contradicts it, its
   score is at least 0.75, it leads the next candidate of the right type by at least 0.25,
   and (for people, organizations and cities) the KB confirms at least one statement.
   Countries and regions need no context: their names are unambiguous once typed.

Decisions go to the graph ``ekg:links``, replaced as a whole on each run: accepted links as
``entity owl:sameAs wd:Q…``, and every decision as an ``ek:LinkDecision`` node with status,
score, method, reasons, candidates and time (terms in ontology/event-kb.ttl).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from kb.errors import InputError
from kb.namespaces import EK, EKR, LINKS_GRAPH, OWL, PROV, RDF, XSD, compact
from kb.sparql.catalogue import internal_query
from kb.sparql.results import is_true
from kb.wikidata.client import NotCached, WikidataClient, item_iri, qid, with_values, xsd_datetime
from kb.wikidata.pins import Pins
from kb.wikidata.scoring import (
    ACCEPTED,
    KINDS,
    NO_CANDIDATE,
    NOT_CHECKED,
    REVIEW,
    STATUS_IRIS,
    Candidate,
    Decision,
    Entity,
    decide,
    score_candidate,
)


def entities_to_link(kb: Any) -> list[Entity]:
    """Persons, organizations and places (not sites) with no Wikidata link from a source."""
    found: dict[str, Entity] = {}
    stated: set[str] = set()
    for row in kb.query(internal_query("link-entities")).raw:
        iri = row["entity"].value
        if row["stated"] is not None:
            stated.add(iri)
        entity = found.get(iri)
        if entity is None:
            kind = KINDS[row["kind"].value]
            entity = found[iri] = Entity(iri, kind, gazetteer=is_true(row["gazetteer"]))
        name = (row["name"], is_true(row["isLabel"]))
        if name not in entity.names:
            entity.names.append(name)
    return sorted(
        (e for iri, e in found.items() if iri not in stated),
        key=lambda e: (e.kind.order, e.iri),
    )


def kb_context(kb: Any) -> dict[str, list[tuple[str, str]]]:
    """entity IRI → [(relation, other entity IRI or role name)] (see link-context.rq)."""
    context: dict[str, list[tuple[str, str]]] = {}
    for row in kb.query(internal_query("link-context")).raw:
        context.setdefault(row["entity"].value, []).append(
            (row["relation"].value, row["other"].value)
        )
    return context


@dataclass
class LinkReport:
    decisions: list[Decision]
    requests: int
    cache_hits: int

    def count(self, status: str) -> int:
        return sum(1 for d in self.decisions if d.status == status)

    def review(self, *, everything: bool = False) -> list[Decision]:
        """Decisions a person should look at: review, not checked, and (outside the
        gazetteer, or with ``everything``) entities no item matched."""
        wanted = {REVIEW, NOT_CHECKED, NO_CANDIDATE}
        return [
            d
            for d in self.decisions
            if d.status in wanted
            and (everything or d.status != NO_CANDIDATE or not d.entity.gazetteer)
        ]


class Linker:
    """One ``kb link`` run over a KB: pins, candidate search, scoring, decisions."""

    def __init__(
        self,
        kb: Any,
        client: WikidataClient,
        pins: Pins,
        *,
        now: datetime | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.kb = kb
        self.client = client
        self.pins = pins
        self.now = now or datetime.now(UTC).replace(microsecond=0)
        self.progress = progress
        self._candidates: dict[str, list[Candidate] | None] = {}

    def run(self, *, write: bool = True) -> LinkReport:
        entities = entities_to_link(self.kb)
        known = {e.iri for e in entities}
        for iri, pin in self.pins.pins.items():
            if iri not in known:
                raise InputError(
                    f"{compact(iri)} is not a person, organization or place of the KB "
                    "that needs a link",
                    path=pin.path,
                    line=pin.line,
                    field="entity",
                )
        context = kb_context(self.kb)
        labels = {e.iri: e.label for e in entities}
        links: dict[str, str] = {}
        decisions: dict[str, Decision] = {}
        for entity in entities:
            pin = self.pins.pins.get(entity.iri)
            if pin is not None:
                links[entity.iri] = pin.qid
                decisions[entity.iri] = Decision(
                    entity, ACCEPTED, "pin", pin.qid, 1.0, f"pinned at {pin.where}: {pin.source}"
                )
        pending = [e for e in entities if e.iri not in decisions]
        # Places first, then organizations, then people; repeat while new links appear,
        # since one entity's link is another's context (Jensen Huang's employer NVIDIA).
        while True:
            before = len(links)
            for entity in pending:
                decision = self._decide(entity, context.get(entity.iri, []), links, labels)
                decisions[entity.iri] = decision
                if decision.target is not None:
                    links[entity.iri] = decision.target
            pending = [e for e in pending if decisions[e.iri].target is None]
            if len(links) == before:
                break
        ordered = [decisions[e.iri] for e in entities]
        report = LinkReport(ordered, self.client.requests, self.client.cache_hits)
        if write:
            self.kb.write_system_graph(LINKS_GRAPH, self.quads(ordered))
        return report

    def _decide(
        self,
        entity: Entity,
        context: list[tuple[str, str]],
        links: dict[str, str],
        labels: dict[str, str],
    ) -> Decision:
        candidates = self._fetch(entity)
        if candidates is None:
            return Decision(entity, NOT_CHECKED, "scorer", reason="offline and not in the cache")
        rejected = self.pins.rejects.get(entity.iri, {})
        for candidate in candidates:
            score_candidate(entity, candidate, context, links, labels)
            if candidate.qid in rejected:
                candidate.rejected = True
                candidate.reasons.append(f"rejected at {rejected[candidate.qid].where}")
        return decide(entity, candidates)

    def _fetch(self, entity: Entity) -> list[Candidate] | None:
        """The entity's candidates with their details, asked once per run."""
        if entity.iri in self._candidates:
            return self._candidates[entity.iri]
        if self.progress:
            self.progress(entity.iri)
        found: dict[str, Candidate] | None = {}
        try:
            names = [name for name, _ in entity.names]
            answer = self.client.select(
                with_values(internal_query("wikidata-candidates"), "name", names)
            )
            assert found is not None
            for row in answer.rows:
                key = qid(row["item"].value)
                candidate = found.setdefault(key, Candidate(key))
                text = f'"{row["name"].value}"@{row["name"].language}'
                if (text, row["how"].value) not in candidate.matched:
                    candidate.matched.append((text, row["how"].value))
            if found:
                items = [NamedNode(item_iri(q)) for q in sorted(found)]
                details = self.client.select(
                    with_values(internal_query("wikidata-candidate-details"), "item", items)
                )
                for row in details.rows:
                    value = row["value"]
                    text = qid(value.value) if isinstance(value, NamedNode) else value.value
                    facts = found[qid(row["item"].value)].facts
                    facts.setdefault(row["key"].value, set()).add(text)
        except NotCached:
            found = None
        result = None if found is None else list(found.values())
        self._candidates[entity.iri] = result
        return result

    def quads(self, decisions: Iterable[Decision]) -> list[Quad]:
        """``ekg:links``: owl:sameAs for accepted links, an ek:LinkDecision for each."""
        graph = NamedNode(LINKS_GRAPH)
        when = xsd_datetime(self.now)
        quads: list[Quad] = []

        def add(s: NamedNode, p: str, o: Any) -> None:
            quads.append(Quad(s, NamedNode(p), o, graph))

        for d in decisions:
            entity = NamedNode(d.entity.iri)
            local = d.entity.iri.removeprefix(EKR)
            node = NamedNode(EKR + "wikidata-link-" + re.sub(r"[^a-z0-9-]", "-", local.lower()))
            add(node, RDF + "type", NamedNode(EK + "LinkDecision"))
            add(node, EK + "linkSubject", entity)
            add(node, EK + "linkStatus", NamedNode(STATUS_IRIS[d.status]))
            add(node, EK + "linkMethod", Literal(d.method))
            add(node, PROV + "generatedAtTime", when)
            if d.reason:
                add(node, EK + "linkReason", Literal(d.reason))
            if d.score is not None:
                score = Literal(f"{d.score:.2f}", datatype=NamedNode(XSD + "decimal"))
                add(node, EK + "linkScore", score)
            for candidate in d.candidates:
                add(node, EK + "linkCandidate", NamedNode(item_iri(candidate.qid)))
            if d.target is not None:
                target = NamedNode(item_iri(d.target))
                add(entity, OWL + "sameAs", target)
                add(node, EK + "linkTarget", target)
                if d.method == "scorer":
                    add(node, PROV + "wasDerivedFrom", NamedNode(self.client.endpoint))
        return quads
