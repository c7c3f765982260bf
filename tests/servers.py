"""Real servers on loopback for tests: ``oxigraph serve`` from PyPI's ``oxigraph`` package,
and OpenLink Virtuoso from Debian's ``virtuoso-opensource``.

Used by the remote-store tests and by the Wikidata tests (a local "Wikidata" endpoint
loaded with data in Wikidata's own RDF shape). Every server binds 127.0.0.1 on a free
port and is stopped when the fixture ends.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@contextmanager
def oxigraph_server(
    location: Path | None = None, *, union_default_graph: bool = True, load: Path | None = None
) -> Iterator[str]:
    """Start ``oxigraph serve``; yield its base URL (``http://127.0.0.1:PORT``).

    ``load`` is an RDF file loaded into the store before the server starts.
    """
    exe = shutil.which("oxigraph")
    if exe is None:  # the test extra installs it; its absence is a broken setup, not a skip
        raise RuntimeError("the `oxigraph` command is missing: pip install -e '.[test]'")
    args = [exe, "serve", "--bind", f"127.0.0.1:{free_port()}"]
    if location is not None:
        if load is not None:
            subprocess.run(
                [exe, "load", "--location", str(location), "--file", str(load)],
                check=True,
                capture_output=True,
            )
        args += ["--location", str(location)]
    if union_default_graph:
        args.append("--union-default-graph")
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = "http://" + args[3]
    try:
        wait_for(base + "/query?query=ASK%7B%7D")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty_buffers}
DirsAllowed = .
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 0
MaxQueryCostEstimationTime = 0
"""
"""A private Virtuoso: database, log and HTTP root in one folder, both ports on loopback.
``ResultSetMaxRows``: Virtuoso's default (10000) is below what the KB reads at once from
a large store (every named graph, a graph's triples); docs/server.md says so."""


@dataclass
class Virtuoso:
    """A running private Virtuoso: its base URL and the kb settings that point at it."""

    url: str
    sql: str  # host:port of its SQL (isql) listener
    password: str
    env: dict[str, str] = field(default_factory=dict)
    seeded: bool = False
    """Whether it holds exactly the seeded KB (tests that write empty it)."""
    user: tuple[str, str] = field(default_factory=lambda: ("kb", secrets.token_hex(8)))
    """The account that may write through /sparql-auth (name, password)."""

    def isql(self, script: Path) -> str:
        """Run a file of SQL statements as dba (``isql-vt``); their output, or an error."""
        done = subprocess.run(
            ["isql-vt", self.sql, "dba", self.password, str(script)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql-vt failed on {script}: {done.stdout}{done.stderr}")
        return done.stdout

    def use(self, monkeypatch: pytest.MonkeyPatch, *, seeded: bool) -> str:
        """Point kb at this server (its endpoint URLs, for the test); its ``--store`` URL.

        ``seeded``: the store holds the seeded KB (re-seeded if a test wrote to it);
        else it is emptied, for a test that writes.
        """
        from kb import KB

        for name, value in self.env.items():
            monkeypatch.setenv(name, value)
        if not (seeded and self.seeded):
            self._clear()
            if seeded:
                KB(self.url).close()  # the first open seeds it
        self.seeded = seeded
        return self.url

    def _clear(self) -> None:
        """Drop every graph of the KB (Virtuoso's own are not listed)."""
        from kb.store.remote import RemoteBackend

        backend = RemoteBackend(self.url)
        drops = [f"DROP SILENT GRAPH <{g}>" for g in backend.named_graphs()]
        if drops:
            backend.update(" ;\n".join(drops))


def virtuoso_or_skip() -> str:
    """The ``virtuoso-t`` binary; without it the test is skipped, but not in CI (``$CI``),
    where .ci/run installs it and its absence is a broken setup."""
    exe = shutil.which("virtuoso-t")
    if exe is None:
        if os.environ.get("CI"):
            raise RuntimeError("virtuoso-t is missing: apt-get install virtuoso-opensource")
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    return exe


@contextmanager
def virtuoso_server(
    folder: Path, *, max_rows: int = 1_000_000, buffers: int = 10_000
) -> Iterator[Virtuoso]:
    """Start a private Virtuoso in ``folder`` set up as docs/virtuoso.sql says; yield it.

    Stopped (its whole process group) when the block ends. ``buffers``: 8 KiB pages of
    cache (``NumberOfBuffers``; Virtuoso's advice is about two thirds of free memory).
    """
    exe = virtuoso_or_skip()
    sql_port, http_port = free_port(), free_port()
    folder.mkdir(parents=True, exist_ok=True)
    ini = folder / "virtuoso.ini"
    ini.write_text(
        VIRTUOSO_INI.format(
            dir=folder,
            sql_port=sql_port,
            http_port=http_port,
            max_rows=max_rows,
            buffers=buffers,
            dirty_buffers=buffers * 3 // 4,
        ),
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [exe, "+foreground", "+configfile", str(ini)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, stopped as one
    )
    base = f"http://127.0.0.1:{http_port}"
    server = Virtuoso(
        base,
        f"127.0.0.1:{sql_port}",
        "dba",
        {
            "KB_QUERY_URL": base + "/sparql",
            "KB_UPDATE_URL": base + "/sparql",
            "KB_GSP_URL": base + "/sparql-graph-crud",
        },
    )
    try:
        wait_for(base + "/sparql?query=ASK%7B%7D", timeout=60)
        server.isql(REPO / "docs" / "virtuoso.sql")
        # and an account that writes through the authenticated endpoints, as docs/server.md
        # says (a password of the session's own)
        account = folder / "account.sql"
        account.write_text(
            f"DB.DBA.USER_CREATE ('{server.user[0]}', '{server.user[1]}');\n"
            f'GRANT SPARQL_UPDATE TO "{server.user[0]}";\n'
            f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('{server.user[0]}', 3);\n",
            encoding="utf-8",
        )
        server.isql(account)
        yield server
    finally:
        _stop_group(proc)


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group (Virtuoso checkpoints and exits), SIGKILL if it lingers."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        proc.wait(timeout=10)
