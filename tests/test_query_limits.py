"""``kb query`` on queries that never end, nest too deep, or fail while they run, as a real
process: ``--timeout`` stops the query (evaluated in a worker process, killed at the
deadline), Ctrl-C stops it at once in every format, and every failure is one line."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

KB = [sys.executable, "-m", "kb", "--store", ":memory:", "query"]
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PARTNERS = (
    "SELECT ?name WHERE { ekr:nvidia ek:partnerOf ?p . ?p rdfs:label ?name "
    'FILTER(lang(?name) = "en") } ORDER BY ?name'
)


def children_of(pid: int) -> list[int]:
    """The live child processes of ``pid``, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def kb_query(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*KB, *args], capture_output=True, text=True, timeout=timeout)


def test_timeout_stops_the_query_with_one_line() -> None:
    started = time.monotonic()
    done = kb_query("--timeout", "1", "--format", "csv", ENDLESS)
    took = time.monotonic() - started
    assert done.returncode == 1
    assert done.stderr == "Error: the query did not finish within 1 s (--timeout) and was stopped\n"
    assert done.stdout == ""  # no half answer
    assert took < 8  # 1 s, the process starts and the store is seeded


def test_timeout_gives_the_answer_a_plain_query_gives() -> None:
    contained = kb_query("--timeout", "30", "--format", "csv", PARTNERS)
    plain = kb_query("--format", "csv", PARTNERS)
    assert contained.returncode == plain.returncode == 0
    assert contained.stdout == plain.stdout == "name\nNaver\nNaver Cloud\n"


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml", "table"])
def test_ctrl_c_stops_the_query_at_once(fmt: str) -> None:
    proc = subprocess.Popen(
        [*KB, "--format", fmt, ENDLESS], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    time.sleep(2)  # started, seeded, evaluating
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=30)
    assert time.monotonic() - sent < 2
    assert proc.returncode == -signal.SIGINT
    assert b"Traceback" not in proc.stderr.read()  # type: ignore[union-attr]


def test_ctrl_c_stops_a_query_with_a_timeout_and_its_worker() -> None:
    proc = subprocess.Popen(
        [*KB, "--timeout", "600", ENDLESS], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    time.sleep(3)
    children = children_of(proc.pid)
    assert children  # the worker evaluating the query
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=30)
    assert time.monotonic() - sent < 2
    assert proc.returncode != 0
    assert b"Traceback" not in proc.stderr.read()  # type: ignore[union-attr]
    time.sleep(0.5)
    assert not any(Path(f"/proc/{child}").exists() for child in children)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "SELECT * { SERVICE <http://127.0.0.1:1/x> { ?a ?b ?c } }",
            "Error: the query failed while it ran: ",
        ),
        (
            "SELECT * { SERVICE ?u { ?a ?b ?c } }",
            "Error: the query failed while it ran: The variable encoding the service name is unbound",
        ),
        (
            "ASK " + "{" * 3000 + "}" * 3000,
            "Error: the query nests brackets 3000 deep; at most 400 are allowed",
        ),
    ],
    ids=["service-closed-port", "service-unbound", "3000-deep"],
)
@pytest.mark.parametrize("contained", [False, True], ids=["plain", "timeout"])
def test_failures_are_one_line(query: str, message: str, contained: bool) -> None:
    done = kb_query(*(["--timeout", "30"] if contained else []), query)
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(message) and done.stderr.count("\n") == 1, done.stderr
