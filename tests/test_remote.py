"""Every ``kb`` command against a remote SPARQL server: a real ``oxigraph serve`` started
on loopback the way docs/server.md says (``--union-default-graph``), a real Virtuoso set up
as docs/virtuoso.sql says, and ``kb serve`` itself. The answers must be the embedded
store's: the golden files of test_canned.py, and the same export, stats and CLI output.

The tests that take ``remote_url`` or ``fresh_url`` run once per server. Virtuoso is
started once per session (tests/conftest.py) and emptied for each test that writes.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import BlankNode, CanonicalizationAlgorithm, Dataset, Literal, RdfFormat, parse

from kb import KB, QueryError, StoreError
from kb.cli import cli
from kb.namespaces import LINKS_GRAPH
from kb.store.remote import Endpoints
from tests.conftest import DATA, TURTLE_PREFIXES
from tests.servers import free_port, oxigraph_server
from tests.test_canned import CASES, check_golden
from tests.test_corpus import CORPUS_CASES, CORPUS_GOLDEN, load_corpus
from tests.test_server import serving

SERVERS = ["oxigraph", "virtuoso"]


@pytest.fixture(scope="module")
def oxigraph_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A seeded KB in an Oxigraph server, shared by the tests that only read."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph") / "store") as url:
        KB(url).close()  # the first open seeds it, through the Graph Store Protocol
        yield url


@pytest.fixture(params=SERVERS)
def remote_url(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """A seeded KB in each server, for tests that only read."""
    if request.param == "oxigraph":
        return request.getfixturevalue("oxigraph_url")
    return request.getfixturevalue("virtuoso").use(monkeypatch, seeded=True)


@pytest.fixture(params=SERVERS)
def fresh_url(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[str]:
    """An empty store in each server, for tests that write."""
    if request.param == "oxigraph":
        with oxigraph_server(tmp_path / "store") as url:
            yield url
    else:
        yield request.getfixturevalue("virtuoso").use(monkeypatch, seeded=False)


def canonical(kb: KB) -> list[str]:
    """The whole store as canonical N-Quads (blank nodes relabelled), sorted."""
    out = io.BytesIO()
    kb.export(out, RdfFormat.N_QUADS)
    dataset = Dataset(parse(out.getvalue(), RdfFormat.N_QUADS))
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(str(q) for q in dataset)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_golden_answers_from_a_remote_server(remote_url: str, name: str, lang: str) -> None:
    kb = KB(remote_url)
    # Virtuoso orders text by its own collation: rows that tie but for a quote may swap
    ordered = kb.backend.dialect.name != "virtuoso"
    check_golden(kb, name, CASES[name][0], lang, ordered=ordered)  # English names in
    check_golden(kb, name, CASES[name][1], lang, ordered=ordered)  # Korean names in


def test_corpus_golden_answers_from_a_remote_server(fresh_url: str) -> None:
    # the corpus loaded article by article through the server; every canned query's
    # corpus golden, asked with English and with Korean names, answered in both languages
    kb = load_corpus(KB(fresh_url))
    ordered = kb.backend.dialect.name != "virtuoso"
    for name, cases in sorted(CORPUS_CASES.items()):
        for lang in ("en", "ko"):
            for params in cases:
                check_golden(kb, name, params, lang, ordered=ordered, folder=CORPUS_GOLDEN)


def test_seeded_remote_store_equals_the_embedded_one(remote_url: str, seed_kb: KB) -> None:
    # same graphs, same quads, and the same derived graph computed through the protocol
    remote = KB(remote_url)
    assert remote.backend.named_graphs() == seed_kb.backend.named_graphs()
    assert canonical(remote) == canonical(seed_kb)


@pytest.mark.parametrize(
    "args",
    [
        ["ask", "partners-expanding", "--org", "엔비디아", "--region", "중동"],
        # no GROUP_CONCAT: Virtuoso's drop the language tag, Oxigraph's keep it (docs/server.md)
        ["ask", "people", "--org", "Naver", "--format", "json"],
        ["ask", "timeline", "--entity", "이해진", "--lang", "ko"],
        ["query", "CONSTRUCT WHERE { ekr:naver ek:partnerOf ?p }", "--format", "ntriples"],
        ["query", "ASK { ekr:naver-cloud ek:partnerOf ekr:siam-ai-cloud }"],
        ["query", "ASK { ekr:nvidia ek:partnerOf ekr:siam-ai-cloud }"],
        [
            "query",
            # the KB's classes: Virtuoso's default graph also holds its own (docs/server.md)
            "SELECT ?c (COUNT(*) AS ?n) WHERE { ?s a ?c FILTER(STRSTARTS(STR(?c), STR(ek:))) }"
            " GROUP BY ?c ORDER BY ?c",
            "--format",
            "tsv",
        ],
        ["stats"],
        ["validate", str(DATA / "minimal-article.yaml")],
        ["check"],
        ["ask", "people", "--org", "Samsung"],
        ["query", "SELEC *"],
    ],
    ids=[
        "ask-ko",
        "ask-json",
        "ask-lang",
        "construct",
        "ask-true",
        "ask-false",
        "select-tsv",
        "stats",
        "validate",
        "check",
        "unknown-entity",
        "bad-query",
    ],
)
def test_cli_gives_the_same_output_remote_and_embedded(
    remote_url: str, tmp_path: Path, args: list[str]
) -> None:
    runner = CliRunner()
    embedded = runner.invoke(cli, ["--store", str(tmp_path / "store"), *args])
    remote = runner.invoke(cli, ["--store", remote_url, *args])
    assert remote.exit_code == embedded.exit_code
    if args[0] == "stats":
        assert remote.output.replace(remote_url, "STORE") == embedded.output.replace(
            str(tmp_path / "store"), "STORE"
        )
    elif args[0] == "query" and args[1].startswith("CONSTRUCT"):  # triples come in any order
        assert sorted(remote.output.splitlines()) == sorted(embedded.output.splitlines())
    elif args[-1] == "SELEC *":  # the message is the server's; the line number is kept
        assert remote.output.startswith("Error: the server refused the request (POST ")
        assert "1:" in remote.output
    else:
        assert list_order_aside(remote.output) == list_order_aside(embedded.output)


def list_order_aside(output: str) -> list[list[str]]:
    """Each line's cells and list items ("a, b"), sorted: the order GROUP_CONCAT joins a
    list in is the engine's (Oxigraph and Virtuoso differ), the lines' order is not."""
    return [sorted(re.split(r", |\s{2,}|,", line)) for line in output.splitlines()]


def test_load_export_stats_through_the_remote_store(fresh_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    article = str(DATA / "minimal-article.yaml")
    loaded = runner.invoke(cli, ["--store", fresh_url, "load", "--verbose", article])
    assert loaded.exit_code == 0, loaded.output
    assert "quads into <https://w3id.org/event-kb/article/" in loaded.output
    assert "loaded 1 file: 1 article, 76 quads in " in loaded.output
    # the new article's expansion is found through the derived graph, computed remotely
    asked = runner.invoke(
        cli,
        [
            "--store",
            fresh_url,
            "ask",
            "partners-expanding",
            "--org",
            "Globex",
            "--region",
            "Middle East",
            "--format",
            "csv",
        ],
    )
    assert "Acme AI" in asked.output
    embedded = KB(tmp_path / "embedded")
    embedded.load([article])
    assert canonical(KB(fresh_url)) == canonical(embedded)
    stats = json.loads(runner.invoke(cli, ["--store", fresh_url, "stats", "--json"]).output)
    assert stats == {**embedded.stats(), "store": fresh_url}
    trig = runner.invoke(
        cli,
        ["--store", fresh_url, "export", "--graph", "https://w3id.org/event-kb/graph/gazetteer"],
    )
    assert trig.exit_code == 0 and "ekg:gazetteer {" in trig.output


def test_a_reload_through_the_remote_store_replaces_the_article(fresh_url: str) -> None:
    # the article graph is replaced (ekg:entities and ekg:derived with it): exactly the
    # embedded store's after the same two loads
    article = DATA / "minimal-article.yaml"
    kb = KB(fresh_url)
    kb.load([article])
    kb.load([article])
    embedded = KB(None)
    embedded.load([article])
    assert canonical(kb) == canonical(embedded)


def test_booleans_and_blank_nodes_come_back_as_stored(fresh_url: str, tmp_path: Path) -> None:
    # Virtuoso answers a stored xsd:boolean as 1 or 0, a blank node as nodeID://b123, and
    # refuses blank nodes in INSERT DATA (docs/server.md)
    data = tmp_path / "odd.trig"
    data.write_text(
        TURTLE_PREFIXES + "@prefix ex: <https://example.org/> .\n"
        'ex:g { ex:x ex:former true ; ex:flag false ; ex:note [ rdfs:label "inner"@en ] . }\n',
        encoding="utf-8",
    )
    kb = KB(fresh_url)
    kb.load([data])
    rows = kb.query(
        "PREFIX ex: <https://example.org/> SELECT ?former ?flag ?note ?label WHERE "
        "{ ex:x ex:former ?former ; ex:flag ?flag ; ex:note ?note . ?note rdfs:label ?label }"
    ).raw
    ((former, flag, note, label),) = [tuple(row) for row in rows]
    assert (former, flag, label) == (Literal(True), Literal(False), Literal("inner", language="en"))
    assert isinstance(note, BlankNode)
    embedded = KB(None)
    embedded.load([data])
    assert canonical(kb) == canonical(embedded)  # the blank node and its triple, as loaded


def test_kb_link_writes_the_links_of_the_embedded_store(fresh_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    cache = ["--cache-dir", str(tmp_path / "cache")]
    embedded = str(tmp_path / "embedded")  # (tmp_path / "store" is the Oxigraph server's)
    outputs = [
        runner.invoke(cli, ["--store", store, "link", "--offline", *cache]).output
        for store in (embedded, fresh_url)
    ]
    assert outputs[0] == outputs[1]
    assert "linked 13 of 255 entities (13 pinned" in outputs[1]

    def links(store: str) -> list[str]:  # but the time each decision was made
        out = io.BytesIO()
        KB(store).export(out, RdfFormat.N_QUADS, [LINKS_GRAPH])
        quads = parse(out.getvalue(), RdfFormat.N_QUADS)
        return sorted(str(q) for q in quads if not q.predicate.value.endswith("generatedAtTime"))

    assert links(fresh_url) == links(embedded)


def test_an_invalid_file_leaves_the_remote_store_unchanged(fresh_url: str, tmp_path: Path) -> None:
    kb = KB(fresh_url)
    before = canonical(kb)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (DATA / "minimal-article.yaml").read_text(encoding="utf-8") + "\n  - oops: [\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli, ["--store", fresh_url, "load", str(DATA / "minimal-article.yaml"), str(bad)]
    )
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {bad}:")
    assert canonical(kb) == before


def test_a_server_without_the_union_default_graph_is_named(tmp_path: Path) -> None:
    data = tmp_path / "one.trig"
    data.write_text("<https://e/g> { <https://e/s> <https://e/p> <https://e/o> }\n")
    with (
        oxigraph_server(tmp_path / "store", union_default_graph=False, load=data) as url,
        pytest.raises(StoreError) as caught,
    ):
        KB(url)
    assert "does not read the union of its named graphs as its default graph" in str(caught.value)
    assert "--union-default-graph" in str(caught.value)


def test_an_unreachable_server_is_one_clear_error() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = CliRunner().invoke(cli, ["--store", url, "stats"])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot reach the SPARQL server at {url}/query: ")


def test_endpoint_urls_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_QUERY_URL", "http://h:3030/ds/sparql")
    monkeypatch.setenv("KB_GSP_URL", "http://h:3030/ds/data")
    assert Endpoints.for_url("http://h:3030/ds/") == Endpoints(
        "http://h:3030/ds/sparql", "http://h:3030/ds/update", "http://h:3030/ds/data"
    )


def test_endpoints_named_by_the_environment_are_used(
    oxigraph_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # --store names a URL with nothing behind it; the variables point at the real server
    monkeypatch.setenv("KB_QUERY_URL", oxigraph_url + "/query")
    monkeypatch.setenv("KB_UPDATE_URL", oxigraph_url + "/update")
    monkeypatch.setenv("KB_GSP_URL", oxigraph_url + "/store")
    kb = KB(f"http://127.0.0.1:{free_port()}/ds")
    assert {r["partnerName"] for r in kb.ask("partners", {"org": "Naver"}).rows()} == {
        "NVIDIA",
        "Siam AI Cloud",
    }


def test_kb_serve_is_a_remote_store_too(monkeypatch: pytest.MonkeyPatch) -> None:
    # kb serve speaks Oxigraph's layout (/query, /update, /store): one kb can use another's
    # server, read-only without a token, and load through it with --allow-update and the token
    with serving(allow_update=True, token="t0ken", workers=1) as (url, _):
        remote = KB(url)
        assert {r["partnerName"] for r in remote.ask("partners", {"org": "Naver"}).rows()} == {
            "NVIDIA",
            "Siam AI Cloud",
        }
        with pytest.raises(StoreError) as refused:
            remote.load([DATA / "minimal-article.yaml"])
        assert "HTTP 401" in str(refused.value) and "set KB_TOKEN" in str(refused.value)
        monkeypatch.setenv("KB_TOKEN", "t0ken")
        KB(url).load([DATA / "minimal-article.yaml"])
        answer = KB(url).ask("partners-expanding", {"org": "Globex", "region": "Middle East"})
        assert {r["partnerName"] for r in answer.rows()} == {"Acme AI"}


def test_a_query_error_from_the_server_is_a_query_error(remote_url: str) -> None:
    with pytest.raises(QueryError) as caught:
        KB(remote_url).query("SELECT ?x WHERE { ?x ek:nope }")
    assert "HTTP 400" in str(caught.value)
