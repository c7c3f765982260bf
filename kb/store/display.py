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
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import partial

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
from kb.sparql.results import is_true
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
SOURCES_BATCH = 500


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


def display_quads(backend: Backend) -> list[Quad]:
    """Every display value in every language the KB answers in, as quads of ``ekg:derived``."""
    names: dict[str, Texts] = defaultdict(Texts)
    texts: dict[str, dict[str, Texts]] = {
        EK + p: defaultdict(Texts) for p in ("headline", "publisher", "unnamedParticipant")
    }
    languages = {ENGLISH}
    nodes: dict[str, NamedNode] = {}
    for row in backend.query(internal_query("display-labels")):
        node, label = row["node"], row["label"]
        if isinstance(node, NamedNode) and isinstance(label, Literal):
            nodes[node.value] = node
            names[node.value].values.append(label)
            if label.language and is_true(row["stated"]):
                languages.add(label.language.lower())
    article_lang: dict[str, str] = {}
    for row in backend.query(internal_query("display-texts")):
        node, prop, value = row["node"], row["property"].value, row["value"]
        if not (isinstance(node, NamedNode) and isinstance(value, Literal)):
            continue
        nodes[node.value] = node
        if prop == EK + "language":
            article_lang[node.value] = value.value.lower()
            languages.add(value.value.lower())
        else:
            texts[prop][node.value].values.append(value)
            if value.language:
                languages.add(value.language.lower())
    facts = _unlabelled(backend, names)
    languages |= {
        tag[:i] for tag in list(languages) for i, c in enumerate(tag) if c == "-"
    }  # zh for zh-hant: langMatches("zh-Hant", "zh")
    headlines = texts[EK + "headline"]
    needing = {
        iri
        for table in (names, *texts.values())
        for iri, found in table.items()
        if iri not in article_lang and found.needs_article_language()
    }
    sources = _source_languages(backend, sorted(needing))
    for iri, lang in article_lang.items():
        sources[iri] = [lang]

    derived = NamedNode(DERIVED_GRAPH)
    quads = [
        Quad(derived, NamedNode(DISPLAY_LANGUAGE), Literal(lang), derived)
        for lang in sorted(languages)
    ]
    for lang in sorted(languages):  # each sub-property declared, under the ontology's own
        for kind in DISPLAY_KINDS:
            term = NamedNode(display_predicate(kind, lang))
            quads.append(
                Quad(term, NamedNode(RDF + "type"), NamedNode(OWL + "DatatypeProperty"), derived)
            )
            quads.append(
                Quad(
                    term,
                    NamedNode(RDFS + "subPropertyOf"),
                    NamedNode(f"{EK}display{kind}"),
                    derived,
                )
            )
    for lang in sorted(languages):
        shown: dict[str, Literal] = {}
        for iri in nodes.keys() | facts.keys():
            langs = sources.get(iri, ())
            chosen = headlines[iri].choose(lang, langs) if iri in headlines else None
            if chosen is None and iri in names:
                chosen = names[iri].choose(lang, langs)
            if chosen is None and iri in facts:
                chosen = facts[iri].description.choose(lang, langs)
            if chosen is not None:
                shown[iri] = chosen
        for iri, fact in facts.items():  # parties first: a description is made of their names
            if iri not in shown:
                text = fact.describe(partial(_name, shown))
                if text:
                    shown[iri] = Literal(text)
        name = NamedNode(display_predicate("Name", lang))
        for iri, node in {**nodes, **{i: f.node for i, f in facts.items()}}.items():
            quads.append(Quad(node, name, shown.get(iri) or Literal(_id(iri)), derived))
        publisher = NamedNode(display_predicate("Publisher", lang))
        for iri, found in texts[EK + "publisher"].items():
            value = found.choose(lang, sources.get(iri, ()))
            if value is not None:
                quads.append(Quad(nodes[iri], publisher, value, derived))
        unnamed = NamedNode(display_predicate("UnnamedParticipant", lang))
        for iri, found in texts[EK + "unnamedParticipant"].items():
            for value in found.all_in(lang, sources.get(iri, ())):
                quads.append(Quad(nodes[iri], unnamed, value, derived))
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


def _unlabelled(backend: Backend, labelled: dict[str, Texts]) -> dict[str, Fact]:
    """The resources with a class and no label, with their classes, parties, dates and
    (purposes) descriptions."""
    found: dict[str, Fact] = {}
    for row in backend.query(internal_query("display-unlabelled")):
        node, prop, value = row["node"], row["property"].value, row["value"]
        if not isinstance(node, NamedNode) or node.value in labelled:
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


def _source_languages(backend: Backend, iris: list[str]) -> dict[str, list[str]]:
    """The languages of the articles stating each resource, in order of language tag."""
    found: dict[str, set[str]] = defaultdict(set)
    for start in range(0, len(iris), SOURCES_BATCH):
        batch = [NamedNode(i) for i in iris[start : start + SOURCES_BATCH]]
        for row in backend.query(values_query("display-sources", "node", batch)):
            found[row["node"].value].add(row["language"].value.lower())
    return {iri: sorted(langs) for iri, langs in found.items()}
