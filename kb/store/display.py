"""Display values: what an answer shows for a resource, chosen once per write for every
language the KB answers in, so that a canned query pays one lookup per cell.

``ekg:derived`` holds, for each such language (``ekg:derived ek:displayLanguage "ko"``):

- ``?x ek:displayName-ko ?name`` for every entity, fact, purpose, article and ontology
  term: the name every answer shows for ``?x`` in Korean;
- ``?article ek:displayPublisher-ko ?publisher``;
- ``?meeting ek:displayUnnamedParticipant-ko ?who`` (one per unnamed participant).

One fallback chain everywhere (docs/design.md, "What an answer shows"):

1. a text in the language asked (as ``langMatches``: ``zh`` takes ``zh-Hant``),
2. in English,
3. in the language of the article that states the resource,
4. any text (the smallest language tag, then the smallest text),
5. for a fact, a description made of its type, parties and date, each part by this same
   chain (``post: Lee Hae-jin, chairman of the board, Naver (2025-03)``),
6. the id (``meeting-2024-06-lee-huang``).

An entity's or fact's text is its ``rdfs:label``; an article's its ``ek:headline``; a
purpose's its ``ek:description``. A chosen label keeps its own language tag (an English
name shown in a Korean answer is ``"Sakura Compute"@en``); a description and an id are plain
strings.

The languages answers come in are English and every language an article uses: for its
quotes (``ek:language``) or for a name, headline or publisher it states. The ontology,
the gazetteer and Wikidata name things in more languages (the gazetteer has a few places
in Thai or Arabic): those names are shown in a language the articles use, and do not make
one of their own, so the derived graph grows by one value per resource per article language.

A write computes the values of what it may have changed, not of everything (``scope``):
the resources its graphs held before and hold now, the entities whose statements it
changed, the unnamed facts that name any of those as a party, and what those facts'
descriptions are made of. A write that changes the languages, or touches more than
``MAX_SCOPE`` resources, a repair or a SPARQL update computes them all. Either way what
reaches the store is only what changed (``kb.store.derived.write_changes``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from kb.namespaces import (
    DERIVED_GRAPH,
    DISPLAY_KINDS,
    DISPLAY_LANGUAGE,
    EK,
    EKR,
    OWL,
    RDF,
    RDFS,
    compact,
    display_predicate,
)
from kb.sparql.catalogue import internal_query, values_query
from kb.store.backend import Backend

ENGLISH = "en"
PARTY_PROPERTIES = tuple(
    EK + p
    for p in (
        "holder",
        "role",
        "organization",
        "person",
        "relative",
        "speaker",
        "speakerOrganization",
        "expandingOrganization",
        "targetPlace",
        "party",
        "participant",
    )
)
"""The parties of a fact, in the order its description lists them (a post: holder, role,
organization); the values of one property in the order of their names."""
DATE_PROPERTIES = (EK + "date", EK + "startDate")
GENERIC_CLASSES = frozenset({EK + "Fact", EK + "Event"})
"""Not a fact's type in its description: every fact is one, and every meeting an event."""
BATCH = 500
"""IRIs in one VALUES row."""
MAX_SCOPE = 5_000
"""A write that may change the display values of more resources computes them all: read
in one pass each, they cost less than this many looked up one batch at a time."""
MAX_REPLACED = 100
"""A write replacing more graphs computes every display value (reading what each graph said
before would cost more)."""
OWL_DATATYPE_PROPERTY = NamedNode(OWL + "DatatypeProperty")
SUB_PROPERTY_OF = NamedNode(RDFS + "subPropertyOf")


