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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from kb import resources
from kb.canned import internal_query
from kb.errors import InputError, a_or_an
from kb.namespaces import EK, EKR, LINKS_GRAPH, OWL, RDF, XSD, compact
from kb.results import is_true
from kb.wikidata import NotCached, WikidataClient, item_iri, qid, with_values, xsd_datetime

PROV = "http://www.w3.org/ns/prov#"
QID_PATTERN = re.compile(r"Q[1-9][0-9]*")
SHIPPED_PINS = "links/wikidata-pins.yaml"
PINS_FORMAT = "event-kb-wikidata-pins/1"

# Classes (and, through P279*, their subclasses) each kind of entity accepts. The candidate
# details query (queries/internal/wikidata-candidate-details.rq) asks about exactly these.
PERSON = frozenset({"Q5"})  # human
ORGANIZATION = frozenset(
    {
        "Q43229",  # organization
        "Q4830453",  # business
        "Q783794",  # company
        "Q6881511",  # enterprise
        "Q891723",  # public company
        "Q163740",  # nonprofit organization
        "Q327333",  # government agency
    }
)
COUNTRY = frozenset({"Q6256", "Q3624078", "Q7275"})  # country, sovereign state, state
REGION = frozenset({"Q82794", "Q5107"})  # geographic region, continent
CITY = frozenset({"Q515", "Q486972", "Q1549591"})  # city, human settlement, big city


@dataclass(frozen=True)
class Kind:
    """What a KB class accepts on the Wikidata side, and whether names alone can decide."""

    name: str
    classes: frozenset[str]
    needs_context: bool
    order: int


KINDS = {
    EK + "Country": Kind("country", COUNTRY, False, 0),
    EK + "Region": Kind("region", REGION, False, 1),
    EK + "Place": Kind("place", COUNTRY | REGION | CITY, True, 2),
    EK + "City": Kind("city", CITY, True, 3),
    EK + "Organization": Kind("organization", ORGANIZATION, True, 4),
    EK + "Person": Kind("person", PERSON, True, 5),
}

NAME_LABEL, NAME_ALIAS, NAME_EXTRA, NAME_EXTRA_MAX = 0.5, 0.4, 0.1, 0.2
TYPE_BONUS, SUPPORT_BONUS, CONTRADICTION_MALUS = 0.3, 0.25, 0.4
ACCEPT_SCORE, ACCEPT_MARGIN = 0.75, 0.25

ACCEPTED, REVIEW, NO_CANDIDATE, NOT_CHECKED = "accepted", "review", "no candidate", "not checked"
STATUS_IRIS = {
    ACCEPTED: EK + "LinkAccepted",
    REVIEW: EK + "LinkNeedsReview",
    NO_CANDIDATE: EK + "LinkNoCandidate",
    NOT_CHECKED: EK + "LinkNotChecked",
}


# -- pins ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pin:
    entity: str
    """The entity's IRI."""
    qid: str
    source: str
    """Where the QID was verified (a pin) or why the item is wrong (a reject)."""
    path: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class Pins:
    """Hand-made decisions: ``pins`` fix an entity's item, ``rejects`` forbid items."""

    pins: dict[str, Pin] = field(default_factory=dict)
    rejects: dict[str, dict[str, Pin]] = field(default_factory=dict)

    def update(self, other: Pins) -> None:
        """Add ``other``'s decisions; its pins replace ours for the same entity."""
        self.pins.update(other.pins)
        for entity, rejected in other.rejects.items():
            self.rejects.setdefault(entity, {}).update(rejected)


