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

from kb import KB, __version__
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


def test_stats_counts_each_article_graph_once(run) -> None:
    # the seed has a headline in two languages; the quads are the graph's size, not times two
    stats = json.loads(run("stats", "--json").output)
    [seed] = stats["articles"]
    out = io.BytesIO()
    from kb import KB

    with KB(None) as kb:
        kb.export(
            out, RdfFormat.N_QUADS, [f"https://w3id.org/event-kb/article/{seed['article'][4:]}"]
        )
    assert seed["quads"] == len(out.getvalue().splitlines())
    assert seed["headline"].startswith("Lee Hae-jin meets Jensen Huang again")
    assert stats["languages"] == ["en", "ko"]
    korean = json.loads(run("stats", "--json", "--lang", "ko").output)["articles"][0]
    assert korean["headline"] == "이해진, 젠슨 황 또 만났다…AI 사업협력 신호탄"
    assert run("stats").output.splitlines()[1] == "languages: en, ko"


def test_entity_shows_the_id_and_takes_it_back(run) -> None:
    shown = run("ask", "entity", "--name", "NVIDIA")
    assert "id        ekr:nvidia" in shown.output.splitlines()
    again = run("ask", "entity", "--name", "ekr:nvidia")  # the id as the table prints it
    assert again.exit_code == 0 and again.output == shown.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["entity", "--name", "Nav"],
            "Error: --name: nothing in the KB is called 'Nav'; did you mean Naver "
            "(ekr:naver), Naver Cloud (ekr:naver-cloud) or Naver Cloud – Siam AI Cloud MOU "  # noqa: RUF001
            "(ekr:mou-naver-cloud-siam-ai-cloud-2025)?",
        ),
        (
            ["people", "--org", "Nav"],  # organizations only
            "Error: --org: nothing in the KB is called 'Nav'; did you mean Naver (ekr:naver) "
            "or Naver Cloud (ekr:naver-cloud)?",
        ),
        (
            ["people", "--org", "naver-clod"],
            "Error: --org: nothing in the KB is called 'naver-clod'; did you mean Naver Cloud "
            "(ekr:naver-cloud) or Naver (ekr:naver)?",
        ),
        (
            ["expansions", "--region", "ekr:uae"],  # an alias (UAE) is a name to suggest
            "Error: --region: nothing in the KB is called 'ekr:uae'; did you mean United "
            "Arab Emirates (ekr:united-arab-emirates)?",
        ),
        (["people", "--org", "Samsung"], "Error: --org: nothing in the KB is called 'Samsung'"),
        (
            ["people", "--org", "ekr:jensen-huang"],
            "Error: --org: ekr:jensen-huang is not an Organization",
        ),
        (
            ["entity", "--name", "NVIDIA", "--lang", "fr"],
            "Error: --lang: the KB has no names in 'fr'; it answers in en, ko",
        ),
    ],
    ids=["prefix", "prefix-of-class", "misspelt", "alias", "nothing-close", "wrong-class", "lang"],
)
def test_unknown_names_get_the_closest_ones(run, args: list[str], message: str) -> None:
    result = run("ask", *args)
    assert result.exit_code == 1
    assert result.output.strip() == message