class Texts:
    """The texts of one resource for one display kind: its labels, headlines, ..."""

    __slots__ = ("values",)

    def __init__(self) -> None:
        self.values: list[Literal] = []

    def choose(self, lang: str, article_langs: Iterable[str]) -> Literal | None:
        """Steps 1 to 4 of the chain."""
        for wanted in (lang, ENGLISH, *article_langs):
            found = [t for t in self.values if _matches(t.language, wanted)]
            if found:
                return min(found, key=lambda t: (t.language != wanted, t.language, t.value))
        if not self.values:
            return None
        return min(self.values, key=lambda t: (t.language or "", t.value))

    def all_in(self, lang: str, article_langs: Iterable[str]) -> list[Literal]:
        """Every text in the language the chain picks (unnamed participants: all of them)."""
        chosen = self.choose(lang, article_langs)
        if chosen is None:
            return []
        return sorted(
            (t for t in self.values if (t.language or "") == (chosen.language or "")),
            key=lambda t: t.value,
        )

    def needs_article_language(self) -> bool:
        """Whether step 3 can matter: texts in two or more languages, none in English."""
        tags = {(t.language or "").lower() for t in self.values}
        return len(tags) > 1 and not any(_matches(t, ENGLISH) for t in tags)


def _matches(tag: str | None, lang: str) -> bool:
    if not tag:
        return False
    tag, lang = tag.lower(), lang.lower()
    return tag == lang or tag.startswith(lang + "-")


@dataclass
class Display:
    """The display values of one derivation: ``quads`` are every value of the resources
    in ``scope`` (every resource when ``scope`` is None), ``declarations`` the languages and
    their predicates."""

    quads: list[Quad]
    declarations: list[Quad]
    scope: set[str] | None
    predicates: list[NamedNode]


def touched_by(
    backend: Backend,
    graphs: dict[str, list[Quad]],
    entity_changes: Iterable[Quad],
    existing: set[str],
) -> set[str] | None:
    """The IRIs whose display values writing ``graphs`` (with these changes to the entity
    graph) may change: what the graphs it replaces say about now (read before the write),
    what the new graphs say about, and the subjects of the entity statements it changes.
    None (compute them all) when that is more than ``MAX_SCOPE`` or the write replaces
    more than ``MAX_REPLACED`` graphs."""
    replaced = [NamedNode(g) for g in graphs if g in existing]
    if len(replaced) > MAX_REPLACED:
        return None
    found = {
        q.subject.value
        for q in (*(q for qs in graphs.values() for q in qs), *entity_changes)
        if isinstance(q.subject, NamedNode)
    }
    for start in range(0, len(replaced), BATCH):
        sparql = values_query("graph-subjects", "graph", replaced[start : start + BATCH])
        found |= {row["node"].value for row in backend.query(sparql)}
    return found if len(found) <= MAX_SCOPE else None


def languages(backend: Backend) -> set[str]:
    """The languages answers come in: English, those the articles use, and each one's
    prefixes (``zh`` for ``zh-hant``: ``langMatches("zh-Hant", "zh")``)."""
    found = {ENGLISH}
    for row in backend.query(internal_query("display-languages-stated")):
        if row["language"] is not None and row["language"].value:
            found.add(row["language"].value)
    return found | {tag[:i] for tag in found for i, c in enumerate(tag) if c == "-"}


def stored_languages(backend: Backend) -> set[str]:
    """The languages ``ekg:derived`` holds display values for now."""
    return {row["language"].value for row in backend.query(internal_query("display-languages"))}


