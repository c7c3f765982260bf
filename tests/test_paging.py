"""Pages of canned answers: ``KB.ask(..., limit=, offset=)``, ``kb ask NAME --limit N
--offset K``, ``/ask/NAME?limit=&offset=`` and the page's ``/api/answer/NAME``.

Every page of an answer, joined in order, is the whole answer (the queries order their rows
totally); a page past the end has no rows; a bad value is one line of error (exit 1) or a
400. Asked over the test corpus (tests/test_corpus.py), where answers have several rows.
"""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import Store

from kb import KB
from kb.cli import cli
from kb.errors import ParameterError
from kb.sparql.catalogue import canned_queries
from kb.sparql.paging import MAX_LIMIT, PAGE_SIZE
from kb.sparql.text import with_page
from tests.test_corpus import CORPUS_CASES, load_corpus
from tests.test_server import get, serving

BAD = ["-1", "1.5", "ten", "", " ", "0x10", "\uff11", str(MAX_LIMIT + 1)]
"""Values refused for limit (every one but the last for offset too)."""


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("paging") / "store"
    with KB(path) as kb:
        load_corpus(kb)
    return path


@pytest.fixture(scope="module")
def corpus(corpus_store: Path) -> Iterator[KB]:
    with KB(corpus_store, read_only=True) as kb:
        yield kb


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


# -- the text --------------------------------------------------------------------------------


def test_the_page_goes_where_the_grammar_puts_it() -> None:
    store = Store()
    store.update(
        "INSERT DATA { " + " ".join(f"<urn:s{i:02}> <urn:p> {i} ." for i in range(20)) + " }"
    )

    def values(sparql: str) -> list[int]:
        return [int(row["o"].value) for row in store.query(sparql)]

    ordered = "SELECT ?o { ?s <urn:p> ?o } ORDER BY ?o"
    assert values(with_page(ordered, 5, 3)) == [3, 4, 5, 6, 7]
    assert values(with_page(ordered, None, 17)) == [17, 18, 19]
    assert with_page(ordered, None, 0) == ordered  # nothing asked: the text as it is
    # a LIMIT and OFFSET of its own are composed with the page's, not doubled
    own = ordered + " LIMIT 10 OFFSET 4"
    assert values(with_page(own, 3, 2)) == [6, 7, 8]
    assert values(with_page(own, 50, 8)) == [12, 13]  # its own 10 rows end at 13
    assert values(with_page(own, 5, 12)) == []
    assert values(with_page(ordered + " OFFSET 4 LIMIT 10", 3, 2)) == [6, 7, 8]
    # a sub-SELECT's LIMIT is the sub-SELECT's
    sub = "SELECT ?o { { SELECT ?o { ?s <urn:p> ?o } ORDER BY ?o LIMIT 6 } } ORDER BY DESC(?o)"
    assert values(with_page(sub, 2, 1)) == [4, 3]
    # before a trailing VALUES block, and after a closing comment
    trailing = "SELECT ?o { ?s <urn:p> ?o } ORDER BY ?o VALUES ?o { 1 2 3 } # LIMIT 1"
    assert values(with_page(trailing, 1, 1)) == [2]
    # a keyword in a string or an IRI is none
    quoted = 'SELECT ?o { ?s <urn:p> ?o FILTER(STR(?s) != "LIMIT 1") } ORDER BY ?o'
    assert values(with_page(quoted, 2, 0)) == [0, 1]


def test_every_canned_query_orders_its_rows_totally() -> None:
    """Pages are deterministic: each query's ORDER BY names every variable it projects
    (after its own keys), so no two different rows tie; an aggregate without GROUP BY has
    one row."""
    for name, canned in canned_queries().items():
        text = re.sub(r"#[^\n]*", "", canned.sparql)
        select = re.search(r"^SELECT (?:DISTINCT )?(.*?)^WHERE", text, re.S | re.M)
        assert select, name
        projected = re.findall(r"\?\w+", re.sub(r"\((?:[^()]|\([^()]*\))*\)", "", select[1]))
        order = re.search(r"^ORDER BY (.*)$", text, re.M)
        if order is None:
            assert name == "meetings-between" and "GROUP BY" not in text, name
            continue
        keys = set(re.findall(r"(?<![(\w])\?\w+", order[1]))
        assert set(projected) <= keys, (name, set(projected) - keys)


def test_no_canned_query_has_a_parameter_named_like_a_page_option() -> None:
    for canned in canned_queries().values():
        assert not {p.name for p in canned.parameters} & {"limit", "offset", "lang", "format"}


# -- the API ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CORPUS_CASES))
def test_the_pages_of_an_answer_joined_are_the_answer(corpus: KB, name: str) -> None:
    params = CORPUS_CASES[name][0]
    whole = corpus.ask(name, params).rows()
    for size in (1, 2, 3):
        joined = []
        for offset in range(0, len(whole) + size, size):
            page = corpus.ask(name, params, limit=size, offset=offset).rows()
            assert len(page) == min(size, max(0, len(whole) - offset))
            joined += page
        assert joined == whole, (name, size)
    assert corpus.ask(name, params, offset=len(whole)).rows() == []
    assert corpus.ask(name, params, limit=5, offset=len(whole) + 7).rows() == []
    assert corpus.ask(name, params, limit=0).rows() == []
    assert corpus.ask(name, params, offset=1).rows() == whole[1:]


