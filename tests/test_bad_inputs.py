"""The bad-input catalogue (tests/bad_inputs/) through the real ``kb load`` command line.

Each entry of tests/bad_inputs/expected.yaml is a file an analyst might feed the KB by
mistake, with the one line ``kb load`` must print for it (an entry may give the command
and options: ``kb load --graph IRI FILE``, ``kb query -f FILE``). Every case runs through click's
CliRunner against an on-disk store that already holds an article, and must exit 1, print
exactly ``Error: <expected>``, show no traceback and leave the store's export byte for byte
as it was. A subset runs as a real ``kb`` process too, where a crash in a C parser (stack
overflow, abort) would show as a signal instead of an exit code.

tests/test_factfile.py and tests/test_load.py check the same mistakes at the Python API;
this file is the user-level contract of the CLI.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kb import KB
from kb.cli import cli
from tests.conftest import DATA
from tests.counting_server import CountingServer

CATALOGUE = Path(__file__).parent / "bad_inputs"
MANIFEST = yaml.safe_load((CATALOGUE / "expected.yaml").read_text(encoding="utf-8"))
KB_EXE = str(Path(sys.executable).with_name("kb"))

VERY_LARGE_ENTITIES = 60_000  # about 7 MB of YAML, 240 000 lines


def very_large_yaml(path: Path) -> None:
    """A 7 MB fact file that is fine until its very last line."""
    head = (
        "format: event-kb/1\narticle:\n  id: example-2025-06-04-very-large\n"
        "  headline: {en: A very large file}\n  publisher: {en: Example News}\n"
        "  published: 2025-06-04T09:00:00+09:00\n  language: ko\nentities:\n"
    )
    body = "".join(
        f"  - id: org-{i}\n    type: Organization\n"
        f"    name: {{en: Organization {i}, ko: 조직 {i}}}\n    based_in: south-korea\n"
        for i in range(VERY_LARGE_ENTITIES)
    )
    tail = "  - id: last\n    type: Organization\n    name: {en: [Last}\n"
    path.write_text(head + body + tail, encoding="utf-8")


def turtle_error_line_5000(path: Path) -> None:
    """4 999 good triples, then a bare word where an object should be."""
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    lines = [f'<https://w3id.org/event-kb/id/e{i}> {label} "e{i}"@en .' for i in range(1, 5000)]
    lines.append(f"<https://w3id.org/event-kb/id/e5000> {label} e5000 .")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def quote_over_the_limit(path: Path) -> None:
    """A fact file that is fine but for one quote of 17 MiB."""
    path.write_text(
        "format: event-kb/1\narticle:\n  id: example-2025-06-04-long-quote\n"
        "  headline: {en: A long quote}\n  publisher: {en: Example News}\n"
        "  published: 2025-06-04\n  language: en\nfacts:\n  - type: Meeting\n"
        "    participants: [lee-hae-jin, jensen-huang]\n"
        f"    quote: {'They met. ' * (17 * 2**20 // 10)}\n",
        encoding="utf-8",
    )


def device(target: str) -> Callable[[Path], None]:
    """A name with an RDF suffix for a device that never ends."""
    return lambda path: path.symlink_to(target)


def fifo(path: Path) -> None:
    """A FIFO nobody writes to: reading it would wait forever."""
    os.mkfifo(path)


def larger_than_the_limit(path: Path) -> None:
    """A sparse file of 257 MiB (no disk used)."""
    with path.open("wb") as out:
        out.truncate(257 * 2**20)


GENERATORS: dict[str, Callable[[Path], None]] = {
    "very-large.yaml": very_large_yaml,
    "turtle-error-line-5000.ttl": turtle_error_line_5000,
    "quote-over-16-mib.yaml": quote_over_the_limit,
    "dev-zero.ttl": device("/dev/zero"),
    "dev-urandom.nt": device("/dev/urandom"),
    "fifo.yaml": fifo,
    "larger-than-the-limit.nt": larger_than_the_limit,
}
CASES = {**MANIFEST["files"], **MANIFEST["generated"]}
# Run as a real process as well: the parsers most likely to crash rather than raise.
PROCESS_CASES = [
    "yaml-alias-bomb.yaml",
    "yaml-deep-nesting.yaml",
    "yaml-nul-byte.yaml",
    "not-utf8.yaml",
    "not-utf8.ttl",
    "remote-context.jsonld",
    "very-large.yaml",
    "turtle-error-line-5000.ttl",
    "quote-over-16-mib.yaml",
    "dev-zero.ttl",
    "fifo.yaml",
    "larger-than-the-limit.nt",
]


@pytest.fixture(scope="module")
def context_server() -> Iterator[CountingServer]:
    """Serves a valid JSON-LD context: a load that fetched it would succeed, and be seen."""
    server = CountingServer(
        b'{"@context": {"@vocab": "http://schema.org/"}}', "application/ld+json"
    )
    yield server
    server.close()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk store with the seed article and the example article already loaded, so a
    bad file that reuses the example's article id would visibly change it if it got in."""
    path = tmp_path_factory.mktemp("bad-inputs") / "store"
    with KB(path) as kb:
        kb.load([DATA / "minimal-article.yaml"])
    return path


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("generated")


