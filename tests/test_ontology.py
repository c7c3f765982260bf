"""The ontology and shapes: the seed KB is SHACL-valid, every term the facts use is declared
with English and Korean labels and comments, and generic vocabularies see the data."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kb import KB
from kb.cli import cli
from kb.shacl import check
from tests.conftest import TURTLE_PREFIXES


def test_seed_kb_conforms_to_the_shapes(seed_kb: KB) -> None:
    assert check(seed_kb) == []


def test_kb_check_reports_each_violation(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.trig"
    bad.write_text(
        TURTLE_PREFIXES
        + 'eka:bad { eka:bad a ek:Article ; ek:headline "Bad"@en ; ek:publisher "X"@en ;\n'
        '    ek:datePublished "2025-01-01"^^xsd:date ;\n'
        '    ek:language "en" .\n'
        "  ekr:m a ek:Meeting, ek:Event, ek:Fact ; ek:source eka:bad ;\n"
        '    ek:participant ekr:lee-hae-jin ; ek:quote "they met, in no language" . }\n',
        encoding="utf-8",
    )
    store = str(tmp_path / "store")
    assert runner.invoke(cli, ["--store", store, "load", str(bad)]).exit_code == 0
    result = runner.invoke(cli, ["--store", store, "check"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[-1] == "Error: 2 SHACL violation(s)"
    about_m = [line for line in lines if "<https://w3id.org/event-kb/id/m>" in line]
    assert len(about_m) == 2
    assert any("#participant" in line for line in about_m)
    assert any("#quote" in line for line in about_m)


def used_terms(kb: KB) -> set[str]:
    rows = kb.query(
        "SELECT DISTINCT ?t WHERE { GRAPH ?g { { ?s ?t ?o } UNION { ?s a ?t } UNION "
        "{ ?s ek:kind|ek:status ?t } } FILTER(?g != ekg:ontology && STRSTARTS(STR(?t), STR(ek:))) }"
    ).rows()
    return {r["t"] for r in rows}


def test_every_term_the_facts_use_is_declared(seed_kb: KB) -> None:
    # by the ontology, or (the display predicates of each language, ek:displayName-ko)
    # by the derived graph, as a sub-property of one the ontology declares
    declared = {
        r["t"]
        for r in seed_kb.query(
            "SELECT ?t WHERE { { GRAPH ekg:ontology { ?t a ?kind } } UNION {"
            "  GRAPH ekg:derived { ?t a owl:DatatypeProperty ; rdfs:subPropertyOf ?super }"
            "  GRAPH ekg:ontology { ?super a owl:DatatypeProperty } }"
            "  FILTER(STRSTARTS(STR(?t), STR(ek:))) }"
        ).rows()
    }
    used = used_terms(seed_kb)
    assert len(used) > 40
    assert used - declared == set()


@pytest.mark.parametrize("what", ["rdfs:label", "rdfs:comment"])
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_ontology_term_has_label_and_comment(seed_kb: KB, what: str, lang: str) -> None:
    missing = seed_kb.query(
        "SELECT ?t WHERE { GRAPH ekg:ontology { ?t a ?kind . "
        f"FILTER NOT EXISTS {{ ?t {what} ?l FILTER(lang(?l) = '{lang}') }} }} "
        "FILTER(STRSTARTS(STR(?t), STR(ek:))) }"
    ).rows()
    assert missing == []


@pytest.mark.parametrize(
    ("entity", "generic_class"),
    [
        ("naver", "http://schema.org/Organization"),
        ("naver", "http://www.w3.org/ns/org#Organization"),
        ("jensen-huang", "http://xmlns.com/foaf/0.1/Person"),
        ("meeting-2025-05-22-naver-nvidia", "http://semanticweb.cs.vu.nl/2009/11/sem/Event"),
        ("post-kim-yu-won-naver-cloud-ceo", "http://www.w3.org/ns/org#Membership"),
        ("taiwan", "http://schema.org/Place"),
    ],
)
def test_generic_vocabularies_see_the_data(seed_kb: KB, entity: str, generic_class: str) -> None:
    # what an RDFS-aware tool infers from the ontology's subclass alignments
    assert bool(seed_kb.query(f"ASK {{ ekr:{entity} a/rdfs:subClassOf* <{generic_class}> }}").raw)


def test_subproperties_align_with_standard_vocabularies(seed_kb: KB) -> None:
    rows = seed_kb.query(
        "SELECT ?who WHERE { ekr:meeting-2024-06-lee-huang ?p ?who . "
        "?p rdfs:subPropertyOf* <http://semanticweb.cs.vu.nl/2009/11/sem/hasActor> }"
    ).rows()
    assert {r["who"].removeprefix("https://w3id.org/event-kb/id/") for r in rows} == {
        "lee-hae-jin",
        "jensen-huang",
    }
