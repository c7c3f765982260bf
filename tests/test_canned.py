"""Golden answers for every canned query on the seed KB, asked in English and in Korean.

Each case runs a canned query with English names and with Korean names for its
parameters; both must give the answer recorded in ``tests/golden/NAME.en.csv`` (names in
English). Asked with ``--lang ko``, the answer is ``tests/golden/NAME.ko.csv`` (names in
Korean). The golden files are real output, reviewed by hand; regenerate them after a
deliberate change with ``python -m tests.update_golden`` and review the diff line by line
against the article. The tests only ever compare: none of them writes a golden file.

``check_golden`` is shared with the remote-store tests, which must give the same answers.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import NamedNode

from kb import KB, ParameterError
from kb.namespaces import EKR
from kb.sparql.catalogue import canned_queries
from tests.conftest import TURTLE_PREFIXES

GOLDEN = Path(__file__).parent / "golden"

Cases = dict[str, tuple[dict[str, str], dict[str, str]]]
"""name: (parameters with English names, the same with Korean names)"""
CASES: Cases = {
    "partners-expanding": (
        {"org": "NVIDIA", "region": "Middle East"},
        {"org": "엔비디아", "region": "중동"},
    ),
    "meetings": ({"person": "Lee Hae-jin"}, {"person": "이해진"}),
    "agreements": ({"org": "Naver"}, {"org": "네이버"}),
    "people": ({"org": "Naver"}, {"org": "네이버"}),
    "timeline": ({"entity": "Lee Hae-jin"}, {"entity": "이해진"}),
    "sources": ({"entity": "Siam AI Cloud"}, {"entity": "시암 AI 클라우드"}),
    "connections": (
        {"entity": "Lee Hae-jin", "other": "Jensen Huang"},
        {"entity": "이해진", "other": "젠슨 황"},
    ),
    "meetings-between": (
        {"person": "Lee Hae-jin", "other": "Jensen Huang"},
        {"person": "이해진", "other": "젠슨 황"},
    ),
    "expansions": ({"region": "Southeast Asia"}, {"region": "동남아"}),
    "partners": ({"org": "Naver Cloud"}, {"org": "네이버클라우드"}),
    "entity": ({"name": "NVIDIA"}, {"name": "엔비디아"}),
}


def normalised(text: str) -> list[list[str]]:
    """CSV rows with list cells ("a, b") sorted: GROUP_CONCAT's order is not specified."""
    rows = list(csv.reader(io.StringIO(text)))
    return [[", ".join(sorted(cell.split(", "))) for cell in row] for row in rows]


def golden_answer(kb: KB, name: str, lang: str, cases: Cases = CASES) -> str:
    """The CSV answer a golden file records: the case's English parameters, in ``lang``."""
    return kb.ask(name, cases[name][0], lang=lang).text("csv")


def check_golden(
    kb: KB,
    name: str,
    params: dict[str, str],
    lang: str,
    *,
    ordered: bool = True,
    folder: Path = GOLDEN,
) -> None:
    """Assert that ``kb`` answers canned query ``name`` as the golden file in ``folder``
    says (``tests/golden`` for the seed KB, ``tests/golden/corpus`` for the corpus).

    ``ordered=False`` compares the rows as a set (after the header): for a server that
    orders text by its own collation, not by code point (Virtuoso, docs/server.md).
    """
    path = folder / f"{name}.{lang}.csv"
    answer = normalised(kb.ask(name, params, lang=lang).text("csv"))
    golden = normalised(path.read_text(encoding="utf-8"))
    if not ordered:
        answer, golden = [answer[0], *sorted(answer[1:])], [golden[0], *sorted(golden[1:])]
    assert answer == golden


def test_every_canned_query_has_a_golden_case() -> None:
    assert set(CASES) == set(canned_queries()) - {"partner-headquarters"}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("asked_in", ["en", "ko"])
def test_golden_answer_with_english_names(seed_kb: KB, name: str, asked_in: str) -> None:
    params = CASES[name][0 if asked_in == "en" else 1]
    check_golden(seed_kb, name, params, "en")


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_answer_with_korean_names(seed_kb: KB, name: str) -> None:
    check_golden(seed_kb, name, CASES[name][0], "ko")


def rows(kb: KB, name: str, **params: Any) -> list[dict[str, Any]]:
    return kb.ask(name, params).rows()


def test_headline_question_finds_naver_not_siam(seed_kb: KB) -> None:
    answer = rows(seed_kb, "partners-expanding", org="NVIDIA", region="Middle East")
    # the partners, and the one expansion into the region: not Naver Cloud's Thai entry
    assert {(r["partnerName"], r["expansion"], r["into"]) for r in answer} == {
        ("Naver", EKR + "expansion-naver-cloud-middle-east-europe", "Middle East"),
        ("Naver Cloud", EKR + "expansion-naver-cloud-middle-east-europe", "Middle East"),
    }
    assert all(r["expandingOrganization"] == "Naver Cloud" for r in answer)
    # asked about Thailand, the answer is the Thai entry only; Siam AI Cloud, Naver Cloud's
    # partner there, is no partner of NVIDIA
    thailand = rows(seed_kb, "partners-expanding", org="NVIDIA", region="Thailand")
    assert {(r["partnerName"], r["expansion"]) for r in thailand} == {
        ("Naver", EKR + "expansion-naver-cloud-thailand"),
        ("Naver Cloud", EKR + "expansion-naver-cloud-thailand"),
    }


