"""One format table (kb.formats) serves load, query, export and the server alike."""

from __future__ import annotations

import io
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import QueryResultsFormat, RdfFormat, parse, parse_query_results

from kb import KB
from kb.cli import cli
from kb.formats import rdf_format, rdf_format_of_path, results_format
from kb.namespaces import EKA
from tests.test_server import serving

SEED_ARTICLE = EKA + "bizwatch-2025-05-23-naver-nvidia"
CONSTRUCT = "CONSTRUCT { ekr:naver ?p ?o } WHERE { ekr:naver ?p ?o }"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("turtle", RdfFormat.TURTLE),
        ("ttl", RdfFormat.TURTLE),
        ("text/turtle", RdfFormat.TURTLE),
        ("ntriples", RdfFormat.N_TRIPLES),
        ("nt", RdfFormat.N_TRIPLES),
        ("nquads", RdfFormat.N_QUADS),
        ("application/n-quads", RdfFormat.N_QUADS),
        ("n3", RdfFormat.N3),
        ("text/n3", RdfFormat.N3),
        ("rdfxml", RdfFormat.RDF_XML),
        ("rdf", RdfFormat.RDF_XML),
        ("xml", RdfFormat.RDF_XML),
        ("application/rdf+xml", RdfFormat.RDF_XML),
        ("jsonld", RdfFormat.JSON_LD),
        ("json-ld", RdfFormat.JSON_LD),
        ("json", RdfFormat.JSON_LD),
        ("TriG", RdfFormat.TRIG),
    ],
)
def test_rdf_format_names(name: str, expected: RdfFormat) -> None:
    assert rdf_format(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("json", QueryResultsFormat.JSON),
        ("srj", QueryResultsFormat.JSON),
        ("application/sparql-results+json", QueryResultsFormat.JSON),
        ("xml", QueryResultsFormat.XML),
        ("srx", QueryResultsFormat.XML),
        ("csv", QueryResultsFormat.CSV),
        ("text/tab-separated-values", QueryResultsFormat.TSV),
    ],
)
def test_results_format_names(name: str, expected: QueryResultsFormat) -> None:
    assert results_format(name) == expected


def test_files_by_extension() -> None:
    assert rdf_format_of_path("a.owl") == RdfFormat.RDF_XML
    assert rdf_format_of_path("a.N3") == RdfFormat.N3
    assert rdf_format_of_path("notes.txt") is None
    assert rdf_format_of_path("facts.yaml") is None


@pytest.mark.parametrize(
    ("fmt", "rdf"),
    [
        ("rdfxml", RdfFormat.RDF_XML),
        ("n3", RdfFormat.N3),
        ("nquads", RdfFormat.N_QUADS),
        ("jsonld", RdfFormat.JSON_LD),
        ("nt", RdfFormat.N_TRIPLES),
        ("application/trig", RdfFormat.TRIG),
    ],
)
def test_query_writes_a_graph_in_every_rdf_format(
    runner: CliRunner, fmt: str, rdf: RdfFormat
) -> None:
    result = runner.invoke(cli, ["--store", ":memory:", "query", "--format", fmt, CONSTRUCT])
    assert result.exit_code == 0, result.output
    triples = list(parse(result.stdout_bytes, rdf))
    assert len(triples) > 5


@pytest.mark.parametrize("fmt", ["srj", "srx", "tsv", "application/sparql-results+json"])
def test_query_writes_results_in_every_results_format(runner: CliRunner, fmt: str) -> None:
    result = runner.invoke(
        cli,
        ["--store", ":memory:", "query", "--format", fmt, "SELECT ?o WHERE { ekr:naver ?p ?o }"],
    )
    assert result.exit_code == 0, result.output
    solutions = parse_query_results(result.stdout_bytes, results_format(fmt))
    assert len(list(solutions)) > 5


def test_unknown_format_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--store", ":memory:", "query", "--format", "yaml", "ASK {}"])
    assert result.exit_code == 2
    assert "unknown format 'yaml'" in result.stderr


@pytest.mark.parametrize(
    ("fmt", "rdf"),
    [("turtle", RdfFormat.TURTLE), ("rdfxml", RdfFormat.RDF_XML), ("n3", RdfFormat.N3)],
)
def test_export_one_graph_in_a_triple_format(
    runner: CliRunner, tmp_path: Path, fmt: str, rdf: RdfFormat
) -> None:
    out = tmp_path / f"article.{rdf.file_extension}"
    result = runner.invoke(
        cli,
        ["--store", ":memory:", "export", "--format", fmt, "--graph", SEED_ARTICLE, "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    exported = list(parse(out.read_bytes(), rdf))
    kb = KB(None)
    dump = io.BytesIO()
    kb.export(dump, RdfFormat.N_QUADS, [SEED_ARTICLE])
    assert len(exported) == len(list(parse(dump.getvalue(), RdfFormat.N_QUADS)))


def test_export_of_many_graphs_in_a_triple_format_is_refused_before_writing(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "all.ttl"
    result = runner.invoke(
        cli, ["--store", ":memory:", "export", "--format", "turtle", "-o", str(out)]
    )
    assert result.exit_code == 1
    assert "Turtle holds one graph: name it with --graph" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("fmt", "rdf"),
    [("rdfxml", RdfFormat.RDF_XML), ("n3", RdfFormat.N3), ("xml", RdfFormat.RDF_XML)],
)
def test_the_server_writes_graphs_by_the_same_names(
    server_url: str, fmt: str, rdf: RdfFormat
) -> None:
    query = urllib.parse.quote(CONSTRUCT)
    with urllib.request.urlopen(f"{server_url}/sparql?query={query}&format={fmt}") as response:
        assert response.headers.get_content_type() == rdf.media_type
        assert len(list(parse(response.read(), rdf))) > 5


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    with serving(workers=1) as (url, _log):
        yield url
