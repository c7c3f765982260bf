"""SHACL validation of the KB against ontology/shapes.ttl, with pySHACL.

Each article graph (and the gazetteer) is checked on its own: what it types (its facts, the
entities it defines) are the focus nodes, and the data graph is the graph, plus what it
says of its entities (its ``ek:entityStatement`` records, see ``kb.store.entity_graph``),
plus the types the whole KB gives every resource (so ``sh:class`` checks on an entity
defined in another article pass). A fact is valid or not by what its article says; an
entity an article only mentions (the holder of a post) is checked with the articles that
define it.
pySHACL and rdflib are imported here only, so that queries never pay for them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pyoxigraph import NamedNode, RdfFormat, parse, serialize

from kb import resources
from kb.api import KB
from kb.namespaces import GAZETTEER_GRAPH, ONTOLOGY_FILE, RDF, SH, SHAPES_FILE
from kb.sparql.catalogue import internal_query
from kb.store.entity_graph import records_in, statements


@dataclass(frozen=True)
class Violation:
    graph: str
    focus: str
    path: str
    message: str


def check(kb: KB, articles: list[str] | None = None) -> list[Violation]:
    """Validate the article graphs (all, or those named); return the violations found."""
    import rdflib
    from pyshacl import validate

    shapes = rdflib.Graph().parse(resources.ontology_dir() / SHAPES_FILE, format="turtle")
    ontology = rdflib.Graph().parse(resources.ontology_dir() / ONTOLOGY_FILE, format="turtle")
    types = serialize(kb.query(internal_query("all-types")).raw, format=RdfFormat.N_TRIPLES)
    if articles is None:
        articles = [GAZETTEER_GRAPH]
        articles += [row["article"] for row in kb.query(internal_query("article-graphs")).rows()]
    found: list[Violation] = []
    sh = rdflib.Namespace(SH)
    for article in articles:
        data = rdflib.Graph().parse(data=types, format="nt")
        dump = io.BytesIO()
        kb.export(dump, RdfFormat.N_QUADS, [article])
        quads = list(parse(dump.getvalue(), format=RdfFormat.N_QUADS))
        # what the article says of its entities is in ekg:entities, recorded in the article
        triples = [q.triple for q in quads] + statements(records_in(quads))
        data.parse(data=serialize(triples, format=RdfFormat.N_TRIPLES), format="nt")
        # what the article defines (types: its facts, and its entities in its records);
        # an entity it only mentions (the holder of a post, say) is checked where defined
        focus = sorted(
            {
                t.subject.value
                for t in triples
                if isinstance(t.subject, NamedNode) and t.predicate.value == RDF + "type"
            }
        )
        conforms, report, _ = validate(
            data,
            shacl_graph=shapes,
            ont_graph=ontology,
            inference="none",
            allow_warnings=True,
            focus_nodes=[rdflib.URIRef(f) for f in focus],
        )
        if conforms:
            continue
        for result in report.subjects(rdflib.RDF.type, sh.ValidationResult):
            found.append(
                Violation(
                    graph=article,
                    focus=str(report.value(result, sh.focusNode)),
                    path=str(report.value(result, sh.resultPath) or ""),
                    message=str(report.value(result, sh.resultMessage) or ""),
                )
            )
    return sorted(found, key=lambda v: (v.graph, v.focus, v.path, v.message))
