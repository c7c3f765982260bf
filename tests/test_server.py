"""``kb serve`` with real clients: SPARQLWrapper, rdflib's SPARQLStore, urllib for each
format, and the query page in headless Chromium. The server runs in a thread on a free
loopback port over a seeded store in memory (``serving``; its worker processes are real);
the CLI test starts ``kb serve`` as a real process.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import QueryResultsFormat, RdfFormat, parse, parse_query_results, serialize

from kb import KB
from kb.http.app import ServerConfig
from kb.http.server import make_server
from kb.sparql.catalogue import canned_queries
from tests.conftest import DATA
from tests.servers import wait_for
from tests.test_canned import CASES, GOLDEN, normalised

PARTNERS = "SELECT ?name WHERE { ekr:nvidia ek:partnerOf ?p . ?p rdfs:label ?name FILTER(lang(?name) = 'en') } ORDER BY ?name"
SD = "http://www.w3.org/ns/sparql-service-description#"


@contextmanager
def serving(
    location: str | Path | None = None, **options: Any
) -> Iterator[tuple[str, io.StringIO]]:
    """Serve the store at ``location`` (None: a new seeded one in memory) on a free loopback
    port in a thread; yield its URL and access log."""
    log = io.StringIO()
    server = make_server(location, "127.0.0.1", 0, ServerConfig(log=log, **options))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.url, log
    finally:
        server.shutdown()
        server.server_close()


def http(
    method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, str, bytes]:
    """One request; (status, media type, body) for 2xx and errors alike."""
    request = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get_content_type(), err.read()


def get(url: str, **headers: str) -> tuple[int, str, bytes]:
    return http("GET", url, headers=headers)


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with serving() as (url, _):
        yield url


# -- real clients ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "POSTDIRECTLY"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_sparqlwrapper_select(endpoint: str, method: str, fmt: str) -> None:
    from SPARQLWrapper import GET, JSON, POST, POSTDIRECTLY, XML, SPARQLWrapper

    client = SPARQLWrapper(endpoint + "/sparql")
    client.setQuery(PARTNERS)
    client.setMethod(POST if method != "GET" else GET)
    if method == "POSTDIRECTLY":  # the body is the query itself: application/sparql-query
        client.setRequestMethod(POSTDIRECTLY)
    client.setReturnFormat(JSON if fmt == "json" else XML)
    answer = client.query().convert()
    if fmt == "json":
        names = [b["name"]["value"] for b in answer["results"]["bindings"]]
    else:
        names = [n.firstChild.data for n in answer.getElementsByTagName("literal")]
    assert names == ["Naver", "Naver Cloud"]


CONSTRUCT_PARTNERS = "CONSTRUCT WHERE { ekr:naver ek:partnerOf ?p }"
PARTNER_IRIS = {
    "https://w3id.org/event-kb/id/nvidia",
    "https://w3id.org/event-kb/id/siam-ai-cloud",
}


@pytest.mark.parametrize(
    "fmt", [None, "xml", "rdf", "rdf+xml", "n3", "json-ld", "turtle", "json", "csv", "tsv"]
)
def test_sparqlwrapper_construct_in_every_return_format(endpoint: str, fmt: str | None) -> None:
    """SPARQLWrapper's default (XML: it adds format=xml to the URL) and every
    setReturnFormat it offers give the graph, as rdflib reads it."""
    import warnings

    from rdflib import Graph
    from SPARQLWrapper import SPARQLWrapper

    client = SPARQLWrapper(endpoint + "/sparql")
    client.setQuery(CONSTRUCT_PARTNERS)
    if fmt is not None:
        client.setReturnFormat(fmt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "json" for a graph: JSON-LD comes
        answer = client.query()
        media = answer.info()["content-type"].split(";")[0]
        converted = answer.convert()
    if isinstance(converted, bytes):  # Turtle, N3: the text, for the caller to parse
        graph = Graph().parse(data=converted.decode(), format="n3" if fmt == "n3" else "turtle")
    else:
        graph = converted
    assert {str(o) for o in graph.objects()} == PARTNER_IRIS, (fmt, media)


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv", "turtle", "n3"])
def test_sparqlwrapper_select_in_every_return_format(endpoint: str, fmt: str) -> None:
    import warnings

    from SPARQLWrapper import SPARQLWrapper

    client = SPARQLWrapper(endpoint + "/sparql")
    client.setQuery(PARTNERS)
    client.setReturnFormat(fmt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a graph format for a SELECT
        answer = client.query().convert()
    if isinstance(answer, dict):
        names = [b["name"]["value"] for b in answer["results"]["bindings"]]
    elif isinstance(answer, bytes):  # CSV or TSV (TSV writes terms: "Naver"@en)
        text = io.StringIO(answer.decode())
        reader = (
            csv.reader(text, delimiter="\t", quoting=csv.QUOTE_NONE)
            if fmt == "tsv"
            else csv.reader(text)
        )
        rows = list(reader)[1:]
        names = [re.sub(r'^"(.*)"@en$', r"\1", row[0]) for row in rows]
    else:
        names = [n.firstChild.data for n in answer.getElementsByTagName("literal")]
    assert names == ["Naver", "Naver Cloud"], fmt


CURL_ACCEPT = {
    "application/sparql-results+json": "SELECT",
    "application/sparql-results+xml": "SELECT",
    "text/csv": "SELECT",
    "text/tab-separated-values": "SELECT",
    "application/json": "SELECT",
    "application/xml": "SELECT",
    "text/turtle": "CONSTRUCT",
    "application/n-triples": "CONSTRUCT",
    "application/ld+json": "CONSTRUCT",
    "application/rdf+xml": "CONSTRUCT",
    "application/trig": "CONSTRUCT",
    "application/n-quads": "CONSTRUCT",
    "text/n3": "CONSTRUCT",
    "*/*": "SELECT",
}


@pytest.mark.parametrize("accept", sorted(CURL_ACCEPT))
def test_curl_with_each_accept_type(endpoint: str, accept: str) -> None:
    query = PARTNERS if CURL_ACCEPT[accept] == "SELECT" else CONSTRUCT_PARTNERS
    done = subprocess.run(
        [
            "curl",
            "-sS",
            "--compressed",
            "-H",
            f"Accept: {accept}",
            "--data-urlencode",
            f"query={query}",
            "-w",
            "\n%{http_code}|%{content_type}|%{http_version}",
            endpoint + "/sparql",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    body, _, status_line = done.stdout.rpartition("\n")
    status, media, version = status_line.split("|")
    assert (status, version) == ("200", "1.1")
    assert media.split(";")[0] == ("application/sparql-results+json" if accept == "*/*" else accept)
    if CURL_ACCEPT[accept] == "SELECT":
        assert "Naver Cloud" in body
    else:
        assert "siam-ai-cloud" in body


def test_sparqlwrapper_construct_and_ask(endpoint: str) -> None:
    from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

    client = SPARQLWrapper(endpoint + "/sparql")
    client.setQuery("CONSTRUCT WHERE { ekr:naver ek:partnerOf ?p }")
    client.setReturnFormat(TURTLE)
    graph = parse(client.query().convert(), RdfFormat.TURTLE)
    assert {t.object.value.rsplit("/", 1)[1] for t in graph} == {"nvidia", "siam-ai-cloud"}
    client.setQuery("ASK { ekr:naver-cloud ek:partnerOf ekr:siam-ai-cloud }")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True


def test_rdflib_sparqlstore(endpoint: str) -> None:
    from rdflib import Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = Graph(store=SPARQLStore(endpoint + "/sparql"))
    rows = graph.query(
        "PREFIX ek: <https://w3id.org/event-kb/ontology#> "
        "SELECT ?x WHERE { ?x ek:partnerOf <https://w3id.org/event-kb/id/siam-ai-cloud> }"
    )
    assert sorted(str(r.x).rsplit("/", 1)[1] for r in rows) == ["naver", "naver-cloud"]


SOLUTION_FORMATS = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "text/tab-separated-values": QueryResultsFormat.TSV,
    "text/csv": None,  # pyoxigraph reads no CSV: checked with the csv module
}


@pytest.mark.parametrize("accept", SOLUTION_FORMATS)
def test_select_in_each_result_format(endpoint: str, accept: str) -> None:
    url = endpoint + "/sparql?" + urllib.parse.urlencode({"query": PARTNERS})
    status, media, body = get(url, Accept=accept)
    assert (status, media) == (200, accept)
    if SOLUTION_FORMATS[accept] is None:
        rows = list(csv.reader(io.StringIO(body.decode())))
        assert rows == [["name"], ["Naver"], ["Naver Cloud"]]
        return
    solutions = parse_query_results(body, SOLUTION_FORMATS[accept])
    assert [s["name"].value for s in solutions] == ["Naver", "Naver Cloud"]


GRAPH_FORMATS = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/trig": RdfFormat.TRIG,
    "application/rdf+xml": RdfFormat.RDF_XML,
}


@pytest.mark.parametrize("accept", GRAPH_FORMATS)
def test_construct_in_each_graph_format(endpoint: str, accept: str) -> None:
    query = "CONSTRUCT WHERE { ekr:naver ek:partnerOf ?p }"
    body = f"query={urllib.parse.quote(query)}".encode()
    status, media, answer = http(
        "POST",
        endpoint + "/sparql",
        body,
        {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (status, media) == (200, accept)
    objects = {q.object.value for q in parse(answer, GRAPH_FORMATS[accept])}
    assert objects == {
        "https://w3id.org/event-kb/id/nvidia",
        "https://w3id.org/event-kb/id/siam-ai-cloud",
    }


def test_format_parameter_overrides_accept(endpoint: str) -> None:
    url = endpoint + "/query?" + urllib.parse.urlencode({"query": PARTNERS, "format": "tsv"})
    status, media, _ = get(url, Accept="application/sparql-results+json")
    assert (status, media) == (200, "text/tab-separated-values")


# -- canned queries, service description, health, log -----------------------------------------


@pytest.mark.parametrize("name", sorted(CASES))
def test_canned_query_over_http_gives_the_golden_answer(endpoint: str, name: str) -> None:
    # Korean names in, English names out: the same file test_canned.py checks
    params = urllib.parse.urlencode(CASES[name][1])
    status, media, body = get(f"{endpoint}/ask/{name}?{params}", Accept="text/csv")
    assert (status, media) == (200, "text/csv")
    golden = (GOLDEN / f"{name}.en.csv").read_text(encoding="utf-8")
    assert normalised(body.decode()) == normalised(golden)


def test_ask_answers_sparql_json_by_default(endpoint: str) -> None:
    query = urllib.parse.urlencode({"org": "엔비디아", "region": "중동", "lang": "ko"})
    status, media, body = get(f"{endpoint}/ask/partners-expanding?{query}")
    assert (status, media) == (200, "application/sparql-results+json")
    names = {b["partnerName"]["value"] for b in json.loads(body)["results"]["bindings"]}
    assert names == {"네이버", "네이버클라우드"}


def test_listing_names_every_canned_query_with_its_parameters(endpoint: str) -> None:
    status, _, body = get(endpoint + "/queries")
    listing = {q["name"]: q for q in json.loads(body)}
    assert status == 200 and set(listing) == set(canned_queries())
    params = listing["partners-expanding"]["parameters"]
    assert [(p["name"], p["type"], p["default"]) for p in params] == [
        ("org", "Organization", "NVIDIA"),
        ("region", "Place", "Middle East"),
    ]
    assert listing["people"]["parameters"][0]["required"] is True


def test_bound_query_text_runs_anywhere_and_matches_ask(endpoint: str) -> None:
    # what the page puts in the editor: the canned query with its parameters written in
    params = urllib.parse.urlencode({"org": "Naver Cloud"})
    status, _, text = get(f"{endpoint}/queries/partners.rq?{params}")
    assert (
        status == 200
        and b"$org" not in text
        and b"<https://w3id.org/event-kb/id/naver-cloud>" in text
    )
    by_text = KB(None, seed=True).query(text.decode()).text("csv")  # prefixes declared in it
    _, _, by_ask = get(f"{endpoint}/ask/partners?{params}", Accept="text/csv")
    assert normalised(by_text) == normalised(by_ask.decode())


@pytest.mark.parametrize(
    ("path", "accept"),
    [("/sparql", "*/*"), ("/", "text/turtle"), ("/sparql", "application/n-triples")],
    ids=["sparql-no-query", "root-turtle", "ntriples"],
)
def test_service_description(endpoint: str, path: str, accept: str) -> None:
    status, media, body = get(endpoint + path, Accept=accept)
    assert status == 200 and media in ("text/turtle", "application/n-triples")
    triples = list(parse(body, RdfFormat.TURTLE if media == "text/turtle" else RdfFormat.N_TRIPLES))
    values = {(t.predicate.value, t.object.value) for t in triples}
    assert (SD + "endpoint", endpoint + "/sparql") in values
    assert (SD + "feature", SD + "UnionDefaultGraph") in values
    assert (SD + "supportedLanguage", SD + "SPARQL11Update") not in values  # read-only


def test_root_serves_the_page_and_editor_the_sparql_editor(endpoint: str) -> None:
    status, media, body = get(endpoint + "/", Accept="text/html,*/*;q=0.8")
    assert (status, media) == (200, "text/html")
    assert b"/static/app.js" in body and b"/static/cytoscape.min.js" in body
    status, media, body = get(endpoint + "/editor")
    assert (status, media) == (200, "text/html")
    assert b"static/yasgui.min.js" in body
    status, media, script = get(endpoint + "/static/yasgui.min.js")
    assert (status, media) == (200, "text/javascript") and len(script) > 100_000


def test_health_and_access_log() -> None:
    with serving(workers=1) as (url, log):
        status, _, body = get(url + "/health")
        get(url + "/nowhere")
    assert status == 200 and json.loads(body)["status"] == "ok"
    lines = log.getvalue().splitlines()
    clf = re.compile(
        r'^127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "(.*)" (\d{3}) (\d+)$'
    )
    parsed = [clf.match(line).groups() for line in lines]  # type: ignore[union-attr]
    assert parsed == [
        ("GET /health HTTP/1.1", "200", str(len(body))),
        ("GET /nowhere HTTP/1.1", "404", parsed[1][2]),
    ]


# -- bad requests ------------------------------------------------------------------------------

BAD_REQUESTS = [
    # (id, method, path, body, headers, status, words in the message)
    ("malformed", "GET", "/sparql?query=SELEC%20*", None, {}, 400, "SPARQL syntax error at 1:"),
    (
        "unknown-format",
        "GET",
        "/sparql?query=ASK%7B%7D",
        None,
        {"Accept": "image/png"},
        406,
        "cannot answer in image/png; this answer is available as application/sparql-results+json",
    ),
    (
        "format-param-and-accept-both-unknown",
        "GET",
        "/sparql?query=ASK%7B%7D&format=yaml",
        None,
        {"Accept": "image/png"},
        406,
        "cannot answer in image/png",
    ),
    (
        "oversized",
        "POST",
        "/sparql",
        b"ASK {} #" + b"x" * 200,
        {"Content-Type": "application/sparql-query"},
        413,
        "the request body has 208 bytes; this server takes at most 100 (kb serve --max-body)",
    ),
    (
        "update-read-only",
        "POST",
        "/update",
        b"CLEAR ALL",
        {"Content-Type": "application/sparql-update"},
        403,
        "this server is read-only",
    ),
    (
        "put-read-only",
        "PUT",
        "/store?graph=https://example.org/g",
        b"",
        {"Content-Type": "text/turtle"},
        403,
        "this server is read-only",
    ),
    (
        "service",
        "POST",
        "/sparql",
        b"SELECT * WHERE {\n  SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o }\n}",
        {"Content-Type": "application/sparql-query"},
        403,
        "SERVICE (line 2) would make this server fetch a URL; federation is off",
    ),
    (
        "unknown-canned",
        "GET",
        "/ask/partner",
        None,
        {},
        404,
        "no canned query named 'partner'; did you mean partners?",
    ),
    ("missing-parameter", "GET", "/ask/people", None, {}, 400, "people: --org is required"),
    (
        "unknown-entity",
        "GET",
        "/ask/people?org=Samsung",
        None,
        {},
        400,
        "--org: nothing in the KB is called 'Samsung'",
    ),
    (
        "wrong-content-type",
        "POST",
        "/sparql",
        b"ASK {}",
        {"Content-Type": "text/plain"},
        415,
        "POST a query as application/sparql-query",
    ),
    ("method", "DELETE", "/sparql", None, {}, 405, "DELETE is not allowed here"),
]


@pytest.fixture(scope="module")
def small_bodies() -> Iterator[str]:
    with serving(max_body=100, workers=1) as (url, _):
        yield url


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "status", "message"),
    [case[1:] for case in BAD_REQUESTS],
    ids=[case[0] for case in BAD_REQUESTS],
)
def test_bad_requests_get_a_readable_4xx(
    small_bodies: str,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str],
    status: int,
    message: str,
) -> None:
    got, media, text = http(method, small_bodies + path, body, headers)
    assert (got, media) == (status, "text/plain")
    assert message in text.decode(), text.decode()


def test_service_is_allowed_with_allow_federation(endpoint: str) -> None:
    # SERVICE to another kb serve: the answer comes from there
    other = endpoint
    with serving(allow_federation=True, workers=1) as (url, _):
        query = f"SELECT ?o WHERE {{ SERVICE <{other}/sparql> {{ ekr:naver ek:partnerOf ?o }} }}"
        status, _, body = http(
            "POST",
            url + "/sparql",
            query.encode(),
            {"Content-Type": "application/sparql-query", "Accept": "text/csv"},
        )
    assert status == 200, body
    assert sorted(body.decode().split())[:2] == [
        "https://w3id.org/event-kb/id/nvidia",
        "https://w3id.org/event-kb/id/siam-ai-cloud",
    ]


def test_result_cap_is_413_and_a_limit_gets_through() -> None:
    with serving(max_results=5, workers=1) as (url, _):
        big = urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o }"})
        status, _, body = get(f"{url}/sparql?{big}")
        assert status == 413
        assert (
            "the answer has more than 5 results (kb serve --max-results); add a LIMIT"
            in body.decode()
        )
        small = urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"})
        assert get(f"{url}/sparql?{small}")[0] == 200


@pytest.mark.parametrize(
    "endless",
    [
        "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",  # streams ~10^11 rows
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",  # never streams
    ],
    ids=["streaming", "aggregate"],
)
def test_timeout_is_503_and_the_server_keeps_answering(endless: str) -> None:
    with serving(timeout=1, max_results=10**12, workers=1) as (url, log):
        status, _, body = get(f"{url}/sparql?{urllib.parse.urlencode({'query': endless})}")
        assert status == 503
        assert "did not finish within 1 s (kb serve --timeout) and was stopped" in body.decode()
        # the one worker's place is taken at once: the next query is answered
        quick = urllib.parse.urlencode({"query": PARTNERS})
        assert get(f"{url}/sparql?{quick}")[0] == 200
        assert get(f"{url}/health")[0] == 200
    assert '" 503 ' in log.getvalue()


# -- updates -----------------------------------------------------------------------------------

TOKEN = "s3cret-token"
NEW_GRAPH = "https://w3id.org/event-kb/article/test-http"
COOPERATION = b"""
@prefix ek: <https://w3id.org/event-kb/ontology#> .
@prefix ekr: <https://w3id.org/event-kb/id/> .
ekr:coop-http a ek:Cooperation ; ek:party ekr:nvidia , ekr:government-of-thailand .
"""


def test_updates_need_the_token() -> None:
    with serving(allow_update=True, token=TOKEN, workers=1) as (url, _):
        insert = b"INSERT DATA { GRAPH <https://e/g> { <https://e/s> <https://e/p> 1 } }"
        for auth in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
            status, _, body = http(
                "POST",
                url + "/update",
                insert,
                {"Content-Type": "application/sparql-update", **auth},
            )
            assert status == 401
            assert "updates need the server's token: Authorization: Bearer TOKEN" in body.decode()
        assert get(url + "/store?graph=https://e/g")[0] == 404


def test_graph_store_and_update_with_the_token() -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    partners = "ASK { ekr:nvidia ek:partnerOf ekr:government-of-thailand }"
    ask = "/sparql?" + urllib.parse.urlencode({"query": partners})
    store = "/store?" + urllib.parse.urlencode({"graph": NEW_GRAPH})
    with serving(allow_update=True, token=TOKEN, workers=1) as (url, _):
        assert json.loads(get(url + ask)[2])["boolean"] is False
        status, _, _ = http(
            "PUT", url + store, COOPERATION, {"Content-Type": "text/turtle", **auth}
        )
        assert status == 201
        # the derived graph is recomputed after a write: the cooperation makes them partners
        assert json.loads(get(url + ask)[2])["boolean"] is True
        status, media, body = get(url + store, Accept="application/n-triples")
        assert (status, media) == (200, "application/n-triples") and len(
            list(parse(body, RdfFormat.N_TRIPLES))
        ) == 3
        drop = f"DROP GRAPH <{NEW_GRAPH}>".encode()
        assert (
            http(
                "POST", url + "/update", drop, {"Content-Type": "application/sparql-update", **auth}
            )[0]
            == 204
        )
        assert json.loads(get(url + ask)[2])["boolean"] is False
        assert get(url + store)[0] == 404
        bad = http("PUT", url + store, b"ekr:x a .", {"Content-Type": "text/turtle", **auth})
        assert bad[0] == 400 and "the text/turtle body does not parse" in bad[2].decode()
        load = b"LOAD <http://127.0.0.1:9/data.ttl>"
        refused = http(
            "POST", url + "/update", load, {"Content-Type": "application/sparql-update", **auth}
        )
        assert refused[0] == 403 and "LOAD (line 1)" in refused[2].decode()


def test_writes_keep_the_entity_graph_in_step() -> None:
    """An article graph PUT through the graph store (as exported, with its entity-statement
    records) brings its entities' names; DELETE, or a SPARQL update that drops the graph,
    takes them away again."""
    auth = {"Authorization": f"Bearer {TOKEN}"}
    source = KB(None)
    source.load([DATA / "minimal-article.yaml"])
    article = "https://w3id.org/event-kb/article/example-2025-06-02-acme-signs-mou"
    out = io.BytesIO()
    source.export(out, RdfFormat.N_QUADS, [article])
    turtle = serialize(
        [q.triple for q in parse(out.getvalue(), RdfFormat.N_QUADS)], format=RdfFormat.TURTLE
    )
    named = "ASK { GRAPH ekg:entities { ekr:globex rdfs:label 'Globex'@en } }"
    ask = "/sparql?" + urllib.parse.urlencode({"query": named})
    store = "/store?" + urllib.parse.urlencode({"graph": article})
    with serving(allow_update=True, token=TOKEN, workers=1) as (url, _):
        assert json.loads(get(url + ask)[2])["boolean"] is False
        assert http("PUT", url + store, turtle, {"Content-Type": "text/turtle", **auth})[0] == 201
        assert json.loads(get(url + ask)[2])["boolean"] is True
        assert http("DELETE", url + store, b"", auth)[0] == 204
        assert json.loads(get(url + ask)[2])["boolean"] is False
        assert http("PUT", url + store, turtle, {"Content-Type": "text/turtle", **auth})[0] == 201
        drop = f"DROP GRAPH <{article}>".encode()
        update = {"Content-Type": "application/sparql-update", **auth}
        assert http("POST", url + "/update", drop, update)[0] == 204
        assert json.loads(get(url + ask)[2])["boolean"] is False
        bad = http("POST", url + "/update", b"DROP GRAPH", update)
        assert bad[0] == 400 and json.loads(get(url + ask)[2])["boolean"] is False


def test_an_update_that_writes_a_broken_entity_record_leaves_a_store_that_opens(
    tmp_path: Path,
) -> None:
    """A record that is not an N-Triples statement asserts nothing; the store still opens
    (the rebuild after the update, and on open, skips it); a graph-store PUT of one is a 400."""
    auth = {"Authorization": f"Bearer {TOKEN}"}
    update = {"Content-Type": "application/sparql-update", **auth}
    article = "https://w3id.org/event-kb/article/example-2025-06-02-acme-signs-mou"
    bad = f'INSERT DATA {{ GRAPH <{article}> {{ <{article}> ek:entityStatement "<a> <b>" }} }}'
    names = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ekg:entities { ?s rdfs:label ?l } }"
    count = "/sparql?" + urllib.parse.urlencode({"query": names})
    store = tmp_path / "store"
    with KB(store) as kb:
        kb.load([DATA / "minimal-article.yaml"])
    with serving(store, allow_update=True, token=TOKEN, workers=1) as (url, _):
        before = json.loads(get(url + count)[2])["results"]["bindings"]
        assert http("POST", url + "/update", bad.encode(), update)[0] == 204
        assert json.loads(get(url + count)[2])["results"]["bindings"] == before
        put = "/store?" + urllib.parse.urlencode({"graph": "urn:x:article"})
        body = b'<urn:x:article> <https://w3id.org/event-kb/ontology#entityStatement> "x" .'
        refused = http("PUT", url + put, body, {"Content-Type": "text/turtle", **auth})
        assert refused[0] == 400 and "is not one N-Triples statement" in refused[2].decode()
    with KB(store) as kb:
        assert not kb.has_graph("urn:x:article")
        assert kb.ask("entity", {"name": "Globex"}).rows()


# -- the CLI and the page ----------------------------------------------------------------------


def test_allow_update_without_a_token_is_refused(runner: Any) -> None:
    from kb.cli import cli

    result = runner.invoke(
        cli, ["--store", ":memory:", "serve", "--allow-update"], env={"KB_TOKEN": ""}
    )
    assert result.exit_code == 1
    assert result.output == "Error: --allow-update needs a token: --token or $KB_TOKEN\n"


@contextmanager
def kb_serve_process(*args: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``kb serve --port 0`` as a real process; yield the URL it prints, then Ctrl-C it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "kb", "--store", ":memory:", "serve", "--port", "0", *args],
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    first = proc.stderr.readline().decode()
    match = re.search(r"http://127\.0\.0\.1:\d+", first)
    assert match, first
    try:
        wait_for(match.group() + "/health")
        yield match.group(), proc
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)


def test_kb_serve_command_answers_and_stops_on_ctrl_c() -> None:
    from SPARQLWrapper import JSON, SPARQLWrapper

    with kb_serve_process("--timeout", "5") as (url, proc):
        client = SPARQLWrapper(url + "/sparql")
        client.setQuery(PARTNERS)
        client.setReturnFormat(JSON)
        bindings = client.query().convert()["results"]["bindings"]
    assert [b["name"]["value"] for b in bindings] == ["Naver", "Naver Cloud"]
    assert proc.returncode == 0
    log = proc.stderr.read().decode()  # type: ignore[union-attr]
    assert '"GET /sparql?query=' in log and "kb serve: stopped" in log


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:  # .ci/run installs Debian's chromium; its absence is a broken setup
        raise RuntimeError("chromium is missing: apt-get install chromium")
    return exe


def test_query_page_runs_a_canned_query_and_shows_its_rows(tmp_path: Path) -> None:
    # /editor?run=NAME does what a click on NAME in the list does: fetch the bound text, put it in
    # the YASGUI editor, run it against /sparql, show the table. Every host but loopback
    # resolves to nothing, so the page must work offline.
    with serving(workers=1) as (url, log):
        dom = subprocess.run(
            [
                chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                f"--user-data-dir={tmp_path}",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--virtual-time-budget=20000",
                "--dump-dom",
                f"{url}/editor?run=partners-expanding",
            ],
            capture_output=True,
            timeout=120,
            check=True,
            env={**os.environ, "LANG": "C.UTF-8"},
        ).stdout.decode()
    requests = log.getvalue()
    assert '"GET /queries/partners-expanding.rq?org=NVIDIA&region=Middle+East ' in requests
    assert '"POST /sparql HTTP/1.1" 200' in requests
    table = dom[dom.index("<table") :]
    cells = [
        re.sub(r"<[^>]+>|\s+", " ", c).strip()
        for c in re.findall(r"<td[^>]*>(.*?)</td>", table, re.S)
    ]
    assert any(c.startswith('"Naver Cloud"') for c in cells), cells[:20]
    assert any(c.startswith('"Naver"') for c in cells)
    assert "Showing 1 to 2 of 2 entries" in re.sub(r"<[^>]+>", "", dom)


def test_an_error_while_results_are_read_is_answered_and_logged_once() -> None:
    """An unbound ``SERVICE ?u`` fails while rows are read (federation on, so it runs): the
    answer is rendered whole in the worker before a byte is sent, so the caller gets one
    500 with the engine's reason, and the log has one line for it besides the access line."""
    query = urllib.parse.urlencode({"query": "SELECT * { SERVICE ?u { ?a ?b ?c } }"})
    with serving(allow_federation=True, workers=1) as (url, log):
        status, media, body = get(f"{url}/sparql?{query}")
        assert get(f"{url}/health")[0] == 200
    assert (status, media) == (500, "text/plain")
    assert body == (
        b"500 Internal Server Error: the query failed while it ran: "
        b"The variable encoding the service name is unbound\n"
    )
    lines = log.getvalue().splitlines()
    assert [line for line in lines if "unbound" in line] == [
        "500 for 'GET /sparql?" + query + " HTTP/1.1': " + body.decode().strip()
    ]
    assert "Traceback" not in log.getvalue()


