"""Linking to Wikidata, enrichment and federated queries, against a real SPARQL server.

"Wikidata" here is `oxigraph serve` on loopback, loaded with the verified seed slice
(tests/data/wikidata/seed-entities.ttl) and a fixture in Wikidata's RDF shape with
look-alikes whose QIDs cannot be real (tests/data/wikidata/fixture.ttl). A small stdlib
proxy in front of it counts the requests that reach "Wikidata", records their headers,
and can answer with scripted failures (429, 503) before passing requests on.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb import KB
from kb.cli import cli
from kb.errors import InputError
from kb.sparql.federation import rewrite_service
from kb.wikidata.client import WikidataClient, WikidataError, retry_after
from kb.wikidata.enrichment import enrich
from kb.wikidata.linking import Linker
from kb.wikidata.pins import Pins, read_pins, shipped_pins
from kb.wikidata.scoring import REVIEW
from tests.conftest import export_nquads
from tests.servers import free_port, oxigraph_server

FIXTURES = Path(__file__).parent / "data" / "wikidata"
WD = "http://www.wikidata.org/entity/"

# Every seed entity the fixture knows, with the QID the seed slice verifies for it.
SEED_LINKS = {
    "nvidia": "Q182477",
    "jensen-huang": "Q305177",
    "santa-clara": "Q159260",
    "united-states": "Q30",
    "south-korea": "Q884",
    "north-korea": "Q423",
    "taiwan": "Q865",
    "thailand": "Q869",
    "saudi-arabia": "Q851",
    "united-arab-emirates": "Q878",
    "europe": "Q46",
    "middle-east": "Q7204",
    "southeast-asia": "Q11708",
}
NEVER = {"Q485639", "Q22502"}  # the web portal Naver; Taiwan the island


class Proxy:
    """Counts and forwards requests to the real server; ``failures`` are answered first."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.requests: list[dict[str, str]] = []
        self.failures: list[tuple[int, dict[str, str]]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                proxy.requests.append(
                    {"user-agent": self.headers.get("User-Agent", ""), "body": body.decode()}
                )
                if proxy.failures:
                    status, headers = proxy.failures.pop(0)
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    message = b"Too many requests, slow down\n"
                    self.send_header("Content-Length", str(len(message)))
                    self.end_headers()
                    self.wfile.write(message)
                    return
                forward = urllib.request.Request(
                    proxy.upstream,
                    data=body,
                    headers={
                        "Content-Type": self.headers.get("Content-Type", ""),
                        "Accept": self.headers.get("Accept", ""),
                    },
                )
                try:
                    with urllib.request.urlopen(forward, timeout=30) as response:
                        status, data = response.status, response.read()
                        ctype = response.headers.get("Content-Type", "")
                except urllib.error.HTTPError as err:
                    status, data, ctype = err.code, err.read(), "text/plain"
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sparql"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def wikidata_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The loopback "Wikidata": oxigraph serve with the seed slice and the fixture."""
    folder = tmp_path_factory.mktemp("wikidata")
    data = folder / "wikidata.ttl"
    data.write_bytes(
        (FIXTURES / "seed-entities.ttl").read_bytes()
        + b"\n"
        + (FIXTURES / "fixture.ttl").read_bytes()
    )
    with oxigraph_server(folder / "store", load=data) as base:
        yield base + "/query"


@pytest.fixture
def proxy(wikidata_server: str) -> Iterator[Proxy]:
    p = Proxy(wikidata_server)
    yield p
    p.close()


@pytest.fixture
def client_for(proxy: Proxy, tmp_path: Path):
    """A fresh client (one per run, as each `kb link` is) sharing one cache directory."""

    def make(*, offline: bool = False, endpoint: str | None = None) -> WikidataClient:
        return WikidataClient(
            endpoint or proxy.url, cache_dir=tmp_path / "cache", offline=offline, backoff=0
        )

    return make


def links_in(kb: KB) -> dict[str, str]:
    """entity id → QID, as the KB stores them in ekg:links."""
    rows = kb.query("SELECT ?e ?item WHERE { GRAPH ekg:links { ?e owl:sameAs ?item } }").rows()
    return {
        r["e"].removeprefix("https://w3id.org/event-kb/id/"): r["item"].removeprefix(WD)
        for r in rows
    }


# -- linking --------------------------------------------------------------------------------


def test_scorer_alone_links_every_seed_entity_the_fixture_knows(kb: KB, client_for) -> None:
    report = Linker(kb, client_for(), Pins()).run()
    assert links_in(kb) == SEED_LINKS
    methods = {d.method for d in report.decisions if d.target}
    assert methods == {"scorer"}


def test_shipped_pins_give_the_same_links(kb: KB, client_for) -> None:
    Linker(kb, client_for(), shipped_pins()).run()
    assert links_in(kb) == SEED_LINKS


@pytest.mark.parametrize("pins", [Pins(), shipped_pins()], ids=["scorer-only", "shipped-pins"])
def test_lookalikes_are_never_chosen(kb: KB, client_for, pins: Pins) -> None:
    report = Linker(kb, client_for(), pins).run()
    chosen = set(links_in(kb).values())
    assert not {q for q in chosen if int(q[1:]) >= 9_000_000_001}
    assert not chosen & NEVER
    weighed = {c.qid for d in report.decisions for c in d.candidates}
    assert {"Q485639", "Q9000000010", "Q9000000002", "Q9000000030"} <= weighed
    if not pins.pins:  # the scorer met the look-alikes of the pinned entities too
        assert {"Q9000000001", "Q9000000020", "Q9000000040", "Q9000000050", "Q22502"} <= weighed


def test_ambiguous_and_unverified_names_go_to_review(kb: KB, client_for) -> None:
    report = Linker(kb, client_for(), shipped_pins()).run()
    review = {d.entity.iri.rsplit("/", 1)[1]: d for d in report.review()}
    lee = review["lee-hae-jin"]
    assert lee.status == REVIEW and lee.reason.startswith("ambiguous")
    assert {c.qid for c in lee.candidates} == {"Q9000000002", "Q9000000003"}
    # Naver Corporation has no verified QID: the portal is the wrong type (and rejected),
    # the Japanese Naver contradicts the KB's country.
    naver = review["naver"]
    assert naver.status == REVIEW
    assert {c.qid for c in naver.candidates} == {"Q485639", "Q9000000010"}
    portal = next(c for c in naver.candidates if c.qid == "Q485639")
    assert portal.rejected and not portal.type_ok
    # One human of that name and nothing in the KB to confirm it: not a link.
    assert review["jung-so-young"].status == REVIEW
    assert "needs a statement the KB confirms" in review["jung-so-young"].reason
    for entity in ("lee-hae-jin", "naver", "naver-cloud", "siam-ai-cloud", "jung-so-young"):
        assert entity not in links_in(kb)
    decided = kb.query(
        "SELECT ?status (COUNT(?c) AS ?n) WHERE { GRAPH ekg:links { "
        "?d ek:linkSubject ekr:lee-hae-jin ; ek:linkStatus ?status ; ek:linkCandidate ?c } } "
        "GROUP BY ?status"
    ).rows()
    assert decided == [{"status": "https://w3id.org/event-kb/ontology#LinkNeedsReview", "n": "2"}]


def test_second_run_makes_no_request(kb: KB, client_for, proxy: Proxy) -> None:
    first = Linker(kb, client_for(), Pins()).run()
    sent = len(proxy.requests)
    assert sent == first.requests > 0
    second = Linker(kb, client_for(), Pins()).run()
    assert len(proxy.requests) == sent
    assert second.requests == 0 and second.cache_hits > 0
    assert [(d.status, d.target) for d in second.decisions] == [
        (d.status, d.target) for d in first.decisions
    ]


def test_requests_identify_the_project(kb: KB, client_for, proxy: Proxy) -> None:
    Linker(kb, client_for(), shipped_pins()).run()
    agents = {r["user-agent"] for r in proxy.requests}
    assert len(agents) == 1
    (agent,) = agents
    assert agent.startswith("event-kb/") and "https://w3id.org/event-kb" in agent


def test_offline_links_from_pins_with_nothing_cached(kb: KB, tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}/sparql"  # nothing listens: any request would fail
    client = WikidataClient(dead, cache_dir=tmp_path / "empty", offline=True)
    report = Linker(kb, client, shipped_pins()).run()
    assert links_in(kb) == SEED_LINKS
    assert report.requests == 0
    assert {d.status for d in report.decisions if d.target is None} == {"not checked"}


def test_offline_answers_from_the_cache_like_online(kb: KB, client_for, proxy: Proxy) -> None:
    Linker(kb, client_for(), Pins()).run()
    online = links_in(kb)
    sent = len(proxy.requests)
    report = Linker(KB(None), client_for(offline=True), Pins()).run()
    assert report.requests == 0 and len(proxy.requests) == sent
    assert online == SEED_LINKS
    assert {d.entity.iri.rsplit("/", 1)[1]: d.target for d in report.decisions if d.target} == (
        online
    )


def test_pins_win_over_the_scorer_and_survive_reruns(kb: KB, client_for, tmp_path: Path) -> None:
    mine = tmp_path / "pins.yaml"
    mine.write_text(
        "format: event-kb-wikidata-pins/1\n"
        "pins:\n"
        "  - entity: lee-hae-jin\n"
        "    qid: Q9000000003\n"
        "    source: checked by hand (test)\n"
        "rejects:\n"
        "  - entity: nvidia\n"
        "    qid: Q182477\n"
        "    source: test of a reject\n",
        encoding="utf-8",
    )
    for _ in range(2):
        pins = shipped_pins()
        pins.update(read_pins(mine))
        report = Linker(kb, client_for(), pins).run()
        links = links_in(kb)
        assert links["lee-hae-jin"] == "Q9000000003"
        assert "nvidia" in links  # a shipped pin stays unless a pin of yours replaces it
        lee = next(d for d in report.decisions if d.entity.iri.endswith("/lee-hae-jin"))
        assert lee.method == "pin" and str(mine) in lee.reason


def test_pin_file_errors_name_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "pins.yaml"
    bad.write_text(
        "format: event-kb-wikidata-pins/1\npins:\n  - entity: naver\n    qid: X12\n"
        "    source: guess\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        read_pins(bad)
    assert (
        str(err.value)
        == f"{bad}:4: pins[0].qid: 'X12' is not a Wikidata item id (Q followed by digits)"
    )


def test_cli_link_rejects_a_pin_for_an_unknown_entity_and_keeps_the_store(
    runner: CliRunner, tmp_path: Path, proxy: Proxy
) -> None:
    store = str(tmp_path / "store")
    bad = tmp_path / "pins.yaml"
    bad.write_text(
        "format: event-kb-wikidata-pins/1\npins:\n  - entity: no-such-company\n"
        "    qid: Q1\n    source: test\n",
        encoding="utf-8",
    )
    with KB(store) as kb:
        before = export_nquads(kb)
    args = ["--store", store, "link", "--endpoint", proxy.url, "--pins", str(bad)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {bad}:3: entity: ekr:no-such-company is not a person, organization or "
        "place of the KB that needs a link\n"
    )
    assert proxy.requests == []
    with KB(store) as kb:
        assert export_nquads(kb) == before


# -- the command line -----------------------------------------------------------------------


def test_cli_link_review_as_csv(runner: CliRunner, tmp_path: Path, proxy: Proxy) -> None:
    store = str(tmp_path / "store")
    args = ["--store", store, "link", "--endpoint", proxy.url, "--cache-dir", str(tmp_path / "c")]
    result = runner.invoke(cli, [*args, "--review", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "linked 13 of 255 entities (13 pinned, 0 by the scorer); review 5; no candidate 237",
        "requests: 247 sent, 0 answered from the cache",
    ]
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["entity", "name", "status", "candidate", "label", "score", "reasons"]
    naver = [r for r in rows if r["entity"] == "ekr:naver"]
    assert [(r["candidate"], r["status"]) for r in naver] == [
        ("Q9000000010", "review"),
        ("Q485639", "review"),
    ]
    assert "country contradicts the KB" in naver[0]["reasons"]
    assert "rejected at facts/links/wikidata-pins.yaml" in naver[1]["reasons"]
    # Offline, the second run answers from the cache: no request, same review.
    again = runner.invoke(cli, [*args, "--offline", "--review", "--format", "csv"])
    assert again.exit_code == 0, again.output
    assert again.stdout == result.stdout
    assert again.stderr.splitlines()[1] == "requests: 0 sent, 247 answered from the cache (offline)"


# -- enrichment and federation --------------------------------------------------------------


def test_enrich_copies_statements_with_provenance(kb: KB, client_for, proxy: Proxy) -> None:
    Linker(kb, client_for(), shipped_pins()).run()
    report = enrich(kb, client_for())
    assert "Q182477" in report.items and report.missing == []
    rows = kb.query(
        "SELECT ?p ?o WHERE { GRAPH ekg:wikidata { wd:Q182477 ?p ?o } } ORDER BY ?p ?o"
    ).rows()
    got = {(r["p"].rsplit("/", 1)[1], r["o"]) for r in rows}
    assert {
        ("P17", WD + "Q30"),
        ("P159", WD + "Q159260"),
        ("P31", WD + "Q4830453"),
        ("P571", "1993-04-05T00:00:00Z"),
        ("P856", "https://www.nvidia.com/"),
    } <= got
    assert kb.query(
        "ASK { GRAPH ekg:wikidata { wd:Q159260 wdt:P17 wd:Q30 ; rdfs:label 'Santa Clara'@en } }"
    ).raw
    prov = kb.query(
        "SELECT ?when ?endpoint WHERE { GRAPH ekg:wikidata { "
        "ekg:wikidata prov:wasDerivedFrom <https://www.wikidata.org/> ; prov:wasGeneratedBy ?a . "
        "?a prov:used wd:Q182477 ; prov:endedAtTime ?when ; prov:wasAssociatedWith ?endpoint } }"
    ).rows()
    assert len(prov) == 1 and prov[0]["endpoint"] == proxy.url
    fetched = datetime.fromisoformat(prov[0]["when"])
    assert abs(datetime.now(UTC) - fetched) < timedelta(hours=1)
    # From the cache: no request, and the retrieval date is when it was really fetched.
    sent = len(proxy.requests)
    enrich(kb, client_for(offline=True))
    assert len(proxy.requests) == sent
    again = kb.query(
        "SELECT ?when WHERE { GRAPH ekg:wikidata { ?a prov:used wd:Q182477 ; "
        "prov:endedAtTime ?when } }"
    ).rows()
    assert again == [{"when": prov[0]["when"]}]


def test_federated_canned_query_reaches_wikidata_through_service(
    kb: KB, client_for, proxy: Proxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    Linker(kb, client_for(), shipped_pins()).run()
    enrich(kb, client_for())
    monkeypatch.setenv("KB_WIKIDATA_SPARQL", proxy.url)
    sent = len(proxy.requests)
    rows = kb.ask("partner-headquarters", {"org": "Naver"}).rows()
    nvidia = next(r for r in rows if r["partnerName"] == "NVIDIA")
    assert nvidia["item"] == WD + "Q182477"
    assert nvidia["headquarters"] == WD + "Q159260"
    assert nvidia["country"] == WD + "Q30"
    assert nvidia["countryName"] == "United States"  # only the SERVICE can say this
    assert len(proxy.requests) > sent
    assert "Q6256" in proxy.requests[-1]["body"]
    unlinked = next(r for r in rows if r["partnerName"] == "Siam AI Cloud")
    assert unlinked["item"] is None and unlinked["countryName"] is None


def test_kb_query_runs_service_against_the_configured_endpoint(
    runner: CliRunner, tmp_path: Path, proxy: Proxy
) -> None:
    sparql = (
        "SELECT ?hq ?name WHERE { SERVICE <https://query.wikidata.org/sparql> { "
        "wd:Q182477 wdt:P159 ?hq . ?hq rdfs:label ?name } }"
    )
    result = runner.invoke(
        cli,
        ["--store", str(tmp_path / "s"), "query", sparql, "--format", "csv"],
        env={"KB_WIKIDATA_SPARQL": proxy.url},
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "hq,name",
        "http://www.wikidata.org/entity/Q159260,Santa Clara",
    ]
    assert len(proxy.requests) == 1


def test_service_iri_is_left_alone_without_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KB_WIKIDATA_SPARQL", raising=False)
    text = "SELECT * { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }"
    assert rewrite_service(text) == text
    assert rewrite_service(text, "http://127.0.0.1:1/sparql") == text.replace(
        "https://query.wikidata.org/sparql", "http://127.0.0.1:1/sparql"
    )


# -- the client: politeness -----------------------------------------------------------------

ASK = "SELECT ?label WHERE { <http://www.wikidata.org/entity/Q30> <http://www.w3.org/2000/01/rdf-schema#label> ?label }"


def test_client_backs_off_on_429_honouring_retry_after(proxy: Proxy, tmp_path: Path) -> None:
    waits: list[float] = []
    proxy.failures = [(429, {"Retry-After": "7"}), (503, {})]
    client = WikidataClient(proxy.url, cache_dir=tmp_path, sleep=waits.append, backoff=1.5)
    answer = client.select(ASK)
    assert [r["label"].value for r in answer.rows] == ["United States"]
    assert waits == [7.0, 3.0]  # Retry-After, then exponential backoff (1.5 * 2**1)
    assert len(proxy.requests) == 3 and client.requests == 3


def test_client_gives_up_after_bounded_retries(proxy: Proxy, tmp_path: Path) -> None:
    waits: list[float] = []
    proxy.failures = [(503, {})] * 5
    client = WikidataClient(proxy.url, cache_dir=tmp_path, sleep=waits.append, max_retries=2)
    with pytest.raises(WikidataError) as err:
        client.select(ASK)
    assert str(err.value) == (
        f"{proxy.url}: HTTP 503 Service Unavailable: Too many requests, slow down "
        "(after 3 attempts)"
    )
    assert waits == [1.0, 2.0] and len(proxy.requests) == 3
    assert not any(tmp_path.rglob("*.json"))  # a failure is not cached


def test_client_does_not_retry_a_bad_request(proxy: Proxy, tmp_path: Path) -> None:
    client = WikidataClient(proxy.url, cache_dir=tmp_path, sleep=lambda _: None)
    with pytest.raises(WikidataError, match="HTTP 400"):
        client.select("SELECT nonsense")
    assert len(proxy.requests) == 1


def test_retry_after_takes_seconds_or_an_http_date() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert retry_after("120") == 120.0
    assert retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30.0
    assert retry_after("soon") is None and retry_after(None) is None


def test_enrich_without_links_says_what_to_do(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["--store", str(tmp_path / "s"), "enrich", "--offline"])
    assert result.exit_code == 1
    assert result.output == "Error: no entity is linked to Wikidata yet: run `kb link` first\n"


def test_link_enrich_and_federate_with_a_remote_store(
    client_for, proxy: Proxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with oxigraph_server(tmp_path / "kb-store") as url:
        kb = KB(url)
        Linker(kb, client_for(), Pins()).run()
        enrich(kb, client_for())
        assert links_in(kb) == SEED_LINKS
        monkeypatch.setenv("KB_WIKIDATA_SPARQL", proxy.url)
        rows = kb.ask("partner-headquarters", {"org": "Naver Cloud"}).rows()
        assert {r["partnerName"]: r["countryName"] for r in rows} == {
            "NVIDIA": "United States",
            "Siam AI Cloud": None,
        }


def test_cache_lives_under_the_user_cache_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from kb.wikidata.client import default_cache_dir

    monkeypatch.delenv("KB_WIKIDATA_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "event-kb" / "wikidata"
    monkeypatch.setenv("KB_WIKIDATA_CACHE", str(tmp_path / "elsewhere"))
    assert default_cache_dir() == tmp_path / "elsewhere"
