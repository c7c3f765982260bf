"""Loading: all or nothing, reloading replaces an article, RDF formats, the on-disk store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyoxigraph import Dataset, NamedNode, Quad, RdfFormat, serialize

from kb import KB, InputError
from kb.namespaces import EK, EKA, EKR, RDF, RDFS
from loaders.plan import parse_file
from tests.conftest import DATA, export_nquads

MINIMAL = DATA / "minimal-article.yaml"
ARTICLE = EKA + "example-2025-06-02-acme-signs-mou"


def count(kb: KB, sparql: str) -> int:
    (row,) = kb.query(sparql).rows()
    return int(next(iter(row.values())))


def test_loaded_article_answers_canned_queries(kb: KB) -> None:
    kb.load([MINIMAL])
    rows = kb.ask("partners-expanding", {"org": "Globex", "region": "Middle East"}).rows()
    assert [(r["partnerName"], r["into"]) for r in rows] == [("Acme AI", "Saudi Arabia")]


def test_reloading_an_article_replaces_its_graph(kb: KB, tmp_path: Path) -> None:
    kb.load([MINIMAL])
    changed = tmp_path / "a.yaml"
    changed.write_text(
        MINIMAL.read_text(encoding="utf-8").replace(
            "    status: planned\n", "    status: underway\n"
        ),
        encoding="utf-8",
    )
    kb.load([changed])
    statuses = kb.query("SELECT ?s WHERE { ekr:expansion-acme-middle-east ek:status ?s }").rows()
    assert statuses == [{"s": EK + "Underway"}]


def test_a_bad_file_among_good_ones_loads_nothing(kb: KB, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: event-kb/1\narticle: {}\n", encoding="utf-8")
    before = export_nquads(kb)
    with pytest.raises(InputError):
        kb.load([MINIMAL, bad])
    assert export_nquads(kb) == before


def test_derived_graph_follows_loads(kb: KB, tmp_path: Path) -> None:
    ask = "ASK { ekr:acme ek:partnerOf ekr:globex }"
    kb.load([MINIMAL])
    assert bool(kb.query(ask).raw)
    # reload the article without the agreement and the expansion: the partnership is gone
    text = MINIMAL.read_text(encoding="utf-8")
    trimmed = tmp_path / "a.yaml"
    trimmed.write_text(text[: text.index("  - id: mou-acme-globex-2025")], encoding="utf-8")
    kb.load([trimmed])
    assert not bool(kb.query(ask).raw)


def test_on_disk_store_keeps_facts_across_opens(store_path: Path) -> None:
    with KB(store_path) as kb:
        kb.load([MINIMAL])
    with KB(store_path) as kb:
        assert (
            count(kb, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ARTICLE}> {{ ?s ?p ?o }} }}") > 0
        )


def test_empty_store_is_seeded_on_open(store_path: Path) -> None:
    with KB(store_path) as kb:
        rows = kb.ask("partners-expanding", {"org": "NVIDIA", "region": "Middle East"}).rows()
    assert {r["partnerName"] for r in rows} == {"Naver", "Naver Cloud"}


def test_seed_false_leaves_a_store_empty(store_path: Path) -> None:
    with KB(store_path, seed=False) as kb:
        assert kb.backend.named_graphs() == []


# -- RDF files ---------------------------------------------------------------------------


def article_quads() -> list[Quad]:
    """The minimal article as an RDF author writes it: every statement in the article's
    graph (no entity-statement records, no lookup keys: the KB makes those)."""
    _, graphs = parse_file(MINIMAL)
    return [q for q in graphs[ARTICLE] if q.predicate.value != EK + "lookupKey"]


@pytest.mark.parametrize(
    ("fmt", "extension"),
    [
        (RdfFormat.TRIG, "trig"),
        (RdfFormat.N_QUADS, "nq"),
        (RdfFormat.TURTLE, "ttl"),
        (RdfFormat.N_TRIPLES, "nt"),
        (RdfFormat.JSON_LD, "jsonld"),
        (RdfFormat.N3, "n3"),
        (RdfFormat.RDF_XML, "rdf"),
        (RdfFormat.RDF_XML, "owl"),
    ],
    ids=lambda v: v if isinstance(v, str) else v.name,
)
def test_rdf_formats_load_into_the_article_graph(
    kb: KB, tmp_path: Path, fmt: RdfFormat, extension: str
) -> None:
    quads = article_quads()
    path = tmp_path / f"article.{extension}"
    if fmt.supports_datasets:
        serialize(quads, path, fmt)
    else:  # triples: the graph is the one ek:Article the file describes
        serialize([q.triple for q in quads], path, fmt)
    kb.load([path])
    expected = Dataset(quads)
    graph = NamedNode(ARTICLE)
    loaded = Dataset(
        q
        for q in kb.backend.store.quads_for_pattern(None, None, None, graph)
        if q.predicate.value != EK + "lookupKey"
    )
    # the same quads, not only as many: a term mangled in one format shows here
    assert sorted(map(str, loaded)) == sorted(map(str, expected))
    # the entities' names and types reach ekg:entities, where the queries read them
    assert kb.ask("entity", {"name": "globex"}).rows()
    # names typed by users find entities from RDF files too
    assert count(kb, "SELECT (COUNT(*) AS ?n) WHERE { ?e ek:lookupKey 'globex' }") == 1


def test_triples_without_an_article_need_a_graph(kb: KB, tmp_path: Path) -> None:
    path = tmp_path / "extra.ttl"
    path.write_text(f'<{EKR}acme> <{RDFS}label> "ACME"@en .\n', encoding="utf-8")
    with pytest.raises(InputError, match="triples outside a named graph: give --graph IRI"):
        kb.load([path])
    kb.load([path], graph="https://example.org/graph/extra")
    assert count(kb, "SELECT (COUNT(*) AS ?n) WHERE { ?e ek:lookupKey 'acme' }") == 1


def test_turtle_syntax_error_names_line_and_column(kb: KB, tmp_path: Path) -> None:
    path = tmp_path / "bad.ttl"
    lines = [f'<{EKR}e{i}> <{RDFS}label> "e{i}"@en .' for i in range(4999)]
    lines.append(f'<{EKR}e5000> <{RDFS}label> "unterminated .')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = export_nquads(kb)
    with pytest.raises(InputError) as caught:
        kb.load([path], graph="https://example.org/g")
    assert str(caught.value) == f"{path}:5000:83: Turtle syntax error: Unexpected end of file"
    assert export_nquads(kb) == before


def test_misspelt_ontology_term_is_refused(kb: KB, tmp_path: Path) -> None:
    path = tmp_path / "typo.trig"
    path.write_text(
        f"<{ARTICLE}> {{ <{EKR}m> <{EK}partcipant> <{EKR}acme> . }}\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match=r"ek:partcipant is not in the ontology"):
        kb.load([path])


def test_system_graphs_cannot_be_loaded_into(kb: KB, tmp_path: Path) -> None:
    path = tmp_path / "evil.nq"
    path.write_text(
        f"<{EKR}x> <{RDF}type> <{EK}Person> <https://w3id.org/event-kb/graph/ontology> .\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="is a system graph"):
        kb.load([path])


def test_jsonld_remote_context_is_not_fetched(kb: KB, tmp_path: Path) -> None:
    path = tmp_path / "remote.jsonld"
    path.write_text(
        json.dumps(
            {
                "@context": "http://127.0.0.1:9/context.jsonld",
                "@id": "https://example.org/x",
                "name": "x",
            }
        ),
        encoding="utf-8",
    )
    before = export_nquads(kb)
    with pytest.raises(InputError) as caught:
        kb.load([path], graph="https://example.org/g")
    assert str(caught.value) == (
        f"{path}: JSON-LD syntax error: remote @context documents are never fetched; "
        "put the context inline"
    )
    assert export_nquads(kb) == before


def test_unknown_suffix(kb: KB, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello", encoding="utf-8")
    with pytest.raises(InputError, match=r"unknown file type '.txt'"):
        kb.load([path])


# -- each piece of work done once --------------------------------------------------------


def test_a_load_lists_no_graphs_and_spools_nothing_to_disk(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A small batch stays in memory, and the store is asked about the batch's own graphs,
    not for every graph it holds (38,000 at 10M quads)."""
    from kb import batch
    from kb.store.embedded import EmbeddedBackend

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("not on a load's path")

    with KB(store_path) as kb:
        monkeypatch.setattr(EmbeddedBackend, "named_graphs", refused)
        monkeypatch.setattr(batch.tempfile, "TemporaryFile", refused)
        kb.load([MINIMAL])
        assert count(kb, "SELECT (COUNT(*) AS ?n) WHERE { ?e ek:lookupKey 'globex' }") == 1


