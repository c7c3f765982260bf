"""The JSON behind the analysts' page and ``/openapi.json``, called in-process through
``route`` (tests/test_page.py drives the page itself in Chromium)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openapi_spec_validator import validate

from kb import KB
from kb.cli import cli
from kb.http.app import App, ServerConfig
from kb.http.messages import HTTPError, Request, Response
from kb.http.routes import route
from kb.sparql.catalogue import canned_queries


@pytest.fixture(scope="module")
def app() -> Iterator[App]:
    made = App(None, ServerConfig(workers=1))  # a seeded store in memory
    yield made
    made.close()


def get(app: App, path: str, **params: str) -> Response:
    return route(
        app, Request("GET", path, {k: [v] for k, v in params.items()}, {"Host": "kb.test"})
    )


def get_json(app: App, path: str, **params: str) -> Any:
    response = get(app, path, **params)
    assert (response.status, response.content_type) == (200, "application/json; charset=utf-8")
    return json.loads(response.body)


def refused(app: App, path: str, **params: str) -> tuple[int, str]:
    with pytest.raises(HTTPError) as caught:
        get(app, path, **params)
    return caught.value.status, caught.value.message


def test_openapi_is_valid_and_generated_from_the_query_headers(app: App) -> None:
    document = get_json(app, "/openapi.json")
    validate(document)  # the OpenAPI 3.1 schema
    assert document["servers"] == [{"url": "http://kb.test"}]
    for canned in canned_queries().values():
        operation = document["paths"][f"/ask/{canned.name}"]["get"]
        assert operation["summary"] == canned.title
        names = [p["name"] for p in operation["parameters"]]
        assert names == [p.name for p in canned.parameters] + ["lang", "limit", "offset", "format"]
        page = document["paths"][f"/api/answer/{canned.name}"]["get"]["parameters"]
        assert [p["name"] for p in page][-2:] == ["limit", "offset"]
        for param, described in zip(canned.parameters, operation["parameters"], strict=False):
            assert described["required"] == param.required
            if param.default is not None:
                assert described["schema"]["default"] == param.default
    federated = document["paths"]["/ask/partner-headquarters"]["get"]["description"]
    assert "--allow-federation" in federated
    assert {"/api/search", "/api/graph", "/api/entity/{id}"} <= set(document["paths"])


def test_a_readable_answer(app: App) -> None:
    found = get_json(
        app, "/api/answer/partners-expanding", org="NVIDIA", region="Middle East", lang="ko"
    )
    columns = [c["name"] for c in found["columns"]]
    assert columns[0] == "partner"  # partnerName and partner shown as one column
    assert not {"org", "region", "lang", "partnerName", "articleHeadline"} & set(columns)
    first = [row[0] for row in found["rows"]]
    assert first == [
        {"text": "네이버", "iri": "ekr:naver", "href": "/entity/naver", "id": "naver"},
        {
            "text": "네이버클라우드",
            "iri": "ekr:naver-cloud",
            "href": "/entity/naver-cloud",
            "id": "naver-cloud",
        },
    ]
    quote = found["rows"][0][columns.index("quote")]
    assert quote["text"].startswith("네이버클라우드 관계자는 비즈워치에")
    assert quote["source"]["publisher"] == "비즈워치"
    assert quote["source"]["headline"].startswith("이해진, 젠슨 황 또 만났다")
    assert found["bound"]["org"]["text"] == "엔비디아"
    assert set(found["bound"]) == {"org", "region"}  # what was asked: no display-name terms
    assert found["downloads"]["csv"].endswith("&lang=ko&format=csv")


def test_dates_keep_their_precision(app: App) -> None:
    found = get_json(app, "/api/answer/meetings", person="lee-hae-jin")
    dates = [row[0] for row in found["rows"]]
    assert dates == [{"text": "2024-06", "date": "month"}, {"text": "2025-05-22", "date": "day"}]


def test_federated_questions_are_refused_while_federation_is_off(app: App) -> None:
    status, message = refused(app, "/api/answer/partner-headquarters", org="NVIDIA")
    assert status == 403 and "--allow-federation" in message
    config = get_json(app, "/api/config", lang="ko")
    assert config["federation"] is False
    listed = {q["name"]: q for q in config["queries"]}
    assert listed["partner-headquarters"]["federated"] is True
    assert listed["partners-expanding"]["title"] == "지역으로 진출하는 파트너"
    assert listed["partners-expanding"]["parameters"][0]["label"] == "조직"
    assert [lang["tag"] for lang in config["languages"]] == ["en", "ko"]


def test_an_entity_page(app: App) -> None:
    found = get_json(app, "/api/entity/lee-hae-jin", lang="en")
    assert (found["name"], found["classes"]) == ("Lee Hae-jin", ["Person"])
    assert found["names"] == {"en": "Lee Hae-jin", "ko": "이해진"}
    dates = [f["date"]["text"] for f in found["facts"]]
    assert dates == sorted(dates)
    met = next(f for f in found["facts"] if f["date"]["text"] == "2024-06")
    assert met["kind"] == "meeting" and met["as"] == ["participant"]
    assert {"text": "Jensen Huang", "id": "jensen-huang"}.items() <= met["with"][0].items()
    assert met["source"]["publisher"] == "Bizwatch"
    (post,) = found["posts"]
    assert (post["role"]["text"], post["organization"]["text"]) == (
        "chairman of the board",
        "Naver",
    )
    naver = get_json(app, "/api/entity/naver-cloud")
    assert [p["text"] for p in naver["related"]["parent"]] == ["Naver"]
    assert "NVIDIA" in [p["text"] for p in naver["related"]["partner"]]
    place = get_json(app, "/api/entity/saudi-arabia")
    assert "Middle East" in [p["text"] for p in place["related"]["within"]]
    assert refused(app, "/api/entity/nobody")[0] == 404


def test_an_entity_page_shows_its_wikidata_link_and_the_decision(tmp_path: Path) -> None:
    store = tmp_path / "store"
    done = CliRunner().invoke(cli, ["--store", str(store), "link", "--offline"])
    assert done.exit_code == 0, done.output  # the shipped pins, no network
    linked = App(store, ServerConfig(workers=1))
    try:
        (nvidia,) = get_json(linked, "/api/entity/nvidia")["wikidata"]
        (naver,) = get_json(linked, "/api/entity/naver")["wikidata"]
    finally:
        linked.close()
    assert nvidia == {
        "item": "http://www.wikidata.org/entity/Q182477",
        "qid": "Q182477",
        "status": "accepted",
        "score": 1.0,
        "method": "pin",
    }
    assert naver["item"] is None and naver["status"] == "not checked"


def test_search_and_graph(app: App) -> None:
    found = get_json(app, "/api/search", q="네이바", lang="ko")
    assert [(h["id"], h["name"], h["class_label"], h["href"]) for h in found["results"]] == [
        ("naver", "네이버", "조직", "/entity/naver"),
        ("naver-cloud", "네이버클라우드", "조직", "/entity/naver-cloud"),
    ]
    assert refused(app, "/api/search", q="x", limit="0")[0] == 400
    assert refused(app, "/api/search", q="x", **{"class": "Persn"}) == (
        400,
        "--class: no class 'Persn' in the ontology; did you mean Person?",
    )
    drawn = get_json(app, "/api/graph", entity="NVIDIA")
    assert drawn["focus"] == "nvidia" and len(drawn["nodes"]) == 7
    assert refused(app, "/api/graph", entity="NVIDIA", depth="3")[0] == 400
    assert refused(app, "/api/graph", entity="Nobody")[0] == 400


def test_every_page_address_serves_the_page(app: App) -> None:
    for path in ("/", "/entity/naver", "/graph", "/search"):
        response = get(app, path)
        assert response.content_type == "text/html; charset=utf-8"
        assert b"/static/app.js" in response.body
    assert b"yasgui.min.js" in get(app, "/editor").body
    assert refused(app, "/api/nothing")[0] == 404


def sleeping(kb: KB, seconds: float) -> None:
    """A task that outlasts the deadline (a module-level function: tasks travel by name)."""
    time.sleep(seconds)


def test_a_view_past_the_deadline_is_503() -> None:
    slow = App(None, ServerConfig(timeout=0.5, workers=1))
    try:
        started = time.monotonic()
        with pytest.raises(HTTPError) as caught:
            slow.call(sleeping, 5.0)
        assert caught.value.status == 503
        assert time.monotonic() - started < 3
    finally:
        slow.close()
