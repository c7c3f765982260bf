"""The analysts' page in a real browser: headless Chromium (``tests.browser``) over a real
``kb serve`` process on loopback, with every other host unreachable.

One browser and one server for the module, as a user would go: the headline question
answered, the page switched to Korean, a name followed to its entity page, the graph around
NVIDIA, a misspelt name searched. Each test checks what the page shows, that nothing was
fetched from anywhere but the server, and that no script failed. ``KB_UPDATE_SCREENSHOTS=1``
writes the screenshots of docs/page.md (docs/page/*.png); otherwise they go to a temporary
folder, and are taken all the same (taking one is part of what is tested).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import Browser
from tests.servers import wait_for

DOCS = Path(__file__).parent.parent / "docs" / "page"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    """``kb serve --port 0`` on a seeded store; its URL and its access log, read as it comes."""
    store = tmp_path_factory.mktemp("page") / "store"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kb", "--store", str(store), "serve", "--port", "0"],
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    first = proc.stderr.readline().decode()
    match = re.search(r"http://127\.0\.0\.1:\d+", first)
    assert match, first
    log: list[str] = []
    drain = threading.Thread(
        target=lambda: log.extend(line.decode() for line in proc.stderr), daemon=True
    )
    drain.start()
    try:
        wait_for(match.group() + "/health")
        yield match.group(), log
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    opened = Browser(tmp_path_factory.mktemp("chromium"))
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    return DOCS if os.environ.get("KB_UPDATE_SCREENSHOTS") else tmp_path


@pytest.fixture(autouse=True)
def offline_and_clean(browser: Browser, server: tuple[str, list[str]]) -> Iterator[None]:
    """After each test: every request went to the server, and no script threw."""
    browser.requests.clear()
    browser.errors.clear()
    yield
    url = server[0]
    elsewhere = [r for r in browser.requests if not r.startswith((url, "data:", "about:"))]
    assert elsewhere == []
    assert browser.errors == []


def api(url: str, path: str, **params: str) -> object:
    with urllib.request.urlopen(f"{url}{path}?{urllib.parse.urlencode(params)}", timeout=30) as r:
        return json.load(r)


def texts(browser: Browser, selector: str) -> list[str]:
    return browser.evaluate(
        f"[...document.querySelectorAll({json.dumps(selector)})].map(e => e.textContent.trim())"
    )


def answer_rows(browser: Browser, count: int) -> None:
    browser.wait(f"document.querySelectorAll('#answer tbody tr').length === {count}")


def test_the_page_opens_on_the_headline_question_answered(
    browser: Browser, server: tuple[str, list[str]], shots: Path
) -> None:
    url, log = server
    browser.go(f"{url}/?lang=en")
    answer_rows(browser, 2)
    assert texts(browser, ".question h1") == ["Partners expanding into a region"]
    assert texts(browser, "#question-list a")[0] == "Partners expanding into a region"
    assert texts(browser, "#answer tbody tr td:first-child") == ["Naver", "Naver Cloud"]
    links = browser.evaluate(
        "[...document.querySelectorAll('#answer tbody td:first-child a')].map(a => a.pathname)"
    )
    assert links == ["/entity/naver", "/entity/naver-cloud"]
    cells = " ".join(texts(browser, "#answer td"))
    assert "Middle East" in cells and "prospective" in cells
    for noise in ("^^", "@ko", "http://www.w3.org", "https://w3id.org"):
        assert noise not in cells  # no datatypes, language tags or raw IRIs
    sources = texts(browser, "#answer .source")
    assert len(sources) == 2 and all("Bizwatch, 2025-05-23" in s for s in sources)
    # the parameters are columns of the SPARQL answer, not of the page's table
    assert "org" not in texts(browser, "#answer th") and "lang" not in texts(browser, "#answer th")
    csv = browser.evaluate("document.querySelector('a[download$=\".csv\"]').href")
    with urllib.request.urlopen(csv, timeout=30) as response:
        assert "Naver Cloud" in response.read().decode()
    editor = browser.evaluate("document.querySelector('a.editor-link').getAttribute('href')")
    assert editor == "/editor?run=partners-expanding&org=NVIDIA&region=Middle+East"
    federated = browser.evaluate(
        "document.querySelector('#question-list a[data-query=\"partner-headquarters\"]').className"
    )
    assert "disabled" in federated  # needs federation, which this server has off
    assert any('"GET /api/answer/partners-expanding?' in line for line in log)
    browser.screenshot(shots / "headline-en.png")


def test_the_language_switch_changes_answers_and_labels(
    browser: Browser, server: tuple[str, list[str]], shots: Path
) -> None:
    url, _ = server
    browser.go(f"{url}/?lang=en")
    answer_rows(browser, 2)
    browser.evaluate(
        "(() => { const s = document.getElementById('lang'); s.value = 'ko'; "
        "s.dispatchEvent(new Event('change')); })()"
    )
    browser.wait(
        "document.querySelector('.question h1')?.textContent === '지역으로 진출하는 파트너'"
    )
    answer_rows(browser, 2)
    browser.wait("document.querySelector('#answer tbody td')?.textContent === '네이버'")
    assert texts(browser, "#answer tbody tr td:first-child") == ["네이버", "네이버클라우드"]
    assert texts(browser, "#answer th")[0] == "파트너"
    assert texts(browser, "header nav a")[:2] == ["질문", "관계도"]
    assert browser.evaluate("document.documentElement.lang") == "ko"
    assert "중동" in " ".join(texts(browser, "#answer td"))
    assert "lang=ko" in browser.evaluate("location.search")
    browser.screenshot(shots / "headline-ko.png")


def test_a_name_in_an_answer_leads_to_its_entity_page(
    browser: Browser, server: tuple[str, list[str]], shots: Path
) -> None:
    url, _ = server
    browser.go(f"{url}/?q=people&lang=ko")
    browser.wait("document.querySelector('#param-org')")
    browser.type("#param-org", "네이")  # type-ahead from the names in the KB
    browser.wait("document.querySelector('.suggestions li[data-id=\"naver\"]')")
    browser.click('.suggestions li[data-id="naver"]')
    assert browser.evaluate("document.querySelector('#param-org').dataset.id") == "naver"
    browser.click("#ask-form button")
    browser.wait("document.querySelector('#answer a[href=\"/entity/lee-hae-jin\"]')")
    assert "org=naver" in browser.evaluate("location.search")  # the id, behind the name
    browser.click('#answer a[href="/entity/lee-hae-jin"]')
    browser.wait("location.pathname === '/entity/lee-hae-jin' && document.querySelector('h1')")
    browser.wait("document.querySelector('h1').textContent === '이해진'")
    browser.evaluate(
        "(() => { const s = document.getElementById('lang'); s.value = 'en'; "
        "s.dispatchEvent(new Event('change')); })()"
    )
    browser.wait("document.querySelector('h1')?.textContent === 'Lee Hae-jin'")
    names = " ".join(texts(browser, "dl.names dd"))
    assert "이해진" in names and "Lee Haejin" in names and "이 의장" in names
    assert texts(browser, ".badges .badge") == ["person"]
    facts = texts(browser, "article.entity table tbody tr td:first-child")
    assert facts == sorted(facts) and "2024-06" in facts and "2025-05-22" in facts  # time order
    page = " ".join(texts(browser, "article.entity td"))
    assert "chairman of the board" in page and "Jensen Huang" in page
    assert "Bizwatch" in page  # each quote with its article
    browser.screenshot(shots / "entity-lee-hae-jin.png", full_page=True)


def test_the_graph_around_nvidia(
    browser: Browser, server: tuple[str, list[str]], shots: Path
) -> None:
    url, _ = server
    browser.go(f"{url}/graph?lang=en")
    browser.wait("document.querySelector('#graph-entity')")
    browser.type("#graph-entity", "NVID")
    browser.wait("document.querySelector('.suggestions li[data-id=\"nvidia\"]')")
    browser.click('.suggestions li[data-id="nvidia"]')
    browser.evaluate("document.querySelector('#graph-depth').value = '2'")
    browser.click("#graph-form button")
    browser.wait("document.body.dataset.graph === 'nvidia:2'")
    drawn = browser.evaluate(
        "kbGraph.nodes().map(n => [n.id(), n.data('label'), n.data('class')]).sort()"
    )
    expected = api(url, "/api/graph", entity="nvidia", depth="2", lang="en")
    nodes = expected["nodes"]  # type: ignore[index]
    assert drawn == sorted([n["data"]["id"], n["data"]["label"], n["data"]["class"]] for n in nodes)
    ids = {n[0] for n in drawn}
    assert {"nvidia", "jensen-huang", "naver", "naver-cloud", "lee-hae-jin", "siam-ai-cloud"} <= ids
    edges = browser.evaluate("kbGraph.edges().map(e => e.data('label'))")
    assert "meeting 2024-06" in edges and "cooperation 2025-05-22" in edges
    assert browser.evaluate("kbGraph.getElementById('nvidia').data('depth')") == 0
    browser.screenshot(shots / "graph-nvidia.png")
    # a node is a link to its entity page
    where = browser.evaluate(
        "(() => { const p = kbGraph.getElementById('naver').renderedPosition(); const r = "
        "document.getElementById('graph').getBoundingClientRect(); "
        "return {x: r.x + p.x, y: r.y + p.y}; })()"
    )
    browser.click_at(where["x"], where["y"])
    browser.wait("location.pathname === '/entity/naver'")


def test_search_finds_a_misspelt_name(
    browser: Browser, server: tuple[str, list[str]], shots: Path
) -> None:
    url, _ = server
    browser.go(f"{url}/?lang=en")
    browser.type("#search-input", "네이바")  # one vowel off 네이버
    browser.wait("document.querySelector('#search-box .suggestions li')")  # type-ahead too
    browser.key("Enter", 13, "\r")
    browser.wait("location.pathname === '/search' && document.querySelector('a.hit')")
    assert texts(browser, "a.hit") == ["Naver", "Naver Cloud"]
    assert browser.evaluate("document.querySelector('a.hit').pathname") == "/entity/naver"
    assert "네이버" in " ".join(texts(browser, "table.answer td"))
    browser.screenshot(shots / "search.png")


def test_an_answer_comes_a_page_at_a_time(browser: Browser, server: tuple[str, list[str]]) -> None:
    url, _ = server
    whole = api(url, "/api/answer/sources", entity="naver", lang="en")
    assert isinstance(whole, dict) and len(whole["rows"]) > 4
    browser.go(f"{url}/?q=sources&entity=naver&limit=4&lang=en")
    answer_rows(browser, 4)
    assert texts(browser, ".pager .page-rows") == ["rows 1\u20134"]
    assert texts(browser, ".pager a") == ["Next rows →"]
    shown = texts(browser, "#answer tbody tr td:nth-child(2)")
    browser.click(".pager a")
    browser.wait("new URLSearchParams(location.search).get('offset') === '4'")
    browser.wait("document.querySelector('.pager .page-rows')?.textContent === 'rows 5\u20138'")
    assert "limit=4" in browser.evaluate("location.search")
    shown += texts(browser, "#answer tbody tr td:nth-child(2)")
    assert texts(browser, ".pager a") == ["← Previous rows", "Next rows →"]
    browser.click(".pager a")  # previous
    browser.wait("document.querySelector('.pager .page-rows')?.textContent === 'rows 1\u20134'")
    browser.go(f"{url}/?q=sources&entity=naver&limit=4&offset=8&lang=en")
    answer_rows(browser, len(whole["rows"]) - 8)
    shown += texts(browser, "#answer tbody tr td:nth-child(2)")
    assert texts(browser, ".pager a") == ["← Previous rows"]
    expected = [row[1]["text"] if row[1] else "" for row in whole["rows"]]
    assert shown == expected