def read_pins(path: str | Path, data: bytes | None = None) -> Pins:
    """Read a pin file::

        format: event-kb-wikidata-pins/1
        pins:                      # the entity IS this item
          - entity: nvidia         # the entity's id in the KB (or its full IRI)
            qid: Q182477
            source: where the QID was verified
        rejects:                   # the entity is NOT this item, whatever the scores say
          - entity: naver
            qid: Q485639
            source: why (e.g. "the web portal, not the company")

    Errors name the file, the line and the field.
    """
    from loaders.yamlsource import YMap, line_of, read_yaml

    where = str(path)
    if data is None:
        try:
            data = Path(path).read_bytes()
        except OSError as err:
            raise InputError(f"cannot read the pin file: {err.strerror}", path=where) from None
    root = read_yaml(data, where)
    if not isinstance(root, YMap):
        raise InputError("a pin file is a mapping with format, pins, rejects", path=where, line=1)
    if root.get("format") != PINS_FORMAT:
        raise InputError(
            f"expected format: {PINS_FORMAT}",
            path=where,
            line=root.key_lines.get("format", 1),
            field="format",
        )
    unknown = set(root) - {"format", "pins", "rejects"}
    if unknown:
        key = sorted(unknown)[0]
        raise InputError("unknown key", path=where, line=root.key_lines[key], field=key)
    result = Pins()
    for section in ("pins", "rejects"):
        entries = root.get(section) or []
        if not isinstance(entries, list):
            raise InputError(
                "must be a list", path=where, line=root.key_lines[section], field=section
            )
        for i, entry in enumerate(entries):
            line = line_of(entry, root.key_lines[section])
            at = f"{section}[{i}]"
            if not isinstance(entry, YMap):
                raise InputError("must be a mapping", path=where, line=line, field=at)
            for key in ("entity", "qid", "source"):
                if not isinstance(entry.get(key), str) or not entry[key].strip():
                    raise InputError(
                        "is required (a string)", path=where, line=line, field=f"{at}.{key}"
                    )
            extra = set(entry) - {"entity", "qid", "source"}
            if extra:
                key = sorted(extra)[0]
                raise InputError(
                    "unknown key", path=where, line=entry.key_lines[key], field=f"{at}.{key}"
                )
            qid_text = str(entry["qid"]).strip()
            if not QID_PATTERN.fullmatch(qid_text):
                raise InputError(
                    f"{qid_text!r} is not a Wikidata item id (Q followed by digits)",
                    path=where,
                    line=entry.key_lines["qid"],
                    field=f"{at}.qid",
                )
            entity = str(entry["entity"]).strip()
            iri = entity if entity.startswith(("http://", "https://")) else EKR + entity
            pin = Pin(iri, qid_text, str(entry["source"]).strip(), where, line or 1)
            if section == "pins":
                if iri in result.pins:
                    first = result.pins[iri].where
                    raise InputError(
                        f"{entity} is pinned twice (first at {first})",
                        path=where,
                        line=line,
                        field=f"{at}.entity",
                    )
                result.pins[iri] = pin
            else:
                result.rejects.setdefault(iri, {})[qid_text] = pin
    for iri, pin in result.pins.items():
        if pin.qid in result.rejects.get(iri, {}):
            raise InputError(
                f"{compact(iri)} is both pinned to and rejected from {pin.qid}",
                path=where,
                line=pin.line,
            )
    return result


def shipped_pins() -> Pins:
    """The pins that ship with the KB: the seed entities' verified QIDs, with sources."""
    path = resources.facts_dir() / SHIPPED_PINS
    return read_pins(f"facts/{SHIPPED_PINS}", path.read_bytes())


# -- what the KB knows -----------------------------------------------------------------------


@dataclass
class Entity:
    iri: str
    kind: Kind
    names: list[tuple[Literal, bool]] = field(default_factory=list)
    """Every label (True) and alias (False), with its language tag."""
    gazetteer: bool = False

    @property
    def label(self) -> str:
        labels = [n for n, is_label in self.names if is_label]
        english = [n for n in labels if n.language == "en"]
        return (english or labels or [n for n, _ in self.names])[0].value


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


# -- scoring ---------------------------------------------------------------------------------


@dataclass
class Candidate:
    qid: str
    matched: list[tuple[str, str]] = field(default_factory=list)
    """(name as written with its language, "label"|"alias")."""
    facts: dict[str, set[str]] = field(default_factory=dict)
    """Details from Wikidata: key (class, P31, P17, label, ...) → values (QIDs or text)."""
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    type_ok: bool = False
    support: int = 0
    contradictions: int = 0
    rejected: bool = False

    @property
    def label(self) -> str:
        labels = sorted(self.facts.get("label", ()))
        return labels[0] if labels else ""

    @property
    def description(self) -> str:
        descriptions = sorted(self.facts.get("description", ()))
        return descriptions[0] if descriptions else ""