def test_the_table_fits_the_terminal(run, monkeypatch: pytest.MonkeyPatch) -> None:
    from kb.sparql.table import display_width

    monkeypatch.delenv("COLUMNS", raising=False)  # not a terminal: no width to fit
    wide = run("ask", "partners-expanding").output.splitlines()
    assert max(map(display_width, wide)) > 200  # the quotes, in full but for MAX_CELL
    monkeypatch.setenv("COLUMNS", "100")
    lines = run("ask", "partners-expanding").output.splitlines()
    assert max(map(display_width, lines)) <= 100
    assert "…" in lines[2]
    # the CSV keeps every value whole, whatever the terminal
    full = run("ask", "partners-expanding", "--format", "csv").output
    assert "직접 돕겠다는 강한 파트너십을 보여줬다" in full


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
    loaded = run("load", "-v", "-", input=text)
    assert loaded.exit_code == 0, loaded.output
    assert "\n<stdin>: 76 quads into <" in loaded.stderr
    assert re.fullmatch(
        r"loaded 1 file: 1 article, 76 quads in \d+\.\d\d? s", loaded.stderr.splitlines()[-1]
    )
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
    listing = run("ask", "--help")
    assert listing.exit_code == 0
    assert "partners-expanding Partners expanding into a region" in " ".join(listing.output.split())
    result = run("ask", "people", "--org")
    assert result.exit_code == 2
    assert "Error: Option '--org' requires an argument." in result.output
    unknown = run("ask", "people", "--year", "2025")
    assert unknown.exit_code == 2
    assert "Error: No such option '--year'." in unknown.output
    misspelt = run("ask", "partner")
    assert misspelt.exit_code == 2
    assert "Error: no canned query named 'partner'; did you mean partners?" in misspelt.output
    missing = run("ask", "people")
    assert missing.exit_code == 2
    assert "Error: Missing option '--org'." in missing.output


def test_each_canned_query_has_its_own_help(run) -> None:
    result = run("ask", "meetings", "--help")
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "ask meetings [OPTIONS]" in text
    assert "Meetings. Meetings with their date, place, topics and every participant" in text
    assert "--person PERSON a participant (optional)" in text
    assert "--org ORGANIZATION an organization one of the participants holds a post at" in text
    assert 'Example: kb ask meetings --person "Lee Hae-jin"' in text
    headline = " ".join(run("ask", "partners-expanding", "--help").output.split())
    assert "--org ORGANIZATION the organization whose partners to look at [default: NVIDIA]" in (
        headline
    )


def complete(runner: CliRunner, words: str) -> list[str]:
    """What bash completion offers after ``words`` (the last one being typed)."""
    env = {
        "_KB_COMPLETE": "bash_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
    }
    result = runner.invoke(cli, [], env=env, prog_name="kb")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line]  # nothing offered: "\n"
    assert all(line.startswith("plain,") for line in lines), result.output
    return [line.split(",", 1)[1] for line in lines]


def test_completion_offers_queries_options_and_entity_names(
    runner: CliRunner, store_path: Path
) -> None:
    KB(store_path).close()
    store = f"kb --store {store_path}"
    assert complete(runner, f"{store} ask meet") == ["meetings-between", "meetings"]
    assert complete(runner, f"{store} ask meetings --") == [
        "--person",
        "--org",
        "--format",
        "--lang",
        "--limit",
        "--offset",
        "--help",
    ]
    people = complete(runner, f"{store} ask meetings --person 이")
    assert people == ["이 의장", "이해진"]  # Lee Hae-jin's name and alias; no place, no org
    orgs = complete(runner, f"{store} ask people --org naver")
    assert {"Naver", "Naver Cloud", "Naver Corporation"} <= set(orgs)
    assert "Naver" not in complete(runner, f"{store} ask meetings --person naver")


def test_completion_never_seeds_or_fails_on_a_missing_store(
    runner: CliRunner, tmp_path: Path
) -> None:
    store = tmp_path / "never-loaded"
    assert complete(runner, f"kb --store {store} ask meetings --person 이") == []
    assert not (store / "CURRENT").exists()


def test_query_writes_its_answer_to_a_file(run, tmp_path: Path) -> None:
    out = tmp_path / "naver.rdf"
    sparql = "CONSTRUCT { ekr:naver ?p ?o } WHERE { ekr:naver ?p ?o }"
    result = run("query", "--format", "rdfxml", "-o", str(out), sparql)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert len(list(parse(out.read_bytes(), RdfFormat.RDF_XML))) > 5
    refused = tmp_path / "refused.csv"
    assert run("query", "--format", "csv", "-o", str(refused), sparql).exit_code == 1
    assert not refused.exists()