@pytest.mark.parametrize("where", ["memory", "disk"])
def test_a_write_stopped_at_the_deadline_loses_nothing_answered(where: str, tmp_path: Path) -> None:
    """An endless update is stopped (its writer process killed) at --timeout: the caller gets
    503, a new writer takes over (an in-memory store from the last snapshot, an on-disk one
    from the store, its journal undoing what was half written), and what was written before
    is still there, and writing goes on."""
    auth = {"Authorization": f"Bearer {TOKEN}"}
    update = {"Content-Type": "application/sparql-update", **auth}
    before = b"INSERT DATA { GRAPH <https://w3id.org/event-kb/article/kept> { <https://e/s> <https://e/p> 1 } }"
    endless = (
        b"INSERT { GRAPH <https://w3id.org/event-kb/article/never> { ?a ?b ?c } } "
        b"WHERE { GRAPH ?x { ?a ?b ?c } GRAPH ?y { ?d ?e ?f } GRAPH ?z { ?g ?h ?i } }"
    )  # an update's WHERE reads the store's own default graph, empty here: hence GRAPH
    after = b"INSERT DATA { GRAPH <https://w3id.org/event-kb/article/after> { <https://e/s> <https://e/p> 2 } }"
    location = None if where == "memory" else tmp_path / "store"
    with serving(location, allow_update=True, token=TOKEN, timeout=2, workers=1) as (url, _):
        assert http("POST", url + "/update", before, update)[0] == 204
        status, _, body = http("POST", url + "/update", endless, update)
        assert status == 503, body
        assert b"the write did not finish within 2 s (kb serve --timeout) and was stopped" in body
        assert http("POST", url + "/update", after, update)[0] == 204
        for graph, found in (("kept", 200), ("never", 404), ("after", 200)):
            store = "/store?graph=https://w3id.org/event-kb/article/" + graph
            assert get(url + store)[0] == found, graph
