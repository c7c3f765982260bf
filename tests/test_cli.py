"""The `kb` command line: through click's CliRunner, and as a real process on PATH."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import Dataset, RdfFormat, parse

from kb import __version__
from kb.cli import cli
from tests.conftest import DATA, HEADLINE_CSV

MINIMAL = str(DATA / "minimal-article.yaml")


@pytest.fixture
def run(runner: CliRunner, store_path: Path):
    """Invoke `kb --store <tmp store> ARGS...`."""

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(cli, ["--store", str(store_path), *args], input=input)

    return invoke


def test_headline_question(run) -> None:
    result = run("ask", "partners-expanding", "--org", "NVIDIA", "--region", "Middle East")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:2] == ["partnerName", "expandingOrganization"]
    assert [line.split("  ")[0] for line in lines[2:4]] == ["Naver", "Naver Cloud"]
    assert "Siam" not in result.output
    assert lines[-1] == "(2 rows)"


def test_ask_in_korean_with_korean_names(run) -> None:
    result = run("ask", "people", "--org", "네이버", "--lang", "ko", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert {r["personName"] for r in rows} == {"이해진", "최수연", "김유원"}


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_query_result_formats(run, fmt: str) -> None:
    result = run(
        "query",
        "--format",
        fmt,
        "SELECT ?n WHERE { ekr:naver rdfs:label ?n FILTER(lang(?n) = 'ko') }",
    )
    assert result.exit_code == 0, result.output
    if fmt == "json":
        data = json.loads(result.output)
        assert data["results"]["bindings"][0]["n"] == {
            "type": "literal",
            "value": "네이버",
            "xml:lang": "ko",
        }
    else:
        assert "네이버" in result.output


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "jsonld", "trig"])
def test_construct_formats_parse_back(run, fmt: str) -> None:
    result = run(
        "query", "--format", fmt, "CONSTRUCT { ekr:naver ?p ?o } WHERE { ekr:naver ?p ?o }"
    )
    assert result.exit_code == 0, result.output
    rdf_format = {
        "turtle": RdfFormat.TURTLE,
        "ntriples": RdfFormat.N_TRIPLES,
        "jsonld": RdfFormat.JSON_LD,
        "trig": RdfFormat.TRIG,
    }[fmt]
    triples = list(parse(result.output.encode(), format=rdf_format))
    assert len(triples) >= 5


def test_ask_and_describe(run) -> None:
    assert run("query", "ASK { ekr:naver-cloud ek:subOrganizationOf ekr:naver }").output == "yes\n"
    described = run("query", "DESCRIBE ekr:nvidia-korea")
    assert "NVIDIA Korea" in described.output


def test_query_from_stdin_and_file(run, tmp_path: Path) -> None:
    sparql = "SELECT (COUNT(*) AS ?n) WHERE { ?m a ek:Meeting }"
    assert run("query", "-", input=sparql).output.splitlines()[2] == "2"
    path = tmp_path / "q.rq"
    path.write_text(sparql, encoding="utf-8")
    assert run("query", "-f", str(path)).output.splitlines()[2] == "2"


def test_wrong_format_for_the_query_kind(run) -> None:
    result = run("query", "--format", "turtle", "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert result.exit_code == 1
    assert result.output == (
        "Error: --format turtle is for CONSTRUCT/DESCRIBE; a SELECT result "
        "takes table, csv, tsv, json, xml\n"
    )


def test_sparql_syntax_error_names_the_position(run) -> None:
    result = run("query", "SELECT * WHERE { ?s ?p }")
    assert result.exit_code == 1
    assert result.output.startswith("Error: SPARQL syntax error at 1:")


def test_load_validate_stats_export(run, tmp_path: Path) -> None:
    assert run("validate", MINIMAL).output.startswith(f"{MINIMAL}: ok (")
    loaded = run("load", MINIMAL)
    assert loaded.exit_code == 0, loaded.output
    stats = json.loads(run("stats", "--json").output)
    assert [a["article"] for a in stats["articles"]] == [
        "eka:bizwatch-2025-05-23-naver-nvidia",
        "eka:example-2025-06-02-acme-signs-mou",
    ]
    assert stats["classes"]["ek:Agreement"] == 2
    exported = tmp_path / "kb.trig"
    assert run("export", "-o", str(exported)).exit_code == 0
    everything = Dataset(parse(path=exported))
    assert len(everything) > 3000


def test_an_export_is_not_load_input(runner: CliRunner, tmp_path: Path) -> None:
    """An export holds what the KB writes itself (entity-statement records, lookup keys):
    loading it back is refused with one line, never taken as hand-written input."""
    first, second = tmp_path / "a", tmp_path / "b"
    dump = tmp_path / "kb.nq"
    runner.invoke(cli, ["--store", str(first), "load", MINIMAL])
    runner.invoke(cli, ["--store", str(first), "export", "--format", "nquads", "-o", str(dump)])
    articles = tmp_path / "articles.nq"
    articles.write_text(
        "".join(
            line + "\n"
            for line in dump.read_text(encoding="utf-8").splitlines()
            if "/event-kb/article/" in line.rsplit(" ", 2)[-2]
        ),
        encoding="utf-8",
    )
    loaded = runner.invoke(cli, ["--store", str(second), "load", str(articles)])
    assert loaded.exit_code == 1
    assert re.fullmatch(
        rf"Error: {re.escape(str(articles))}:[0-9]+: ek:(entityStatement|lookupKey) is written "
        r"by the KB itself, never by input \(leave it out: the loader adds what it needs\)\n",
        loaded.stderr,
    )


def test_bad_file_gives_one_line_and_changes_nothing(run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        Path(MINIMAL).read_text(encoding="utf-8").replace("2025-06-01", "2025-13-40"),
        encoding="utf-8",
    )
    before = run("export", "--format", "nquads").output
    result = run("load", MINIMAL, str(bad))
    assert result.exit_code == 1
    assert result.output == f"Error: {bad}:40: facts[1].date: no such date: 2025-13-40 (month 13)\n"
    assert run("export", "--format", "nquads").output == before


def test_validate_writes_nothing_not_even_a_new_store(runner: CliRunner, tmp_path: Path) -> None:
    store = tmp_path / "never-made"
    result = runner.invoke(cli, ["--store", str(store), "validate", MINIMAL])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{MINIMAL}: ok (76 quads)\n"
    assert not store.exists()
    # and on a store that exists, not a byte of it changes
    assert runner.invoke(cli, ["--store", str(store), "load", MINIMAL]).exit_code == 0
    files = {p: p.read_bytes() for p in store.rglob("*") if p.is_file()}
    assert runner.invoke(cli, ["--store", str(store), "validate", MINIMAL]).exit_code == 0
    assert {p: p.read_bytes() for p in store.rglob("*") if p.is_file()} == files


def test_a_load_into_memory_says_nothing_is_kept(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--store", ":memory:", "load", MINIMAL])
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-1] == (
        "note: the store is in memory (--store :memory:): nothing is kept after this command; "
        "give --store PATH to keep it"
    )


def test_load_reads_a_fact_file_from_standard_input(run) -> None:
    text = Path(MINIMAL).read_text(encoding="utf-8")
    loaded = run("load", "-", input=text)
    assert loaded.exit_code == 0, loaded.output
    assert loaded.stderr.startswith("<stdin>: 76 quads into <")
    bad = run("load", "-", input=text.replace("2025-06-01", "2025-13-40", 1))
    assert bad.exit_code == 1
    assert bad.stderr == "Error: <stdin>:40: facts[1].date: no such date: 2025-13-40 (month 13)\n"


def test_drop_removes_an_article(run) -> None:
    assert run("load", MINIMAL).exit_code == 0
    dropped = run("drop", "example-2025-06-02-acme-signs-mou")
    assert dropped.exit_code == 0
    assert dropped.stderr == (
        "dropped <https://w3id.org/event-kb/article/example-2025-06-02-acme-signs-mou>\n"
    )
    assert run("query", "ASK { ekr:acme ?p ?o }", "--format", "csv").output.strip() == "false"
    missing = run("drop", "eka:example-2025-06-02-acme-signs-mou")
    assert missing.exit_code == 1
    assert missing.stderr == ("Error: no article eka:example-2025-06-02-acme-signs-mou in the KB\n")


def test_queries_lists_every_canned_query(run) -> None:
    from kb.sparql.catalogue import canned_queries

    output = run("queries", "--verbose").output
    for canned in canned_queries().values():
        assert f"\n{canned.name} " in "\n" + output or f"\n{canned.name}\n" in "\n" + output
        assert canned.title in output
    assert "--org ORGANIZATION" in output


def test_ask_options_with_equals(run) -> None:
    result = run("ask", "people", "--org=네이버", "--format=csv", "--lang=ko")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("personName,role,unit")
    assert "이해진" in result.output


def test_ask_help_and_usage_errors(run) -> None:
    assert run("ask", "--help").exit_code == 0
    result = run("ask", "people", "--org")
    assert result.exit_code == 2
    assert "--org needs a value" in result.output


def test_version(runner: CliRunner) -> None:
    assert runner.invoke(cli, ["--version"]).output == f"kb, version {__version__}\n"


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for name in cli.list_commands(None):  # type: ignore[arg-type]
        assert f"kb {name}" in readme, name


# -- as a real process ---------------------------------------------------------------------

KB_EXE = shutil.which("kb") or str(Path(sys.executable).with_name("kb"))


def kb_process(*args: str, env: dict[str, str], stdin: str | None = None):
    return subprocess.run(
        [KB_EXE, *args], capture_output=True, text=True, env=env, input=stdin, timeout=120
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "KB_STORE": str(tmp_path / "store"), "XDG_DATA_HOME": str(tmp_path)}


def test_installed_kb_answers_the_headline_question(env: dict[str, str]) -> None:
    done = kb_process(*HEADLINE_CSV, env=env)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert sorted(r["partnerName"] for r in rows) == ["Naver", "Naver Cloud"]


def test_default_store_is_per_user(env: dict[str, str], tmp_path: Path) -> None:
    del env["KB_STORE"]
    assert kb_process("stats", env=env).returncode == 0
    assert (tmp_path / "event-kb" / "store").is_dir()


def test_user_errors_exit_1_without_traceback(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n", encoding="utf-8")
    done = kb_process("load", str(bad), env=env)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"Error: {bad}:1:")


def test_load_is_quiet_when_piped(env: dict[str, str]) -> None:
    done = kb_process("load", MINIMAL, str(DATA / "minimal-article.yaml"), env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "validating" not in done.stderr  # no progress bar without a terminal