def test_update_goes_through_the_kb_and_keeps_derived_data_in_step(run) -> None:
    article = "https://w3id.org/event-kb/article/hand-written"
    insert = (
        f"INSERT DATA {{ GRAPH <{article}> {{ ekr:upstage-x a ek:Organization ; "
        'rdfs:label "Upstage X"@en . '
        "ekr:mou-x a ek:Agreement ; ek:party ekr:upstage-x, ekr:nvidia . } }"
    )
    result = run("update", insert)
    assert result.exit_code == 0, result.output
    assert run("query", "ASK { ekr:nvidia ek:partnerOf ekr:upstage-x }").output == "yes\n"
    assert run("update", "-", input=f"DROP GRAPH <{article}>").exit_code == 0
    assert run("query", "ASK { ekr:nvidia ek:partnerOf ekr:upstage-x }").output == "no\n"
    bad = run("update", "INSERT DATA { oops }")
    assert bad.exit_code == 1
    assert bad.output.startswith("Error: SPARQL syntax error")


def test_a_query_file_that_is_not_utf8_is_one_line(run, tmp_path: Path) -> None:
    path = tmp_path / "latin1.rq"
    path.write_bytes("SELECT * WHERE { ?s ?p 'caf\u00e9' }\n".encode("latin-1"))
    result = run("query", "-f", str(path))
    assert result.exit_code == 1
    assert result.output == f"Error: {path}:1: not UTF-8: byte 0xe9 cannot be decoded\n"


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


def test_load_verbose_says_each_phase_as_it_begins(env: dict[str, str]) -> None:
    done = kb_process("load", "-v", MINIMAL, env=env)
    assert done.returncode == 0, done.stderr
    assert re.sub(r"\d+\.\d\d? s$", "SECONDS", done.stderr.rstrip("\n")).splitlines() == [
        "plan: 1 file",
        "write: 76 quads into 1 graph in one transaction",
        "derive: partnerships and closures into ekg:derived",
        f"{MINIMAL}: 76 quads into <https://w3id.org/event-kb/article/example-2025-06-02-acme-signs-mou>",
        "loaded 1 file: 1 article, 76 quads in SECONDS",
    ]


def test_real_process_per_query_help_update_and_completion_script(
    env: dict[str, str], tmp_path: Path
) -> None:
    helped = kb_process("ask", "meetings-between", "--help", env=env)
    assert helped.returncode == 0, helped.stderr
    assert "--person PERSON" in helped.stdout and "--other PERSON" in helped.stdout
    insert = "INSERT DATA { GRAPH <https://w3id.org/event-kb/article/x> { ekr:x a ek:Topic } }"
    done = kb_process("update", "-", env=env, stdin=insert)
    assert (done.returncode, done.stderr) == (0, "updated\n")
    asked = kb_process("query", "ASK { ekr:x a ek:Topic }", env=env)
    assert asked.stdout == "yes\n"
    script = kb_process(env={**env, "_KB_COMPLETE": "bash_source"})
    assert script.returncode == 0 and "_kb_completion" in script.stdout


HOLDS_THE_STORE = """
import fcntl, os, sys, time
from pyoxigraph import Store
store = Store(sys.argv[1])  # RocksDB's lock: this process is the store's writer
lock = os.open(os.path.join(sys.argv[1], "kb-write.lock"), os.O_RDWR | os.O_CREAT)
fcntl.flock(lock, fcntl.LOCK_EX)  # and it is writing
print("holding", flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("command", [["ask", "entity", "--name", "NVIDIA"], ["query", "ASK {}"]])
def test_a_store_written_too_long_by_another_process_is_one_line(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    from kb.store import embedded

    store = tmp_path / "store"
    KB(store).close()
    monkeypatch.setattr(embedded, "REDO_WAIT", 0.3)  # how long a reader waits for a write
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDS_THE_STORE, str(store)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        done = runner.invoke(cli, ["--store", str(store), *command])
    finally:
        holder.kill()
        holder.wait()
    assert done.exit_code == 1, done.output
    assert done.output == (
        f"Error: the store {store} is being written by another kb process; try again\n"
    )
