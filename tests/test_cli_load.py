"""``kb load`` and ``kb validate`` as people and scripts use them: standard input,
``--format`` and ``--base``, the summary line, ``--verbose`` and ``--quiet``, and the
progress bar on a terminal (issue 16). Through click's CliRunner and as real processes."""

from __future__ import annotations

import os
import pty
import re
import select
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb import KB
from kb.cli import cli
from kb.errors import InputError
from tests.conftest import DATA

MINIMAL = str(DATA / "minimal-article.yaml")
KB_EXE = str(Path(sys.executable).with_name("kb"))
EKA = "https://w3id.org/event-kb/article/"
ARTICLE = "example-2025-06-11-piped"
SUMMARY = re.compile(r"loaded (\d+) files?: (\d+) articles?, ([\d,]+) quads? in \d+\.\d\d? s")


NEWS = "https://example.org/news/"


def turtle(subject: str = f"<{EKA}{ARTICLE}>", url: str = f"<{NEWS}page.html>") -> str:
    """An RDF article in Turtle (6 quads); ``subject`` and ``url`` may be relative IRIs."""
    return (
        "@prefix ek: <https://w3id.org/event-kb/ontology#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        f"{subject} a ek:Article ;\n"
        '  ek:headline "Piped in"@en ; ek:publisher "X"@en ; ek:language "en" ;\n'
        f'  ek:datePublished "2025-06-11"^^xsd:date ; ek:url {url} .\n'
    )


@pytest.fixture
def run(runner: CliRunner, store_path: Path):
    def invoke(*args: str, input: str | None = None):
        return runner.invoke(cli, ["--store", str(store_path), *args], input=input)

    return invoke


def urls(run) -> list[str]:
    """The ek:url of every article in the store, by article: ``graph url`` lines."""
    text = "SELECT ?g ?u WHERE { GRAPH ?g { ?g a ek:Article ; ek:url ?u } } ORDER BY ?g"
    done = run("query", text, "--format", "tsv")
    assert done.exit_code == 0, done.output
    return [line.replace("\t", " ") for line in done.stdout.splitlines()[1:]]


def dump(run) -> str:
    done = run("export", "--format", "nquads")
    assert done.exit_code == 0, done.output
    return "\n".join(sorted(done.stdout.splitlines()))


# -- standard input, --format, --base ---------------------------------------------------------


def test_standard_input_named_twice_is_read_once(run) -> None:
    loaded = run("load", "-", "/dev/stdin", "--format", "turtle", input=turtle())
    assert loaded.exit_code == 0, loaded.output
    found = SUMMARY.fullmatch(loaded.stderr.strip())
    assert found and found.group(1) == "1"  # one file: standard input, once


def test_the_base_hint_only_where_a_base_can_help(run) -> None:
    relative = '<news/1> <https://w3id.org/event-kb/ontology#headline> "x"@en .\n'
    for fmt, hinted in (("turtle", True), ("nt", False), ("nq", False)):
        done = run("load", "-", "--format", fmt, "--graph", "urn:x:g", input=relative)
        assert done.exit_code == 1, (fmt, done.output)
        assert done.output.count("\n") == 1, done.output  # one line
        assert done.output.rstrip().endswith("give --base IRI for relative IRIs") is hinted, fmt


def test_standard_input_with_format_loads_turtle_into_the_article_graph(run) -> None:
    loaded = run("load", "-", "--format", "turtle", input=turtle())
    assert loaded.exit_code == 0, loaded.output
    assert SUMMARY.fullmatch(loaded.stderr.strip())
    assert urls(run)[-1].startswith(f"<{EKA}{ARTICLE}> ")
    # without --format standard input is a fact file, as before
    assert run("load", "-", input=Path(MINIMAL).read_text(encoding="utf-8")).exit_code == 0
    assert run("query", "ASK { ekr:acme ?p ?o }", "--format", "csv").stdout.strip() == "true"


@pytest.mark.parametrize("name", ["ttl", "text/turtle", ".ttl", "TURTLE"])
def test_format_takes_names_extensions_and_media_types(run, tmp_path: Path, name: str) -> None:
    data = tmp_path / "data"
    data.write_text(turtle(), encoding="utf-8")
    loaded = run("load", str(data), "--format", name)
    assert loaded.exit_code == 0, loaded.output
    assert [u.split()[0] for u in urls(run)] == [f"<{EKA}{ARTICLE}>"]