def test_bad_page_values_are_refused(corpus: KB) -> None:
    for value in BAD:
        with pytest.raises(ParameterError, match="limit"):
            corpus.ask("timeline", {"entity": "Naver"}, limit=value)
    for value in BAD[:-1]:
        with pytest.raises(ParameterError, match="offset"):
            corpus.ask("timeline", {"entity": "Naver"}, offset=value)
    with pytest.raises(ParameterError):
        corpus.ask("timeline", {"entity": "Naver"}, limit=-3)
    assert (
        corpus.ask("timeline", {"entity": "Naver"}, limit=" 2 ", offset="1").rows()
        == (corpus.ask("timeline", {"entity": "Naver"}).rows()[1:3])
    )


# -- the command line ------------------------------------------------------------------------


def test_kb_ask_limit_and_offset(corpus_store: Path) -> None:
    runner = CliRunner()

    def ask(*args: str):
        return runner.invoke(
            cli, ["--store", str(corpus_store), "ask", "timeline", "--entity", "Naver", *args]
        )

    whole = csv_rows(ask("--format", "csv").output)
    header, rows = whole[0], whole[1:]
    assert len(rows) >= 4
    page = ask("--format", "csv", "--limit", "2", "--offset", "3")
    assert page.exit_code == 0, page.output
    assert csv_rows(page.output) == [header, *rows[3:5]]
    joined = []
    for offset in range(0, len(rows) + 3, 3):
        out = ask("--format", "csv", "--limit", "3", "--offset", str(offset))
        joined += csv_rows(out.output)[1:]
    assert joined == rows
    past = ask("--format", "csv", "--offset", str(len(rows)))
    assert csv_rows(past.output) == [header]
    for option, value in [("--limit", "-1"), ("--offset", "x"), ("--limit", str(MAX_LIMIT + 1))]:
        refused = ask(option, value)
        assert refused.exit_code == 1
        lines = refused.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: ") and option[2:] in lines[0]
    assert "--limit N" in ask("--help").output


# -- HTTP ------------------------------------------------------------------------------------


def test_ask_pages_over_http_in_every_results_format(corpus_store: Path) -> None:
    with serving(corpus_store) as (url, _):

        def ask(fmt: str, **query: str) -> tuple[int, bytes]:
            qs = urllib.parse.urlencode({"entity": "Naver", "format": fmt, **query})
            status, _, body = get(f"{url}/ask/timeline?{qs}")
            return status, body

        status, body = ask("csv")
        assert status == 200
        whole = csv_rows(body.decode())
        header, rows = whole[0], whole[1:]
        _, body = ask("csv", limit="2", offset="1")
        assert csv_rows(body.decode()) == [header, *rows[1:3]]
        _, body = ask("tsv", limit="2", offset="1")
        assert len(body.decode().strip().splitlines()) == 3
        _, body = ask("xml", limit="2", offset="1")
        assert body.count(b"<result>") == 2
        joined = []
        for offset in range(0, len(rows) + 2, 2):
            _, body = ask("json", limit="2", offset=str(offset))
            joined += json.loads(body)["results"]["bindings"]
        _, body = ask("json")
        assert joined == json.loads(body)["results"]["bindings"]
        _, body = ask("json", offset=str(len(rows) + 10))
        assert json.loads(body)["results"]["bindings"] == []
        for key, value in [("limit", "-1"), ("offset", "1.5"), ("limit", str(MAX_LIMIT + 1))]:
            status, body = ask("csv", **{key: value})
            assert status == 400 and key.encode() in body and b"\n" not in body.strip()


def test_the_page_answer_comes_a_page_at_a_time_with_next_and_previous(
    corpus_store: Path,
) -> None:
    with serving(corpus_store) as (url, _):

        def answer(**query: str) -> dict:
            qs = urllib.parse.urlencode({"entity": "Naver", **query})
            status, _, body = get(f"{url}/api/answer/timeline?{qs}")
            assert status == 200, body
            return json.loads(body)

        config = json.loads(get(f"{url}/api/config")[2])
        assert config["pageSize"] == PAGE_SIZE
        whole = answer()
        assert whole["offset"] == 0 and whole["limit"] == PAGE_SIZE
        assert whole["next"] is None and whole["previous"] is None  # fewer rows than a page
        rows, offset, pages = [], 0, 0
        while offset is not None:
            page = answer(limit="2", offset=str(offset))
            assert page["limit"] == 2 and page["offset"] == offset
            assert page["previous"] == (max(0, offset - 2) if offset else None)
            rows += page["rows"]
            offset, pages = page["next"], pages + 1
        assert rows == whole["rows"] and pages == -(-len(rows) // 2)
        assert answer(offset=str(len(rows) + 5))["rows"] == []
        status, _, body = get(f"{url}/api/answer/timeline?entity=Naver&limit=ten")
        assert status == 400 and b"limit" in body
        biggest = answer(limit=str(MAX_LIMIT))  # the largest page allowed is answered
        assert biggest["limit"] == MAX_LIMIT and biggest["rows"] == whole["rows"]
        status, _, body = get(f"{url}/api/answer/timeline?entity=Naver&limit=0")
        assert status == 400 and b"limit must be 1 or more" in body  # never its own next page


def test_a_page_cut_by_the_servers_cap_says_so(corpus_store: Path) -> None:
    with serving(corpus_store, max_results=2, workers=1) as (url, _):
        status, _, body = get(f"{url}/api/answer/timeline?entity=Naver&limit=5")
        found = json.loads(body)
        assert status == 200 and len(found["rows"]) == 2
        assert found["truncated"] and found["next"] == 2
        # previous goes back by the rows a page shows, so no row is skipped going back
        status, _, body = get(f"{url}/api/answer/timeline?entity=Naver&limit=5&offset=4")
        assert status == 200 and json.loads(body)["previous"] == 2
        # a page within the cap is no longer refused as too large
        status, _, body = get(f"{url}/ask/timeline?entity=Naver&limit=2&format=csv")
        assert status == 200 and len(csv_rows(body.decode())) == 3