def materialise(name: str, folder: Path, port: int) -> Path:
    """The file to load: committed as is, with PORT filled in, or generated."""
    if name in GENERATORS:
        path = folder / name
        if not path.exists():
            GENERATORS[name](path)
        return path
    path = CATALOGUE / name
    if name.endswith(".jsonld") and b"PORT" in path.read_bytes():
        filled = folder / name
        filled.write_bytes(path.read_bytes().replace(b"PORT", str(port).encode()))
        return filled
    return path


def expected(name: str, path: Path) -> str:
    entry = CASES[name]
    return (entry if isinstance(entry, str) else entry["error"]).replace("{path}", str(path))


def arguments(name: str, path: Path) -> list[str]:
    """The command line after ``kb``: ``load FILE`` unless the entry says otherwise."""
    entry = CASES[name]
    if isinstance(entry, str):
        return ["load", str(path)]
    return [*entry.get("command", ["load"]), *entry.get("args", []), str(path)]


def export(store: Path) -> bytes:
    """`kb export --format nquads`, through the CLI like a user would compare."""
    result = CliRunner().invoke(cli, ["--store", str(store), "export", "--format", "nquads"])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def test_every_file_has_an_expected_error() -> None:
    files = {p.name for p in CATALOGUE.iterdir() if p.name != "expected.yaml"}
    assert files == set(MANIFEST["files"])
    assert set(MANIFEST["generated"]) == set(GENERATORS)


@pytest.mark.parametrize("name", sorted(CASES))
def test_kb_load_gives_one_line_and_changes_nothing(
    name: str, store: Path, generated: Path, context_server: CountingServer
) -> None:
    path = materialise(name, generated, context_server.port)
    before = export(store)
    result = CliRunner().invoke(cli, ["--store", str(store), *arguments(name, path)])
    assert isinstance(result.exception, SystemExit), result.exception  # not a crash
    assert result.exit_code == 1
    assert result.stderr == f"Error: {expected(name, path)}\n"
    assert result.stdout == ""
    assert export(store) == before
    assert context_server.requests == []


@pytest.mark.parametrize("name", PROCESS_CASES)
def test_real_kb_process_exits_1_without_traceback(
    name: str, store: Path, generated: Path, context_server: CountingServer
) -> None:
    path = materialise(name, generated, context_server.port)
    before = export(store)
    env = {**os.environ, "KB_STORE": str(store)}
    done = subprocess.run(
        [KB_EXE, *arguments(name, path)], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 1, done.stderr  # a signal would be negative
    assert done.stderr == f"Error: {expected(name, path)}\n"
    assert "Traceback" not in done.stderr + done.stdout
    assert export(store) == before
    assert context_server.requests == []
