"""IRIs the KB is built on: one place, so code, queries and data cannot drift apart.

See docs/design.md for what each namespace and system graph holds.
"""

from __future__ import annotations

EK = "https://w3id.org/event-kb/ontology#"
"""Ontology terms (classes, properties, individuals)."""
EKR = "https://w3id.org/event-kb/id/"
"""Entities and facts, by stable slug: ``EKR + "naver-cloud"``."""
EKA = "https://w3id.org/event-kb/article/"
"""Articles; an article's IRI is also the name of the graph with its facts."""
EKG = "https://w3id.org/event-kb/graph/"
"""System graphs."""

ONTOLOGY_GRAPH = EKG + "ontology"
GAZETTEER_GRAPH = EKG + "gazetteer"
DERIVED_GRAPH = EKG + "derived"
ENTITIES_GRAPH = EKG + "entities"
"""What articles say about the entities they define (types, names, lookup keys, parent,
places), each statement once however many articles say it; see ``kb.store.entity_graph``."""
SEARCH_GRAPH = EKG + "search"
"""The trigram index of every entity's names, aliases and id (``kb.store.search_index``),
kept in step with every write: what ``kb search`` reads."""
LINKS_GRAPH = EKG + "links"
WIKIDATA_GRAPH = EKG + "wikidata"
STAGING_GRAPH_PREFIX = EKG + "staging/"
"""Graphs a load writes before it swaps them in; any left behind by a crash are dropped."""
LOAD_JOURNAL_GRAPH = EKG + "load-journal"
"""The new graphs a bulk write is filling (``EmbeddedBackend.bulk_write``): hidden from
readers until it ends; removed, with the journal, by the next open if it never did."""
DERIVE_PENDING_GRAPH = EKG + "derive-pending"
"""Written with a load's graphs, removed with the derived graph: if a crash came between,
the next writable open recomputes ``ekg:derived``."""

DISPLAY_KINDS = ("Name", "Publisher", "UnnamedParticipant")
"""What ``ekg:derived`` holds a display value of, per language (``kb.store.display``): the
name of an entity, fact, article (its headline) or ontology term; an article's publisher; a
meeting's unnamed participants."""
DISPLAY_LANGUAGE = EK + "displayLanguage"
"""``ekg:derived ek:displayLanguage "ko"``: a language the answers can be asked in."""


def display_predicate(kind: str, lang: str) -> str:
    """The derived predicate holding the display ``kind`` for language ``lang``: answers
    look up ``?x ek:displayName-ko ?name``, one triple, whatever the fallback was.

    >>> display_predicate("Name", "zh-Hant")
    'https://w3id.org/event-kb/ontology#displayName-zh-hant'
    """
    return f"{EK}display{kind}-{lang.lower()}"


def is_display_predicate(iri: str) -> bool:
    """Whether ``iri`` is one language's display predicate (``ek:displayName-ko``).

    >>> is_display_predicate(EK + "displayName-ko"), is_display_predicate(EK + "displayLanguage")
    (True, False)
    """
    return any(iri.startswith(f"{EK}display{kind}-") for kind in DISPLAY_KINDS)


SYSTEM_GRAPH_FILES = {ONTOLOGY_GRAPH: "event-kb.ttl", GAZETTEER_GRAPH: "gazetteer.ttl"}
"""The system graphs seeded from ``ontology/``, and the file each is read from."""
ONTOLOGY_FILE = SYSTEM_GRAPH_FILES[ONTOLOGY_GRAPH]
SHAPES_FILE = "shapes.ttl"
"""The SHACL shapes ``kb check`` validates against (not loaded into the store)."""

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
SH = "http://www.w3.org/ns/shacl#"
WD = "http://www.wikidata.org/entity/"
"""Wikidata items (``wd:Q182477``)."""
WDT = "http://www.wikidata.org/prop/direct/"
"""Wikidata's truthy statements (``wdt:P159``)."""
WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"
"""The public Wikidata endpoint; also the SERVICE IRI canned federated queries are written with."""
WIKIDATA_SITE = "https://www.wikidata.org/"
SD = "http://www.w3.org/ns/sparql-service-description#"
"""SPARQL 1.1 Service Description (what ``kb serve`` says about itself)."""

PREFIXES: dict[str, str] = {
    "ek": EK,
    "ekr": EKR,
    "eka": EKA,
    "ekg": EKG,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "skos": SKOS,
    "schema": "http://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "prov": PROV,
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "sh": SH,
    "dcterms": "http://purl.org/dc/terms/",
    "wd": WD,
    "wdt": WDT,
}
"""Prefixes predeclared in every query and used when serialising Turtle and TriG."""


def compact(iri: str) -> str:
    """``ekr:naver`` for ``https://w3id.org/event-kb/id/naver``; other IRIs as ``<…>``."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            local = iri[len(namespace) :]
            if local and all(c.isalnum() or c in "-_." for c in local):
                return f"{prefix}:{local}"
    return f"<{iri}>"