def test_format_applies_to_every_file_and_names_fact_files_yaml(run, tmp_path: Path) -> None:
    facts = tmp_path / "facts"
    facts.write_bytes(Path(MINIMAL).read_bytes())
    loaded = run("load", "-v", str(facts), "--format", "yaml")
    assert loaded.exit_code == 0, loaded.output
    assert f"{facts}: 76 quads into <{EKA}example-2025-06-02-acme-signs-mou>" in loaded.stderr
    # one --format for two files: the fact file is not Turtle
    both = run("load", str(tmp_path / "facts"), MINIMAL, "--format", "ttl")
    assert both.exit_code == 1
    assert both.stderr.startswith(f"Error: {facts}:") and "Turtle syntax error" in both.stderr


def test_an_extensionless_file_without_format_is_one_line_naming_it(run, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.write_text(turtle(), encoding="utf-8")
    done = run("load", str(data))
    assert done.exit_code == 1
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"Error: {data}: unknown file type '(none)'; expected one of ")
    assert done.stderr.endswith("or say it with --format NAME\n")


def test_base_resolves_relative_iris(run, tmp_path: Path) -> None:
    data = tmp_path / "article.ttl"
    data.write_text(turtle(subject=f"<{ARTICLE}>", url="<page.html>"), encoding="utf-8")
    loaded = run("load", str(data), "--base", EKA)
    assert loaded.exit_code == 0, loaded.output
    assert urls(run) == [f"<{EKA}{ARTICLE}> <{EKA}page.html>"]


def test_without_base_a_file_resolves_against_its_path(run, tmp_path: Path) -> None:
    data = tmp_path / "article.ttl"
    data.write_text(turtle(url="<page.html>"), encoding="utf-8")
    assert run("load", str(data)).exit_code == 0
    assert urls(run) == [f"<{EKA}{ARTICLE}> <file://{tmp_path}/page.html>"]
    # standard input has no path: a relative IRI there needs --base, and says so
    piped = run("load", "-", "--format", "ttl", input=turtle(url="<page.html>"))
    assert piped.exit_code == 1
    assert piped.stderr.startswith("Error: <stdin>:5:")
    assert piped.stderr.endswith("; give --base IRI for relative IRIs\n")


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            ["--format", "turtel"],
            "unknown format 'turtel' (--format); expected one of yaml, turtle, ntriples, "
            "nquads, trig, n3, rdfxml, jsonld, or an RDF file extension or media type",
        ),
        (
            ["--base", "not an iri"],
            "--base 'not an iri' is not an absolute IRI (Invalid IRI code point ' '); give one "
            "such as https://example.org/data/",
        ),
        (
            ["--base", "relative/path/"],
            "--base 'relative/path/' is not an absolute IRI (No scheme found in an absolute "
            "IRI); give one such as https://example.org/data/",
        ),
    ],
)
@pytest.mark.parametrize("command", ["load", "validate"])
def test_a_bad_format_or_base_is_one_line_naming_the_file_and_changes_nothing(
    run, tmp_path: Path, option: list[str], message: str, command: str
) -> None:
    assert run("load", MINIMAL).exit_code == 0
    before = dump(run)
    data = tmp_path / "article.ttl"
    data.write_text(turtle(), encoding="utf-8")
    done = run(command, str(data), *option)
    assert done.exit_code == 1
    assert done.stderr == f"Error: {data}: {message}\n"
    assert dump(run) == before


def test_format_and_base_reach_the_worker_processes_of_a_large_batch(run, tmp_path: Path) -> None:
    from kb.batch import PARALLEL_MIN_FILES

    paths = []
    for i in range(PARALLEL_MIN_FILES):
        path = tmp_path / f"piped-{i:02}"
        path.write_text(turtle(subject=f"<{ARTICLE}-{i:02}>"), encoding="utf-8")
        paths.append(str(path))
    loaded = run("load", *paths, "--format", "ttl", "--base", EKA)
    assert loaded.exit_code == 0, loaded.output
    found = SUMMARY.fullmatch(loaded.stderr.strip())
    assert found and found.groups() == (str(PARALLEL_MIN_FILES),) * 2 + ("192",)
    assert sorted(u.split()[0] for u in urls(run)) == [
        f"<{EKA}{ARTICLE}-{i:02}>" for i in range(PARALLEL_MIN_FILES)
    ]