def score_candidate(
    entity: Entity,
    candidate: Candidate,
    context: list[tuple[str, str]],
    links: dict[str, str],
    labels: dict[str, str],
) -> None:
    """Fill in ``candidate.score`` and its reasons (see the module docstring)."""
    reasons: list[str] = []
    how = {h for _, h in candidate.matched}
    score = NAME_LABEL if "label" in how else NAME_ALIAS
    score += min(NAME_EXTRA_MAX, NAME_EXTRA * (len(candidate.matched) - 1))
    names = ", ".join(f"{n} ({h})" for n, h in candidate.matched)
    reasons.append(f"name {names}")
    classes = candidate.facts.get("class", set()) & entity.kind.classes
    candidate.type_ok = bool(classes)
    if candidate.type_ok:
        score += TYPE_BONUS
        reasons.append(f"{entity.kind.name} type ({', '.join(sorted(classes))})")
    else:
        direct = ", ".join(sorted(candidate.facts.get("P31", ()))) or "none"
        reasons.append(f"wrong type for {a_or_an(entity.kind.name)} (P31: {direct})")
    facts = candidate.facts
    support = contradictions = 0
    for relation, other in context:
        if relation == "role":
            held = {p.casefold() for p in facts.get("P39label", ())}
            if other.casefold() in held:
                support += 1
                reasons.append(f"position held (P39): {other}")
            continue
        linked = links.get(other)
        if linked is None:
            continue
        name = f"{labels.get(other, compact(other))} ({linked})"
        if relation == "employer":
            for key in ("P108", "^P169", "^P112"):
                if linked in facts.get(key, ()):
                    support += 1
                    reasons.append(f"employer {name} ({key})")
                    break
        elif relation == "country":
            countries = facts.get("P17", set()) | facts.get("P159/P17", set())
            if linked in countries:
                support += 1
                reasons.append(f"country {name} (P17/P159)")
            elif countries:
                contradictions += 1
                reasons.append(
                    f"country contradicts the KB: Wikidata {', '.join(sorted(countries))}, "
                    f"KB {name}"
                )
        elif relation in ("parent", "child"):
            key = "P749" if relation == "parent" else "P355"
            if linked in facts.get(key, ()):
                support += 1
                reasons.append(f"{relation} {name} ({key})")
    score += SUPPORT_BONUS * support - CONTRADICTION_MALUS * contradictions
    candidate.score = round(score, 2)
    candidate.support = support
    candidate.contradictions = contradictions
    candidate.reasons = reasons


@dataclass
class Decision:
    entity: Entity
    status: str
    method: str
    target: str | None = None
    score: float | None = None
    reason: str = ""
    candidates: list[Candidate] = field(default_factory=list)


def decide(entity: Entity, candidates: list[Candidate]) -> Decision:
    """Accept the best candidate if the evidence is clear (module docstring, step 4)."""
    # Candidates the entity could be come first; each group by score.
    ranked = sorted(candidates, key=lambda c: (not c.type_ok or c.rejected, -c.score, c.qid))
    if not ranked:
        return Decision(entity, NO_CANDIDATE, "scorer", reason="no item has any of its names")
    eligible = [c for c in ranked if c.type_ok and not c.rejected]
    if not eligible:
        return Decision(
            entity,
            REVIEW,
            "scorer",
            score=ranked[0].score,
            reason=f"no candidate is {a_or_an(entity.kind.name)} that the pin file allows",
            candidates=ranked,
        )
    best = eligible[0]
    runner_up = eligible[1] if len(eligible) > 1 else None
    problem = ""
    if best.contradictions:
        problem = "the KB contradicts the best candidate"
    elif best.score < ACCEPT_SCORE:
        problem = f"best score {best.score:.2f} is below {ACCEPT_SCORE:.2f}"
    elif runner_up is not None and best.score - runner_up.score < ACCEPT_MARGIN:
        problem = f"ambiguous: {best.qid} {best.score:.2f} vs {runner_up.qid} {runner_up.score:.2f}"
    elif entity.kind.needs_context and not best.support:
        problem = f"{a_or_an(entity.kind.name)} needs a statement the KB confirms; none does"
    if problem:
        return Decision(
            entity, REVIEW, "scorer", score=best.score, reason=problem, candidates=ranked
        )
    return Decision(
        entity,
        ACCEPTED,
        "scorer",
        target=best.qid,
        score=best.score,
        reason="; ".join(best.reasons),
        candidates=ranked,
    )


# -- the run ---------------------------------------------------------------------------------


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
            self.kb.backend.replace_graphs({LINKS_GRAPH: self.quads(ordered)})
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