def display_values(backend: Backend, touched: set[str] | None = None) -> Display:
    """The display values to hold after a write that may have changed those of ``touched``
    (IRIs; None: anything), in every language the KB answers in."""
    langs = languages(backend)
    scope = None
    if touched is not None and len(touched) <= MAX_SCOPE and langs == stored_languages(backend):
        scope = set(touched) | _dependents(backend, touched)
    inputs = Inputs(backend, scope)
    if inputs.scope is not None and len(inputs.scope) > MAX_SCOPE:
        inputs = Inputs(backend, None)
    derived = NamedNode(DERIVED_GRAPH)
    declarations, quads, predicates = [], [], []
    for lang in sorted(langs):
        declarations.append(Quad(derived, NamedNode(DISPLAY_LANGUAGE), Literal(lang), derived))
        for kind in DISPLAY_KINDS:  # each sub-property declared, under the ontology's own
            term = NamedNode(display_predicate(kind, lang))
            predicates.append(term)
            declarations.append(Quad(term, NamedNode(RDF + "type"), OWL_DATATYPE_PROPERTY, derived))
            declarations.append(
                Quad(term, SUB_PROPERTY_OF, NamedNode(f"{EK}display{kind}"), derived)
            )
        quads += inputs.values(lang, derived)
    return Display(quads, declarations, inputs.scope, predicates)


class Inputs:
    """What display values are chosen from, read from the store once per derivation: for
    the resources in ``scope`` and what their descriptions are made of, or for all."""

    def __init__(self, backend: Backend, scope: set[str] | None) -> None:
        self.nodes: dict[str, NamedNode] = {}
        self.names: dict[str, Texts] = defaultdict(Texts)
        self.texts: dict[str, dict[str, Texts]] = {
            EK + p: defaultdict(Texts) for p in ("headline", "publisher", "unnamedParticipant")
        }
        self.facts = _unlabelled(backend, scope)
        if scope is not None:  # a description is made of its parties' and type's names
            scope = scope | {
                iri
                for fact in self.facts.values()
                for iri in fact.classes | set().union(*fact.parties.values())
            }
        self.scope = scope
        for row in _read(backend, "display-labels", scope):
            node, label = row["node"], row["label"]
            if isinstance(node, NamedNode) and isinstance(label, Literal):
                self.nodes[node.value] = node
                self.names[node.value].values.append(label)
        article_lang: dict[str, str] = {}
        for row in _read(backend, "display-texts", scope):
            node, prop, value = row["node"], row["property"].value, row["value"]
            if not (isinstance(node, NamedNode) and isinstance(value, Literal)):
                continue
            self.nodes[node.value] = node
            if prop == EK + "language":
                article_lang[node.value] = value.value.lower()
            else:
                self.texts[prop][node.value].values.append(value)
        needing = {
            iri
            for table in (self.names, *self.texts.values())
            for iri, found in table.items()
            if iri not in article_lang and found.needs_article_language()
        }
        self.sources = _source_languages(backend, sorted(needing))
        self.sources.update((iri, [lang]) for iri, lang in article_lang.items())

    def values(self, lang: str, graph: NamedNode) -> list[Quad]:
        """The display values of language ``lang``."""
        headlines = self.texts[EK + "headline"]
        shown: dict[str, Literal] = {}
        for iri in self.nodes.keys() | self.facts.keys():
            langs = self.sources.get(iri, ())
            chosen = headlines[iri].choose(lang, langs) if iri in headlines else None
            if chosen is None and iri in self.names:
                chosen = self.names[iri].choose(lang, langs)
            if chosen is None and iri in self.facts:
                chosen = self.facts[iri].description.choose(lang, langs)
            if chosen is not None:
                shown[iri] = chosen
        for iri, fact in self.facts.items():  # after the rest: made of their names
            if iri not in shown:
                text = fact.describe(partial(_name, shown))
                if text:
                    shown[iri] = Literal(text)
        quads = []
        name = NamedNode(display_predicate("Name", lang))
        for iri, node in {**self.nodes, **{i: f.node for i, f in self.facts.items()}}.items():
            quads.append(Quad(node, name, shown.get(iri) or Literal(_id(iri)), graph))
        publisher = NamedNode(display_predicate("Publisher", lang))
        for iri, found in self.texts[EK + "publisher"].items():
            value = found.choose(lang, self.sources.get(iri, ()))
            if value is not None:
                quads.append(Quad(self.nodes[iri], publisher, value, graph))
        unnamed = NamedNode(display_predicate("UnnamedParticipant", lang))
        for iri, found in self.texts[EK + "unnamedParticipant"].items():
            for value in found.all_in(lang, self.sources.get(iri, ())):
                quads.append(Quad(self.nodes[iri], unnamed, value, graph))
        return quads