def test_validate_takes_format_and_base(run, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.write_text(turtle(subject=f"<{ARTICLE}>"), encoding="utf-8")
    checked = run("validate", str(data), "--format", "ttl", "--base", EKA)
    assert checked.exit_code == 0, checked.output
    assert checked.stdout == f"{data}: ok (6 quads)\n"
    unsaid = run("validate", str(data), "--base", EKA)
    assert unsaid.exit_code == 1 and "unknown file type '(none)'" in unsaid.stderr


def test_the_python_api_takes_format_and_base(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.write_text(turtle(subject=f"<{ARTICLE}>"), encoding="utf-8")
    kb = KB(None)
    with pytest.raises(InputError, match="unknown file type"):
        kb.validate([data])
    assert kb.validate([data], format="turtle", base=EKA)[0].quad_count == 6
    planned = kb.load([data], format="text/turtle", base=NEWS)
    assert list(planned[0].graphs) == [f"{NEWS}{ARTICLE}"]


# -- the summary line, --verbose, --quiet -----------------------------------------------------


def test_a_batch_prints_one_summary_line(run, tmp_path: Path) -> None:
    data = tmp_path / "article.ttl"
    data.write_text(turtle(), encoding="utf-8")
    loaded = run("load", MINIMAL, str(data))
    assert loaded.exit_code == 0, loaded.output
    assert loaded.stdout == ""
    found = SUMMARY.fullmatch(loaded.stderr.rstrip("\n"))
    assert found and found.groups() == ("2", "2", "82"), loaded.stderr
    assert loaded.stderr.count("\n") == 1


def test_verbose_adds_the_phases_and_a_line_per_file(run, tmp_path: Path) -> None:
    data = tmp_path / "article.ttl"
    data.write_text(turtle(), encoding="utf-8")
    loaded = run("load", "--verbose", MINIMAL, str(data))
    assert loaded.exit_code == 0, loaded.output
    lines = loaded.stderr.splitlines()
    assert lines[:3] == [
        "plan: 2 files",
        "write: 82 quads into 2 graphs in one transaction",
        "derive: partnerships and closures into ekg:derived",
    ]
    assert lines[3:5] == [
        f"{MINIMAL}: 76 quads into <{EKA}example-2025-06-02-acme-signs-mou>",
        f"{data}: 6 quads into <{EKA}{ARTICLE}>",
    ]
    assert SUMMARY.fullmatch(lines[5]) and len(lines) == 6


def test_quiet_prints_nothing_on_success_but_errors_still(run, runner: CliRunner) -> None:
    quiet = run("load", "-q", MINIMAL)
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""
    assert run("query", "ASK { ekr:acme ?p ?o }", "--format", "csv").stdout.strip() == "true"
    # the in-memory note goes too, as --help says
    memory = runner.invoke(cli, ["--store", ":memory:", "load", "--quiet", MINIMAL])
    assert memory.exit_code == 0 and memory.stderr == ""
    assert "not the note that a --store :memory: keeps nothing" in " ".join(
        runner.invoke(cli, ["load", "--help"]).stdout.split()
    )
    failed = run("load", "-q", "no-such.yaml")
    assert failed.exit_code == 1
    assert failed.stderr == "Error: no-such.yaml: cannot read: No such file or directory\n"
    both = run("load", "-q", "-v", MINIMAL)
    assert both.exit_code == 2 and "give --verbose or --quiet, not both" in both.stderr


def test_load_help_names_stdin_format_base_and_the_summary(runner: CliRunner) -> None:
    text = " ".join(runner.invoke(cli, ["load", "--help"]).stdout.split())
    assert "- (or /dev/stdin) reads standard input" in text
    assert "Read every FILE (standard input included) as NAME" in text
    assert "--base IRI" in text and "--verbose" in text and "--quiet" in text
    assert '"loaded 78 files: 78 articles, 14,040 quads in 3.2 s"' in text


# -- real processes ---------------------------------------------------------------------------


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "KB_STORE": str(tmp_path / "store"), "XDG_DATA_HOME": str(tmp_path)}


def kb_run(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A shell command line (pipes and redirections), ``kb`` the installed executable."""
    return subprocess.run(
        command.replace("kb ", f"{shlex.quote(KB_EXE)} ", 1),
        shell=True,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def articles(env: dict[str, str]) -> list[str]:
    done = kb_run("kb query 'SELECT ?g { GRAPH ?g { ?g a ek:Article } }' --format tsv", env)
    assert done.returncode == 0, done.stderr
    return sorted(done.stdout.splitlines()[1:])


def test_real_cat_into_kb_load_dash_with_format(env: dict[str, str], tmp_path: Path) -> None:
    data = tmp_path / "x.ttl"
    data.write_text(turtle(), encoding="utf-8")
    done = kb_run(f"cat {shlex.quote(str(data))} | kb load - --format turtle", env)
    assert done.returncode == 0, done.stderr
    assert SUMMARY.fullmatch(done.stderr.strip()), done.stderr
    assert f"<{EKA}{ARTICLE}>" in articles(env)


def test_real_dev_stdin_with_format_and_base(env: dict[str, str], tmp_path: Path) -> None:
    data = tmp_path / "x"
    data.write_text(turtle(subject=f"<{ARTICLE}>"), encoding="utf-8")
    done = kb_run(f"kb load /dev/stdin --format nt --base {EKA} < {shlex.quote(str(data))}", env)
    assert done.returncode == 1  # N-Triples it is not: --format is what reads it
    assert done.stderr.startswith("Error: <stdin>:1:1: N-Triples syntax error")
    done = kb_run(f"kb load /dev/stdin --format ttl --base {EKA} < {shlex.quote(str(data))}", env)
    assert done.returncode == 0, done.stderr
    assert f"<{EKA}{ARTICLE}>" in articles(env)
    bad = kb_run(f"kb load {shlex.quote(str(data))} --format turtel", env)
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1
    assert bad.stderr.startswith(f"Error: {data}: unknown format 'turtel'")


def test_real_quiet_and_verbose(env: dict[str, str]) -> None:
    quiet = kb_run(f"kb load --quiet {shlex.quote(MINIMAL)}", env)
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""
    loud = kb_run(f"kb load -v {shlex.quote(MINIMAL)}", env)
    assert loud.returncode == 0
    lines = loud.stderr.splitlines()
    assert lines[0] == "plan: 1 file" and lines[-2].startswith(f"{MINIMAL}: 76 quads into <")
    assert SUMMARY.fullmatch(lines[-1])


def on_a_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run ``kb ARGS`` with stdout and stderr on a pseudo-terminal; its exit code and all
    it wrote there."""
    main, side = pty.openpty()
    proc = subprocess.Popen(
        [KB_EXE, *args], stdin=subprocess.DEVNULL, stdout=side, stderr=side, env=env
    )
    os.close(side)
    out = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 1)
        if not ready:
            if proc.poll() is not None:
                break
            continue
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the process closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(main)
    return proc.wait(timeout=60), out.decode("utf-8", "replace")


def test_real_progress_bar_on_a_terminal_through_every_phase(
    env: dict[str, str], tmp_path: Path
) -> None:
    data = tmp_path / "x.ttl"
    data.write_text(turtle(), encoding="utf-8")
    code, out = on_a_terminal(["load", MINIMAL, str(data)], env)
    assert code == 0, out
    assert re.search(r"validating \[#{30}\] 2/2 files \d+\.\d s", out), out
    assert re.search(r"writing +\[-*###-*\] \d+\.\d s", out), out  # the write phase
    assert re.search(r"deriving +\[-*###-*\] \d+\.\d s", out), out
    # the bar's line is cleared, and the summary is the one line left
    last = out.rsplit("\r\x1b[K", 1)[-1]
    assert SUMMARY.fullmatch(last.strip()), repr(out)
    quiet = on_a_terminal(["load", "-q", MINIMAL], env)
    assert quiet == (0, "")


def test_real_no_progress_bar_when_piped(env: dict[str, str], tmp_path: Path) -> None:
    data = tmp_path / "x.ttl"
    data.write_text(turtle(), encoding="utf-8")
    done = kb_run(f"kb load {shlex.quote(MINIMAL)} {shlex.quote(str(data))} 2>&1 | cat", env)
    assert done.returncode == 0
    assert "\r" not in done.stdout and "\x1b" not in done.stdout
    assert not re.search("validating|writing|deriving", done.stdout)
    assert SUMMARY.fullmatch(done.stdout.strip()), done.stdout
