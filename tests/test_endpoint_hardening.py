"""``kb serve`` under load and under attack, as a real process on loopback.

- Concurrent clients run canned queries for a fixed time while other clients send queries
  that never end: every canned answer is right, every endless query is stopped at
  --timeout with 503, and the figures (requests, latency) are printed for
  docs/robustness.md. The long version (the issue's "done when": 12 endless queries, the
  CPU idle again within the timeout and a second, then 20 clients for 20 s) is marked slow.
- A 3000-deep query is refused with 400 before any parser sees it; the ORDER BY cross
  product is stopped (503) by the deadline, or by the memory limit; the server answers on.
- Every malformed request of a catalogue gets a status, and the server answers the next:
  bytes that are not UTF-8, Host headers that are no host, lengths that are no number,
  chunked bodies, lying and slow clients, over-long lines and headers.
- Nothing a caller sends makes the server read a file or call a URL: SERVICE, LOAD,
  ``file:`` IRIs, XML external entities, remote JSON-LD contexts. A loopback server counts
  every request it gets (it must get none), and a file with a secret must never show up.
  (tests/test_fuzz_federation.py tries ten thousand generated queries the same way.)
- Writes: system graphs are refused as ``kb load`` refuses them; concurrent POSTs to a new
  graph all land; a second server on a store another one holds is refused.

Every loop here is bounded in count and in time, and only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import contextlib
import gzip
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.counting_server import CountingServer
from tests.servers import wait_for

TOKEN = "hardening-token"
WINDOW = 4.0  # seconds of load
MAX_REQUESTS = 3000  # and at most this many, whichever comes first
CLIENTS = 6
ATTACKERS = 2
TIMEOUT = 1.5  # kb serve --timeout
ENDLESS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PARTNERS = (
    "SELECT ?name WHERE { ekr:nvidia ek:partnerOf ?p . ?p rdfs:label ?name "
    'FILTER(lang(?name) = "en") } ORDER BY ?name'
)


@contextmanager
def kb_serve(*args: str, store: str = ":memory:") -> Iterator[str]:
    """``kb serve --port 0`` on ``store`` (a seeded one in memory); yield its URL; stop it."""
    with kb_serve_process(*args, store=store) as (url, _proc):
        yield url


@contextmanager
def kb_serve_process(
    *args: str, store: str = ":memory:"
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "kb", "--store", store, "serve", "--port", "0", *args],
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    first = proc.stderr.readline().decode()
    match = re.search(r"http://127\.0\.0\.1:\d+", first)
    assert match, first
    # keep reading its access log, or a full pipe would block the server
    drain = threading.Thread(target=proc.stderr.read, daemon=True)
    drain.start()
    try:
        wait_for(match.group() + "/health")
        yield match.group(), proc
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def request(
    method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=20) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def raw(url: str, data: bytes, wait: float = 30.0) -> bytes:
    """Send bytes on a fresh connection; return the first answer (all that comes back
    before the connection closes, or once an answer's Content-Length has arrived)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=wait) as sock:
        with contextlib.suppress(OSError):  # the server may close before it read it all
            sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
            head, found, body = received.partition(b"\r\n\r\n")
            length = re.search(rb"\r\nContent-Length: (\d+)", head)
            if found and length and len(body) >= int(length.group(1)):
                break
        return received


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    options = ("--timeout", str(TIMEOUT), "--workers", "4", "--max-body", "100000")
    with kb_serve(*options, "--max-results", str(10**12), "--read-timeout", "2") as url:
        yield url


@pytest.fixture(scope="module")
def writable() -> Iterator[str]:
    with kb_serve("--allow-update", "--token", TOKEN, "--timeout", "5") as url:
        yield url


# -- load -------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def guarded(body: Callable[[int], None], failed: list[str]) -> Callable[[int], None]:
    """Run ``body`` in a thread; an exception (a reset, a timeout, a refused connection) is
    a failure of the test, listed in ``failed``, not a thread's warning."""

    def run(n: int) -> None:
        try:
            body(n)
        except BaseException as err:
            failed.append(f"thread {n}: {type(err).__name__}: {err}")

    return run


def clients(
    expected: dict[str, tuple[int, bytes]], count: int, window: float, most: int = 10**9
) -> tuple[list[float], list[str]]:
    """``count`` clients asking the URLs of ``expected`` in turn for ``window`` seconds (or
    ``most`` requests in all): each request's latency, and every answer that was wrong.

    Every client must return, die of nothing, and have been answered at least once."""
    urls = list(expected)
    latencies: list[float] = []
    wrong: list[str] = []
    failed: list[str] = []
    answered = [0] * count
    lock = threading.Lock()
    stop = time.monotonic() + window

    def client(offset: int) -> None:
        i = offset
        while time.monotonic() < stop and len(latencies) < most:
            url = urls[i % len(urls)]
            started = time.perf_counter()
            got = request("GET", url)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                answered[offset] += 1
                if got != expected[url]:
                    wrong.append(f"{url}: {got[0]} {got[1][:200]!r}")
            i += 1

    work = guarded(client, failed)
    threads = [threading.Thread(target=work, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=window + 60)
    assert not any(thread.is_alive() for thread in threads), "a client never returned"
    assert failed == []
    assert all(answered), f"a client got no answer at all: {answered}"
    return latencies, wrong


def test_canned_queries_under_load_while_endless_queries_are_cut(server: str) -> None:
    urls = [
        server + "/ask/partners-expanding?" + urllib.parse.urlencode({"org": "NVIDIA"}),
        server + "/ask/entity?" + urllib.parse.urlencode({"name": "엔비디아"}),
        server + "/sparql?" + urllib.parse.urlencode({"query": PARTNERS}),
    ]
    expected = {url: request("GET", url) for url in urls}
    assert all(status == 200 for status, _ in expected.values())
    endless = server + "/sparql?" + urllib.parse.urlencode({"query": ENDLESS})
    cut: list[int] = []
    failed: list[str] = []
    stop = time.monotonic() + WINDOW

    def attacker(n: int) -> None:
        while time.monotonic() < stop:
            cut.append(request("GET", endless)[0])

    work = guarded(attacker, failed)
    attackers = [threading.Thread(target=work, args=(n,)) for n in range(ATTACKERS)]
    for thread in attackers:
        thread.start()
    latencies, wrong = clients(expected, CLIENTS, WINDOW, MAX_REQUESTS)
    for thread in attackers:
        thread.join(timeout=WINDOW + 60)
    assert not any(thread.is_alive() for thread in attackers), "an attacker never returned"
    assert failed == []
    assert wrong == []
    assert cut and set(cut) == {503}
    assert request("GET", server + "/health")[0] == 200
    print(
        f"\n{len(latencies)} canned requests from {CLIENTS} clients in {WINDOW:g} s "
        f"({len(latencies) / WINDOW:.0f}/s) while {ATTACKERS} clients sent {len(cut)} endless "
        f"queries (all cut with 503 at {TIMEOUT:g} s); latency p50 "
        f"{percentile(latencies, 0.5) * 1000:.0f} ms, p95 {percentile(latencies, 0.95) * 1000:.0f}"
        f" ms, max {max(latencies) * 1000:.0f} ms; 0 errors"
    )


# -- bodies, connections, URLs ----------------------------------------------------------------


def test_oversized_lying_and_malformed_requests_get_a_4xx(server: str) -> None:
    query = {"Content-Type": "application/sparql-query"}
    big = b"ASK {} #" + b"x" * 200_000
    status, body = request("POST", server + "/sparql", big, query)
    assert status == 413
    assert b"this server takes at most 100000 (kb serve --max-body)" in body
    head = "POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
    # announces 10 GB, sends 6 bytes: answered once --read-timeout has passed
    lying = raw(server, (head + "Content-Length: 10000000000\r\n\r\nASK {}").encode())
    assert lying.startswith(b"HTTP/1.1 413 ")
    # announces 100 bytes, sends 6, stays open: 408 instead of a thread held for ever
    short = raw(server, (head + "Content-Length: 100\r\n\r\nASK {}").encode())
    assert short.startswith(b"HTTP/1.1 408 ")
    for length in ("abc", "-5", "1e3", "\u00b2"):
        line = f"Content-Length: {length}\r\n\r\nASK {{}}".encode()
        answer = raw(server, head.encode() + line)
        assert answer.startswith(b"HTTP/1.1 400 "), answer
        assert b"Content-Length is not a number of bytes" in answer
    status, _ = request("GET", server + "/sparql?query=" + "x" * 100_000)
    assert status == 414
    assert request("GET", server + "/health")[0] == 200


def test_idle_connections_do_not_starve_the_server(server: str) -> None:
    host, port = server.removeprefix("http://").split(":")
    idle = [socket.create_connection((host, int(port)), timeout=30) for _ in range(50)]
    try:
        for sock in idle[:25]:
            sock.sendall(b"GET /health HTTP/1.1\r\n")  # half a request, never finished
        status, body = request("GET", server + "/ask/entity?name=naver")
        assert status == 200 and b"Naver" in body
    finally:
        for sock in idle:
            sock.close()


# -- no file read, no call out ----------------------------------------------------------------


@pytest.fixture(scope="module")
def counter() -> Iterator[CountingServer]:
    """Answers like a SPARQL endpoint: a SERVICE call to it would succeed, and be seen."""
    server = CountingServer.sparql()
    yield server
    server.close()


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A file whose content must never appear in an answer: (file: IRI, secret)."""
    secret = secrets.token_hex(16)
    path = tmp_path_factory.mktemp("secret") / "secret.ttl"
    path.write_text(f'<https://e/s> <https://e/p> "{secret}" .\n', encoding="utf-8")
    return path.as_uri(), secret


QUERIES = {
    "service": "SELECT * WHERE {{ SERVICE <{remote}/sparql> {{ ?s ?p ?o }} }}",
    "service-lowercase": "select * where {{ service <{remote}/sparql> {{ ?s ?p ?o }} }}",
    "service-silent-variable": (
        "SELECT * WHERE {{ BIND(<{remote}/sparql> AS ?e) SERVICE SILENT ?e {{ ?s ?p ?o }} }}"
    ),
    "service-prefixed": (
        "PREFIX r: <{remote}/> SELECT * WHERE {{ SERVICE r:sparql {{ ?s ?p ?o }} }}"
    ),
    "service-after-comment": "SELECT * WHERE {{ #}}\nSERVICE <{remote}/sparql> {{ ?s ?p ?o }} }}",
    "service-escaped-keyword": (
        "SELECT * WHERE {{ SERV\\u0049CE <{remote}/sparql> {{ ?s ?p ?o }} }}"
    ),
    "service-file": "SELECT * WHERE {{ SERVICE <{file}> {{ ?s ?p ?o }} }}",
    "from-file": "SELECT * FROM <{file}> WHERE {{ ?s ?p ?o }} LIMIT 5000",
    "from-named-file": "SELECT * FROM NAMED <{file}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
}
UPDATES = {
    "load": "LOAD <{remote}/data.ttl>",
    "load-silent-into": "LOAD SILENT <{remote}/data.ttl> INTO GRAPH <https://e/g>",
    "load-file": "LOAD <{file}> INTO GRAPH <https://e/g>",
    "load-escaped-keyword": "\\u004cOAD <{file}> INTO GRAPH <https://e/g>",
    "service-in-update": (
        "INSERT {{ GRAPH <https://e/g> {{ ?s ?p ?o }} }} "
        "WHERE {{ SERVICE <{remote}/sparql> {{ ?s ?p ?o }} }}"
    ),
}
XXE = """<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY f SYSTEM "{file}"> <!ENTITY h SYSTEM "{remote}/entity">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="https://e/">
  <rdf:Description rdf:about="https://e/s"><e:p>&f;</e:p><e:q>&h;</e:q></rdf:Description>
</rdf:RDF>"""


def check_nothing_leaked(answer: bytes, secret: str, counter: CountingServer) -> None:
    assert secret.encode() not in answer
    assert counter.requests == []


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_queries_cannot_read_files_or_call_out(
    name: str, server: str, counter: CountingServer, secret_file: tuple[str, str]
) -> None:
    file_iri, secret = secret_file
    query = QUERIES[name].format(remote=counter.url, file=file_iri)
    for method, url, body, headers in (
        ("POST", server + "/sparql", query.encode(), {"Content-Type": "application/sparql-query"}),
        ("GET", server + "/sparql?" + urllib.parse.urlencode({"query": query}), None, {}),
    ):
        status, answer = request(method, url, body, headers)
        if name.startswith("from"):  # FROM names a graph of the store, never a file
            assert status == 200
        else:
            assert status in (400, 403), answer
        check_nothing_leaked(answer, secret, counter)


@pytest.mark.parametrize("name", sorted(UPDATES))
def test_updates_cannot_read_files_or_call_out(
    name: str, writable: str, counter: CountingServer, secret_file: tuple[str, str]
) -> None:
    file_iri, secret = secret_file
    update = UPDATES[name].format(remote=counter.url, file=file_iri)
    status, answer = request(
        "POST",
        writable + "/update",
        update.encode(),
        {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert status in (400, 403), answer
    check_nothing_leaked(answer, secret, counter)
    everything = writable + "/sparql?" + urllib.parse.urlencode({"query": "SELECT * {?s ?p ?o}"})
    check_nothing_leaked(request("GET", everything)[1], secret, counter)


@pytest.mark.parametrize(
    ("media", "document"),
    [
        ("application/rdf+xml", XXE),
        (
            "application/ld+json",
            json.dumps({"@context": "{remote}/context", "@id": "https://e/s", "p": "{file}"}),
        ),
        ("text/turtle", "@base <{file}> . <> <https://e/p> <{remote}/x> ."),
    ],
    ids=["xml-external-entities", "jsonld-remote-context", "turtle-file-base"],
)
def test_uploaded_graphs_cannot_read_files_or_call_out(
    media: str, document: str, writable: str, counter: CountingServer, secret_file: tuple[str, str]
) -> None:
    file_iri, secret = secret_file
    body = document.replace("{remote}", counter.url).replace("{file}", file_iri).encode()
    graph = writable + "/store?" + urllib.parse.urlencode({"graph": "https://e/upload"})
    headers = {"Content-Type": media, "Authorization": f"Bearer {TOKEN}"}
    status, answer = request("PUT", graph, body, headers)
    check_nothing_leaked(answer, secret, counter)
    if status < 300:  # stored as written: IRIs are names, not fetched
        check_nothing_leaked(request("GET", graph)[1], secret, counter)
    else:
        assert status in (400, 415), answer


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../../../etc/passwd",
        "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/static/..%2f..%2f..%2fetc%2fpasswd",
        "/..%2f..%2f..%2fetc/passwd",
        "/store?graph=file:///etc/passwd",
        "/sparql?query=ASK%7B%7D&default-graph-uri=file:///etc/passwd",
    ],
)
def test_paths_cannot_reach_files(path: str, server: str) -> None:
    passwd = Path("/etc/passwd").read_bytes().splitlines()[0]
    status, answer = request("GET", server + path)
    assert passwd not in answer
    assert status in (200, 400, 404)


# -- one request must not cost the next: depth, memory, the cross product ---------------------


def test_a_3000_deep_query_gets_400_and_the_next_request_200(server: str) -> None:
    braces = "ASK " + "{" * 3000 + "}" * 3000  # the 6 KB GET
    status, body = request("GET", server + "/sparql?" + urllib.parse.urlencode({"query": braces}))
    assert status == 400 and b"nests brackets" in body
    for deep in (
        "ASK " + "{" * 3000 + "}" * 3000,
        "ASK { FILTER(" + "(" * 3000 + "1" + ")" * 3000 + ") }",
        "ASK { " + "OPTIONAL { ?a ?b ?c " * 3000 + "}" * 3000 + " }",
        "ASK { ?s " + "(" * 3000 + "<https://e/p>" + ")" * 3000 + " ?o }",
    ):
        status, body = request(
            "POST", server + "/sparql", deep.encode(), {"Content-Type": "application/sparql-query"}
        )
        assert status == 400, body
        assert re.search(rb"the query nests brackets 300\d deep; at most 400 are allowed", body)
        assert request("GET", server + "/sparql?query=ASK%7B%7D")[0] == 200


def test_the_order_by_cross_product_is_stopped_and_the_server_answers_on(server: str) -> None:
    """On the seed store (5k quads) this sorts 27M rows: 3.9 GB before, now the deadline."""
    sort = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
    started = time.monotonic()
    status, body = request("GET", server + "/sparql?" + urllib.parse.urlencode({"query": sort}))
    assert status in (500, 503), body
    assert time.monotonic() - started < TIMEOUT + 2
    assert (
        request("GET", server + "/sparql?" + urllib.parse.urlencode({"query": PARTNERS}))[0] == 200
    )


@pytest.mark.slow
def test_a_query_past_the_memory_limit_gets_503_and_the_server_answers_on() -> None:
    sort = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
    with kb_serve("--timeout", "60", "--workers", "1", "--max-memory", "1024") as url:
        started = time.monotonic()
        status, body = request("GET", url + "/sparql?" + urllib.parse.urlencode({"query": sort}))
        took = time.monotonic() - started
        assert status == 503, body
        assert b"needed more memory than a worker may have (kb serve --max-memory 1024 MiB)" in body
        assert request("GET", url + "/sparql?query=ASK%7B%7D")[0] == 200
    print(
        f"\nthe ORDER BY cross product reached the 1 GiB limit and was stopped after {took:.1f} s"
    )


# -- malformed requests: every one gets a status ----------------------------------------------

Q = "POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Type: {media}\r\nContent-Length: {length}\r\n\r\n"


def post(media: str, body: bytes) -> bytes:
    return Q.format(media=media, length=len(body)).encode() + body


TRIPLE_TERM = "CONSTRUCT { ?s ?p <<( ?s ?p ?o )>> } WHERE { ?s ?p ?o } LIMIT 1"
MALFORMED = {
    # name: (bytes sent, status expected, words in the answer)
    "body-not-utf8": (post("application/sparql-query", b"ASK { \xff }"), 400, b"is not UTF-8"),
    "form-not-utf8": (
        post("application/x-www-form-urlencoded", b"query=\xe9"),
        400,
        b"is not UTF-8",
    ),
    "form-escape-not-utf8": (
        post("application/x-www-form-urlencoded", b"query=%FF"),
        400,
        b"not UTF-8",
    ),
    "query-string-not-utf8": (
        b"GET /sparql?query=%FF HTTP/1.1\r\nHost: x\r\n\r\n",
        400,
        b"not UTF-8",
    ),
    "host-with-space": (b"GET /sparql HTTP/1.1\r\nHost: a b\r\n\r\n", 400, b"Host header"),
    "host-with-angles": (b"GET /sparql HTTP/1.1\r\nHost: <evil>\r\n\r\n", 400, b"Host header"),
    "host-with-quote": (b'GET /sparql HTTP/1.1\r\nHost: x"y\r\n\r\n', 400, b"Host header"),
    "host-bad-escape": (b"GET /sparql HTTP/1.1\r\nHost: %zz\r\n\r\n", 400, b"Host header"),
    "two-hosts": (b"GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, b"Host header"),
    "length-superscript": (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: \xc2\xb2\r\n\r\nA",
        400,
        b"Content-Length",
    ),
    "two-lengths": (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nAB",
        400,
        b"Content-Length",
    ),
    "length-and-chunks": (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        400,
        b"both Content-Length and chunks",
    ),
    "bad-chunk-size": (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Transfer-Encoding: chunked\r\n\r\nzz\r\nASK {}\r\n0\r\n\r\n",
        400,
        b"chunk",
    ),
    "gzip-request-body": (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Transfer-Encoding: gzip\r\n\r\n",
        501,
        b"not supported",
    ),
    "no-length": (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n\r\n",
        411,
        b"Content-Length",
    ),
    "jsonld-triple-term": (
        f"GET /sparql?{urllib.parse.urlencode({'query': TRIPLE_TERM, 'format': 'jsonld'})} "
        "HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
        406,
        b"cannot be written as application/ld+json",
    ),
    "garbage-request-line": (b"GARBAGE\r\n\r\n", 400, b"Bad request"),
    "unknown-method": (b"BREW /sparql HTTP/1.1\r\nHost: x\r\n\r\n", 501, b"Unsupported method"),
    "lower-case-method": (b"get /health HTTP/1.1\r\nHost: x\r\n\r\n", 501, b"Unsupported method"),
    "http-2": (b"GET /health HTTP/2.0\r\nHost: x\r\n\r\n", 505, b"Invalid HTTP version"),
    "bad-version": (b"GET /health HTTP/x.y\r\nHost: x\r\n\r\n", 400, b"Bad request version"),
    "long-request-line": (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414, b"64 KiB"),
    "long-header": (
        b"GET /health HTTP/1.1\r\nX: " + b"a" * 70_000 + b"\r\n\r\n",
        431,
        b"Line too long",
    ),
    "many-headers": (
        b"GET /health HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(120)) + b"\r\n",
        431,
        b"Too many headers",
    ),
    "nul-in-path": (b"GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n", 404, b"nothing at"),
    "bad-escape-in-path": (b"GET /ask/%zz HTTP/1.1\r\nHost: x\r\n\r\n", 404, b"no canned query"),
    "absolute-form": (
        b"GET http://elsewhere.example/health HTTP/1.1\r\nHost: x\r\n\r\n",
        200,
        b'"status": "ok"',
    ),
    "options-star": (b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 204, b""),
    "too-many-form-fields": (
        post("application/x-www-form-urlencoded", b"&".join(b"a=%d" % i for i in range(1500))),
        400,
        b"form cannot be read",
    ),
    "unbound-service-variable": (
        post("application/sparql-query", b"SELECT * { SERVICE ?u { ?a ?b ?c } }"),
        403,
        b"SERVICE (line 1)",
    ),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_every_malformed_request_gets_a_status(server: str, name: str) -> None:
    data, status, words = MALFORMED[name]
    answer = raw(server, data + b"" if name != "options-star" else data, wait=10)
    assert answer.startswith(f"HTTP/1.1 {status} ".encode()), answer[:300]
    assert words in answer, answer[:500]
    assert request("GET", server + "/health")[0] == 200


def test_the_host_header_is_never_echoed(server: str) -> None:
    answer = raw(server, b"GET /sparql HTTP/1.1\r\nHost: <script>x</script>\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 ") and b"<script>" not in answer
    # a host name is used, as the service description's endpoint
    described = raw(
        server, b"GET /sparql HTTP/1.1\r\nHost: kb.example:8080\r\nConnection: close\r\n\r\n"
    )
    assert b"<http://kb.example:8080/sparql>" in described


@pytest.fixture(scope="module")
def federated() -> Iterator[str]:
    with kb_serve("--allow-federation", "--timeout", "5", "--workers", "1") as url:
        yield url


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { SERVICE ?u { ?a ?b ?c } }",
        "SELECT * { SERVICE <http://127.0.0.1:1/x> { ?a ?b ?c } }",
    ],
    ids=["unbound-variable", "closed-port"],
)
def test_an_error_while_the_answer_is_read_is_one_status(federated: str, query: str) -> None:
    status, body = request("GET", federated + "/sparql?" + urllib.parse.urlencode({"query": query}))
    assert status == 500
    assert body.startswith(b"500 Internal Server Error: the query failed while it ran: ")
    assert body.count(b"\n") == 1
    assert request("GET", federated + "/health")[0] == 200


# -- slow clients, keep-alive, gzip ------------------------------------------------------------


def test_a_client_sending_a_byte_at_a_time_is_cut_off(server: str) -> None:
    host, port = server.removeprefix("http://").split(":")
    request_bytes = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 200 + b"\r\n\r\n"
    started = time.monotonic()
    answer = b""
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        try:
            for byte in request_bytes:
                sock.sendall(bytes([byte]))
                time.sleep(0.2)
                if time.monotonic() - started > 8:
                    break
        except OSError:
            pass  # the server closed the connection on us: that is the point
        with contextlib.suppress(OSError):
            while chunk := sock.recv(65536):
                answer += chunk
    took = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    assert took < 5  # --read-timeout 2, not the 40 s the whole request would take


def test_keep_alive_serves_requests_on_one_connection(server: str) -> None:
    host, port = server.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        for path in ("/health", "/queries", "/sparql?query=ASK%7B%7D"):
            connection.request("GET", path)
            response = connection.getresponse()
            assert response.status == 200 and response.version == 11
            response.read()
        # a body the view never reads (health takes none) is dropped, not read as a request
        connection.request("GET", "/health", body=b"GET /nowhere HTTP/1.1\r\n\r\n")
        response = connection.getresponse()
        assert response.status == 200
        response.read()
        connection.request("GET", "/health")
        assert connection.getresponse().status == 200
    finally:
        connection.close()


def test_assets_and_large_answers_are_gzipped_for_clients_that_take_it(server: str) -> None:
    plain = urllib.request.urlopen(server + "/static/yasgui.min.js", timeout=10).read()
    zipped = urllib.request.Request(
        server + "/static/yasgui.min.js", headers={"Accept-Encoding": "gzip"}
    )
    with urllib.request.urlopen(zipped, timeout=10) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        body = response.read()
    assert gzip.decompress(body) == plain and len(body) < len(plain) / 2
    big = (
        server
        + "/sparql?"
        + urllib.parse.urlencode({"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 2000"})
    )
    answer = urllib.request.Request(
        big, headers={"Accept-Encoding": "gzip", "Accept": "application/n-triples"}
    )
    with urllib.request.urlopen(answer, timeout=10) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert len(gzip.decompress(response.read()).splitlines()) == 2000
    small = urllib.request.Request(server + "/health", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(small, timeout=10) as response:
        assert response.headers["Content-Encoding"] is None


# -- writes -------------------------------------------------------------------------------------

AUTH = {"Authorization": f"Bearer {TOKEN}"}
UPDATE = {"Content-Type": "application/sparql-update", **AUTH}


@pytest.mark.parametrize(
    "graph",
    ["ontology", "gazetteer", "entities", "derived", "load-journal", "staging/x/0", "links"],
)
def test_system_graphs_are_refused_through_the_graph_store(writable: str, graph: str) -> None:
    iri = "https://w3id.org/event-kb/graph/" + graph
    store = writable + "/store?" + urllib.parse.urlencode({"graph": iri})
    for method, body in (
        ("PUT", b"<https://e/s> <https://e/p> 1 ."),
        ("POST", b"<https://e/s> <https://e/p> 1 ."),
        ("DELETE", None),
    ):
        headers = {"Content-Type": "application/n-triples", **AUTH} if body else AUTH
        status, answer = request(method, store, body, headers)
        assert status == 403, answer
        assert f"<{iri}> is a system graph and cannot be loaded into".encode() in answer


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { GRAPH ekg:gazetteer { <https://e/s> <https://e/p> 1 } }",
        "DROP GRAPH <https://w3id.org/event-kb/graph/load-journal>",
        "CLEAR ALL",
        "DROP NAMED",
        "DELETE WHERE { GRAPH ?g { ?s ?p ?o } }",
        "WITH ekg:ontology DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "MOVE ekg:ontology TO <https://e/g>",
        "ADD <https://e/g> TO ekg:entities",
        "PREFIX x: <https://w3id.org/event-kb/graph/> CREATE GRAPH x:staging",
    ],
)
def test_system_graphs_are_refused_through_update(writable: str, update: str) -> None:
    status, answer = request("POST", writable + "/update", update.encode(), UPDATE)
    assert status == 403, answer
    ontology = (
        writable
        + "/sparql?"
        + urllib.parse.urlencode(
            {"query": "SELECT (COUNT(*) AS ?n) { GRAPH ekg:ontology { ?s ?p ?o } }"}
        )
    )
    assert json.loads(request("GET", ontology)[1])["results"]["bindings"][0]["n"]["value"] != "0"


def test_concurrent_posts_to_a_new_graph_all_land(writable: str) -> None:
    graph = "https://w3id.org/event-kb/article/concurrent-posts"
    store = writable + "/store?" + urllib.parse.urlencode({"graph": graph})
    statuses: list[int] = []

    def post(i: int) -> None:
        body = f"<https://e/s> <https://e/p> {i} .".encode()
        statuses.append(request("POST", store, body, {"Content-Type": "text/turtle", **AUTH})[0])

    threads = [threading.Thread(target=post, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [201] + [204] * 9
    status, body = request("GET", store, headers={"Accept": "application/n-triples"})
    assert status == 200 and len(body.splitlines()) == 10


def test_one_server_per_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    with kb_serve("--allow-update", "--token", TOKEN, store=str(store)) as url:
        second = subprocess.run(
            [sys.executable, "-m", "kb", "--store", str(store), "serve", "--port", "0"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 1
        assert second.stderr == (
            f"Error: the store {store} is in use by another process (kb serve or kb load): "
            "one server per store; query the server that holds it (kb --store "
            "http://HOST:PORT ...), or stop it first\n"
        )
        load = subprocess.run(
            [
                sys.executable,
                "-m",
                "kb",
                "--store",
                str(store),
                "load",
                "--wait",
                "0",
                str(Path(__file__).parent / "data" / "minimal-article.yaml"),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert load.returncode == 1 and "is in use by another kb process" in load.stderr
        assert request("GET", url + "/health")[0] == 200  # the first one is unharmed


def test_start_up_errors_are_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = subprocess.run(
            [sys.executable, "-m", "kb", "--store", ":memory:", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert busy.returncode == 1
    assert busy.stderr == f"Error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    bad = subprocess.run(
        [sys.executable, "-m", "kb", "--store", ":memory:", "serve", "--host", "999.1.1.1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 1
    assert (
        bad.stderr.startswith("Error: cannot listen on 999.1.1.1:7878: ")
        and bad.stderr.count("\n") == 1
    )


# -- the "done when": endless queries stopped, CPU idle again, then 20 clients ----------


def tree_cpu(pid: int) -> float:
    """CPU seconds used so far by ``pid`` and its live children (the worker processes)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:  # fields[1]: the parent's pid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


@pytest.mark.slow
def test_endless_queries_are_stopped_and_twenty_clients_are_served() -> None:
    timeout = 2.0
    options = ("--timeout", str(timeout), "--workers", "4", "--max-results", str(10**12))
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with kb_serve_process(*options) as (url, proc):
        urls = [
            url + "/ask/partners-expanding?" + urllib.parse.urlencode({"org": "NVIDIA"}),
            url + "/ask/entity?" + urllib.parse.urlencode({"name": "엔비디아"}),
            url + "/ask/partners?" + urllib.parse.urlencode({"org": "Naver Cloud"}),
            url + "/sparql?" + urllib.parse.urlencode({"query": PARTNERS}),
        ]
        expected = {u: request("GET", u) for u in urls}
        assert all(status == 200 for status, _ in expected.values())
        statuses: list[int] = []
        sent = time.monotonic()
        attackers = [
            threading.Thread(
                target=lambda: statuses.append(
                    request("GET", url + "/sparql?" + urllib.parse.urlencode({"query": endless}))[0]
                )
            )
            for _ in range(12)
        ]
        for thread in attackers:
            thread.start()
        for thread in attackers:
            thread.join(timeout=60)
        answered = time.monotonic() - sent
        assert statuses == [503] * 12
        # idle again within the timeout plus a second of sending them
        time.sleep(max(0.0, sent + timeout + 1 - time.monotonic()))
        before = tree_cpu(proc.pid)
        time.sleep(0.5)
        busy = (tree_cpu(proc.pid) - before) / 0.5
        assert busy < 0.2, f"the server still used {busy:.2f} cores"
        window = 20.0
        latencies, wrong = clients(expected, 20, window)
    assert wrong == []
    print(
        f"\n12 endless queries with --timeout {timeout:g}: all 503 within {answered:.2f} s; "
        f"{busy:.2f} cores busy {timeout + 1:g} s after they were sent; then "
        f"{len(latencies)} canned requests from 20 clients in {window:g} s "
        f"({len(latencies) / window:.0f}/s): latency p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms; "
        "0 errors"
    )