def test_region_includes_the_countries_within_it(kb: KB) -> None:
    # The seed expansion names the Middle East itself; a fact filed under Saudi Arabia is
    # found by a question about the Middle East (and about Asia's Western Asia, not Europe).
    kb.load([Path(__file__).parent / "data" / "minimal-article.yaml"])
    assert {
        r["partnerName"] for r in rows(kb, "partners-expanding", org="Globex", region="Middle East")
    } == {"Acme AI"}
    assert rows(kb, "partners-expanding", org="Globex", region="Europe") == []


def test_entities_defined_by_many_articles_give_no_duplicate_rows(kb: KB, tmp_path: Path) -> None:
    # Each article re-defines the entities it mentions, so their names and types are said
    # by several articles; the answers must still list each fact (one per article: a fact
    # id belongs to one article) once.
    text = (Path(__file__).parent / "data" / "minimal-article.yaml").read_text(encoding="utf-8")
    facts = ("post-jane-roe-acme-ceo", "mou-acme-globex-2025", "expansion-acme-middle-east")
    for n in range(3):
        copy = tmp_path / f"copy{n}.yaml"
        own = text.replace("example-2025-06-02-acme-signs-mou", f"copy-{n}")
        for fact in facts:
            own = own.replace(f"id: {fact}", f"id: {fact}-{n}")
        copy.write_text(own, encoding="utf-8")
        kb.load([copy])
    for name, params in [
        ("partners-expanding", {"org": "Globex", "region": "Middle East"}),
        ("agreements", {"org": "Acme"}),
        ("people", {"org": "Acme"}),
        ("expansions", {"region": "Saudi Arabia"}),
        ("partners", {"org": "Acme"}),
        ("entity", {"name": "Acme"}),
    ]:
        answer = kb.ask(name, params).rows()
        assert answer, name
        assert len(answer) == len({tuple(sorted(r.items(), key=str)) for r in answer}), name
    assert len(rows(kb, "agreements", org="Acme")) == 3


def test_meetings_by_organization_includes_its_units(seed_kb: KB) -> None:
    by_org = rows(seed_kb, "meetings", org="NVIDIA")
    # Jung So-young holds her post at NVIDIA Korea, a unit of NVIDIA; Jensen Huang at NVIDIA
    assert {r["date"] for r in by_org} == {"2024-06", "2025-05-22"}
    only_korea = rows(seed_kb, "meetings", org="NVIDIA Korea")
    assert [r["date"] for r in only_korea] == ["2025-05-22"]


def test_timeline_is_oldest_first_with_precision_kept(seed_kb: KB) -> None:
    dates = [r["date"] for r in rows(seed_kb, "timeline", entity="lee-hae-jin")]
    assert dates == sorted(dates)
    assert "2024-06" in dates and "2025-03" in dates  # months stay months


def test_names_ids_and_aliases_resolve_alike(seed_kb: KB) -> None:
    people = {"Lee Hae-jin", "Choi Soo-yeon", "Kim Yu-won"}  # Kim Yu-won: at its unit Naver Cloud
    # a name, an alias, the id, the id as every table prints it, and the IRI
    for name in (
        "naver",
        "Naver",
        "NAVER Corp.",
        "네이버",
        "Naver Corporation",
        "ekr:naver",
        EKR + "naver",
    ):
        assert seed_kb.resolve(name, "Organization") == NamedNode(EKR + "naver"), name
        answer = rows(seed_kb, "people", org=name)
        assert {r["personName"] for r in answer} == people, name


def test_answers_hold_only_the_answer_columns(seed_kb: KB) -> None:
    # no parameter echoed back (org, person, lang), never ek:Any for one left out, in the
    # rows and in every standard format
    for name, (params, _) in CASES.items():
        result = seed_kb.ask(name, params)
        columns = result.variables
        assert not set(columns) & {*params, "lang"}, name
        for fmt in ("csv", "tsv", "json", "xml"):
            text = seed_kb.ask(name, params).text(fmt)
            assert "ontology#Any" not in text, (name, fmt)
    meetings = seed_kb.ask("meetings", {"person": "Lee Hae-jin"}).text("json")
    assert "ontology#Any" not in meetings and '"org"' not in meetings


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        (
            "people",
            {"org": "Jensen Huang"},
            "--org: 'Jensen Huang' (ekr:jensen-huang) is not an Organization",
        ),
        ("people", {"org": "Samsung"}, "--org: nothing in the KB is called 'Samsung'"),
        ("people", {}, "people: --org is required"),
        (
            "people",
            {"org": "Naver", "year": "2025"},
            "people: unknown parameter --year (takes --org)",
        ),
    ],
    ids=["wrong-class", "unknown-name", "missing", "unknown-param"],
)
def test_parameter_errors(seed_kb: KB, name: str, params: dict[str, str], message: str) -> None:
    with pytest.raises(ParameterError) as caught:
        seed_kb.ask(name, params)
    assert str(caught.value) == message


def test_ambiguous_name_lists_the_candidates(kb: KB, tmp_path: Path) -> None:
    # a second organization labelled "Naver" (from another source) makes the name ambiguous
    path = tmp_path / "a.trig"
    path.write_text(
        TURTLE_PREFIXES + "<https://example.org/g> { ekr:another-naver a ek:Organization ;\n"
        '  rdfs:label "Naver"@en . }\n',
        encoding="utf-8",
    )
    kb.load([path])
    with pytest.raises(ParameterError) as caught:
        kb.ask("people", {"org": "Naver"})
    assert str(caught.value) == (
        "--org: 'Naver' is ambiguous: ekr:another-naver (Naver); ekr:naver (Naver); give an id"
    )
    assert rows(kb, "people", org="naver")  # the id still works
