"""Real servers on loopback for tests: ``oxigraph serve`` from PyPI's ``oxigraph`` package.

Used by the remote-store tests and by the Wikidata tests (a local "Wikidata" endpoint
loaded with data in Wikidata's own RDF shape). Every server binds 127.0.0.1 on a free
port and is stopped when the fixture ends.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


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
