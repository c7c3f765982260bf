"""Endpoint throughput: requests per second of ``/ask/NAME`` on ``kb serve``, next to
``oxigraph serve`` answering the same SPARQL text, with ``clients`` concurrent clients.

Both serve the same store: ``kb serve --store STORE`` (its reader processes, ``--workers``
4 by default), and ``oxigraph serve --union-default-graph`` over a copy of the store's
files. For each canned query the text ``oxigraph serve`` gets is the one ``kb serve``
evaluates: ``/queries/NAME.rq?ARGS`` (the parameters resolved and written in, the
prefixes declared). Each client is a thread with one keep-alive connection, asking again
as soon as an answer (SPARQL JSON) is read whole, for ``seconds`` after one warm-up
request per client; the clients run in the measuring process and share the machine's cores
with the server, so a fast query's figure is partly the clients' own cost.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

RESULTS_JSON = "application/sparql-results+json"


def _kb_serve(store: Path) -> tuple[subprocess.Popen[bytes], str]:
    kb = shutil.which("kb", path=os.path.dirname(sys.executable)) or "kb"
    proc = subprocess.Popen(
        [kb, "--store", str(store), "serve", "--port", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    first = proc.stderr.readline().decode()
    found = re.search(r"http://127\.0\.0\.1:\d+", first)
    if not found:
        proc.kill()
        raise RuntimeError(f"kb serve did not start: {first}")
    threading.Thread(target=proc.stderr.read, daemon=True).start()  # the access log
    _wait(found.group() + "/health")
    return proc, found.group()


def _ox_serve(location: Path) -> tuple[subprocess.Popen[bytes], str]:
    from tests.servers import free_port

    exe = shutil.which("oxigraph", path=os.path.dirname(sys.executable)) or "oxigraph"
    bind = f"127.0.0.1:{free_port()}"
    proc = subprocess.Popen(
        [exe, "serve", "--location", str(location), "--bind", bind, "--union-default-graph"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait(f"http://{bind}/query?query=ASK%7B%7D")
    return proc, f"http://{bind}"


def _wait(url: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _rows(body: bytes) -> int:
    return len(json.loads(body)["results"]["bindings"])


def hammer(base: str, path: str, clients: int, seconds: float) -> dict[str, Any]:
    """``clients`` threads asking ``GET path`` again and again for ``seconds``."""
    host = urllib.parse.urlsplit(base).netloc
    counts = [0] * clients
    errors = [0] * clients
    rows: list[int] = []
    start_line = threading.Barrier(clients + 1)
    stop = [float("inf")]  # set once every client is warm

    def client(i: int) -> None:
        conn = http.client.HTTPConnection(host, timeout=120)

        def one() -> bytes | None:
            nonlocal conn
            try:
                conn.request("GET", path, headers={"Accept": RESULTS_JSON})
                response = conn.getresponse()
                body = response.read()
                if response.status != 200:
                    return None
                return body
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host, timeout=120)
                return None

        warm = one()  # warm-up: not counted
        if i == 0 and warm is not None:
            rows.append(_rows(warm))
        start_line.wait()
        while time.perf_counter() < stop[0]:
            if one() is None:
                errors[i] += 1
            else:
                counts[i] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    start_line.wait()
    begin = time.perf_counter()
    stop[0] = begin + seconds
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - begin
    return {
        "requests_per_s": sum(counts) / elapsed,
        "requests": sum(counts),
        "errors": sum(errors),
        "rows": rows[0] if rows else None,
    }


def measure(
    store: str, params: dict[str, str], clients: int = 8, seconds: float = 3.0
) -> dict[str, Any]:
    """Every canned query on both servers; ``{name: {"kb": figures, "oxigraph": figures}}``."""
    from bench.measure import query_arguments
    from kb.sparql.catalogue import canned_queries

    copy = Path(store).parent / "oxigraph-copy"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(store, copy)
    procs = []
    try:
        kb_proc, kb_url = _kb_serve(Path(store))
        procs.append(kb_proc)
        ox_proc, ox_url = _ox_serve(copy)
        procs.append(ox_proc)
        out: dict[str, Any] = {"clients": clients, "seconds": seconds, "queries": {}}
        for name, canned in canned_queries().items():
            args = urllib.parse.urlencode(query_arguments(canned, params))
            with urllib.request.urlopen(f"{kb_url}/queries/{name}.rq?{args}", timeout=60) as r:
                text = r.read().decode()
            ox_path = "/query?" + urllib.parse.urlencode({"query": text})
            out["queries"][name] = {
                "kb": hammer(kb_url, f"/ask/{name}?{args}", clients, seconds),
                "oxigraph": hammer(ox_url, ox_path, clients, seconds),
            }
        return out
    finally:
        for proc in procs:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(copy, ignore_errors=True)
