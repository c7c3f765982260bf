"""Copy what Wikidata says about linked items into the graph ``ekg:wikidata``.

For every item the KB links to (``owl:sameAs`` in ``ekg:links``), ``kb enrich`` fetches its
instance of (P31), country (P17), headquarters (P159) and that headquarters' country,
inception (P571), official website (P856), employer (P108) and position held (P39), with the
English and Korean labels of the items they point to, as Wikidata's own truthy triples
(``wd:Q182477 wdt:P159 wd:Q159260``). The graph is replaced as a whole on each run.

Provenance (PROV-O): the graph is a ``prov:Entity`` derived from Wikidata; each item's
retrieval is a ``prov:Activity`` that used the item, was carried out against the endpoint,
and ended when the endpoint answered (the cache keeps that time, so a run from the cache
reports when the data was really fetched, not when it was copied).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pyoxigraph import NamedNode, Quad

from kb.namespaces import EKR, PROV, RDF, RDFS, WIKIDATA_GRAPH, WIKIDATA_SITE
from kb.sparql.catalogue import internal_query
from kb.wikidata.client import NotCached, WikidataClient, qid, with_values, xsd_datetime


@dataclass
class EnrichReport:
    items: list[str] = field(default_factory=list)
    """QIDs whose statements were copied."""
    missing: list[str] = field(default_factory=list)
    """QIDs left out: offline and not in the cache."""
    statements: int = 0
    requests: int = 0
    cache_hits: int = 0


def enrich(
    kb: Any,
    client: WikidataClient,
    *,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> EnrichReport:
    """Replace ``ekg:wikidata`` with the selected statements of every linked item."""
    graph = NamedNode(WIKIDATA_GRAPH)
    report = EnrichReport()
    quads: list[Quad] = []

    def add(s: Any, p: str, o: Any) -> None:
        quads.append(Quad(s, NamedNode(p), o, graph))

    items = [row["item"] for row in kb.query(internal_query("linked-items")).rows()]
    sparql = internal_query("wikidata-enrich")
    statements: set[tuple[Any, Any, Any]] = set()
    labels: set[tuple[Any, Any]] = set()
    activities = []
    for iri in items:
        if progress:
            progress(iri)
        try:
            answer = client.select(with_values(sparql, "item", [NamedNode(iri)]))
        except NotCached:
            report.missing.append(qid(iri))
            continue
        report.items.append(qid(iri))
        for row in answer.rows:
            statements.add((row["subject"], row["property"], row["value"]))
            if row["valueLabel"] is not None:
                labels.add((row["value"], row["valueLabel"]))
        activity = NamedNode(f"{EKR}wikidata-retrieval-{qid(iri)}")
        activities.append(activity)
        add(activity, RDF + "type", NamedNode(PROV + "Activity"))
        add(activity, PROV + "used", NamedNode(iri))
        add(activity, PROV + "wasAssociatedWith", NamedNode(client.endpoint))
        add(activity, PROV + "endedAtTime", xsd_datetime(answer.retrieved))
    for s, p, o in sorted(statements, key=str):
        quads.append(Quad(s, p, o, graph))
    for s, label in sorted(labels, key=str):
        add(s, RDFS + "label", label)
    report.statements = len(statements)
    add(graph, RDF + "type", NamedNode(PROV + "Entity"))
    add(graph, PROV + "wasDerivedFrom", NamedNode(WIKIDATA_SITE))
    add(graph, PROV + "generatedAtTime", xsd_datetime(now or datetime.now(UTC)))
    for activity in activities:
        add(graph, PROV + "wasGeneratedBy", activity)
    kb.write_system_graph(WIKIDATA_GRAPH, quads)
    report.requests = client.requests
    report.cache_hits = client.cache_hits
    return report