def _name(shown: dict[str, Literal], iri: str) -> str:
    chosen = shown.get(iri)
    return chosen.value if chosen is not None else _id(iri)


def _id(iri: str) -> str:
    """The last step of the chain: ``naver`` for ``ekr:naver``, else the compact IRI."""
    if iri.startswith(EKR):
        return iri[len(EKR) :]
    return compact(iri)


class Fact:
    """An unlabelled resource with a class: what its display name can be made of."""

    __slots__ = ("classes", "date", "description", "node", "parties")

    def __init__(self, node: NamedNode) -> None:
        self.node = node
        self.classes: set[str] = set()
        self.parties: dict[str, set[str]] = defaultdict(set)
        self.date: dict[str, str] = {}
        self.description = Texts()

    def describe(self, name: Callable[[str], str]) -> str:
        """``type: party, party (date)`` in the language ``name`` gives names in; empty for
        a resource that is not a fact, or a fact with neither parties nor a date."""
        if EK + "Fact" not in self.classes:
            return ""
        kinds = sorted(self.classes - GENERIC_CLASSES) or [EK + "Fact"]
        parties = [
            shown
            for prop in PARTY_PROPERTIES
            for shown in sorted(name(iri) for iri in self.parties.get(prop, ()))
        ]
        date = next((self.date[p] for p in DATE_PROPERTIES if p in self.date), "")
        if not parties and not date:
            return ""
        text = name(kinds[0])
        if parties:
            text += ": " + ", ".join(parties)
        return f"{text} ({date})" if date else text


def _unlabelled(backend: Backend, scope: set[str] | None) -> dict[str, Fact]:
    """The resources with a class and no label (in ``scope``, or all), with their classes,
    parties, dates and (purposes) descriptions."""
    found: dict[str, Fact] = {}
    for row in _read(backend, "display-unlabelled", scope):
        node, prop, value = row["node"], row["property"].value, row["value"]
        if not isinstance(node, NamedNode):
            continue
        fact = found.get(node.value) or found.setdefault(node.value, Fact(node))
        if prop == RDF + "type":
            fact.classes.add(value.value)
        elif prop in DATE_PROPERTIES:
            fact.date[prop] = value.value
        elif prop == EK + "description":
            if isinstance(value, Literal):
                fact.description.values.append(value)
        elif isinstance(value, NamedNode):
            fact.parties[prop].add(value.value)
    return found


def _dependents(backend: Backend, touched: set[str]) -> set[str]:
    """The unlabelled facts that name any of ``touched`` as a party."""
    return {row["fact"].value for row in _read(backend, "display-dependents", touched)}


def _read(backend: Backend, name: str, scope: Iterable[str] | None) -> Iterable[Any]:
    """The rows of internal query ``name`` for the resources in ``scope`` (its ``VALUES
    ?node`` row, in batches), or for every resource."""
    if scope is None:
        yield from backend.query(values_query(name, "node", None))
        return
    iris = sorted(scope)
    for start in range(0, len(iris), BATCH):
        batch = [NamedNode(i) for i in iris[start : start + BATCH]]
        yield from backend.query(values_query(name, "node", batch))


def _source_languages(backend: Backend, iris: list[str]) -> dict[str, list[str]]:
    """The languages of the articles stating each resource, in order of language tag."""
    found: dict[str, set[str]] = defaultdict(set)
    for start in range(0, len(iris), BATCH):
        batch = [NamedNode(i) for i in iris[start : start + BATCH]]
        for row in backend.query(values_query("display-sources", "node", batch)):
            found[row["node"].value].add(row["language"].value.lower())
    return {iri: sorted(langs) for iri, langs in found.items()}