def test_a_load_reads_each_files_records_once(kb: KB, monkeypatch: pytest.MonkeyPatch) -> None:
    """The planner collects the entity records; writing does not collect them again."""
    from kb.sparql.catalogue import derive_queries
    from kb.store import entity_graph

    kb.load([MINIMAL])  # derive queries read by now, once
    monkeypatch.setattr(entity_graph, "records_in", lambda quads: pytest.fail("read again"))
    before = derive_queries.cache_info()
    kb.load([MINIMAL])
    after = derive_queries.cache_info()
    assert (after.misses, after.hits) == (before.misses, before.hits + 1)


@pytest.mark.parametrize("ahead", [False, True], ids=["one-transaction", "written-ahead"])
def test_an_article_with_blank_nodes_reloads_without_copies(
    store_path: Path, tmp_path: Path, ahead: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blank nodes have no name across loads: a reload replaces them, never adds copies,
    in one transaction or written ahead and applied in steps."""
    import kb.store.embedded as embedded

    if ahead:
        monkeypatch.setattr(embedded, "TRANSACTION_MAX_CHANGES", 0)
    kb = KB(store_path)
    path = tmp_path / "blank.ttl"
    text = (
        "@prefix ek: <https://w3id.org/event-kb/ontology#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "<https://w3id.org/event-kb/article/example-2025-06-11-blank> a ek:Article ;\n"
        '  ek:headline "Blank"@en ; ek:publisher "X"@en ; ek:language "en" ;\n'
        '  ek:datePublished "2025-06-11"^^xsd:date ;\n'
        '  <https://example.org/review> [ <https://example.org/score> "VALUE" ] .\n'
    )
    ask = "SELECT ?v WHERE { ?a <https://example.org/review>/<https://example.org/score> ?v }"
    for value in ("1", "1", "2"):
        path.write_text(text.replace("VALUE", value), encoding="utf-8")
        kb.load([path])
        assert kb.query(ask).rows() == [{"v": value}]


def test_a_good_load_looks_for_no_line(
    kb: KB, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An RDF file is read again to find a term's line only for a message: a good batch of
    one RDF article with many entities, beside a fact file, never does."""
    from loaders import source

    rdf = tmp_path / "article.nt"
    serialize([q.triple for q in article_quads()], rdf, RdfFormat.N_TRIPLES)
    again: list[str] = []
    real = source.read_input
    monkeypatch.setattr(source, "read_input", lambda path: again.append(str(path)) or real(path))
    kb.load([rdf, Path(__file__).parent / "articles" / "001-naver-cloud-al-noor-mou.yaml"])
    assert again == []
