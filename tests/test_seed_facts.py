"""The seed article's facts: every quote is the article's own Korean, and the inventory in
shared/seeds/000_fd6963133e5062bc.en.md is in the KB with the precision the article gives."""

from __future__ import annotations

import re

import pytest

from kb import KB
from tests.conftest import DATA

ARTICLE_TEXT = (DATA / "seed-article.ko.txt").read_text(encoding="utf-8")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_quote_is_a_verbatim_sentence_of_the_article(seed_kb: KB) -> None:
    rows = seed_kb.query(
        "SELECT DISTINCT ?q WHERE { { ?f ek:quote ?q } UNION { ?f ek:saying ?q } }"
    ).rows()
    assert len(rows) >= 20
    source = squeeze(ARTICLE_TEXT)
    missing = [r["q"] for r in rows if squeeze(r["q"]) not in source]
    assert missing == []


def test_every_fact_has_an_article_and_a_korean_quote(seed_kb: KB) -> None:
    unsourced = seed_kb.query(
        "SELECT ?f WHERE { ?f a ek:Fact . FILTER NOT EXISTS { ?f ek:source ?a . "
        "?a a ek:Article ; ek:publisher ?p ; ek:datePublished ?d ; ek:headline ?h } "
        "FILTER NOT EXISTS { ?f ek:quote ?q FILTER(lang(?q) = 'ko') } }"
    ).rows()
    assert unsourced == []


def one(kb: KB, sparql: str) -> dict[str, str]:
    (row,) = kb.query(sparql).rows()
    return row


@pytest.mark.parametrize(
    ("sparql", "expected"),
    [
        # the MOU's month is known, its day is not: a gYearMonth, not a date
        (
            "SELECT ?d (DATATYPE(?d) AS ?t) WHERE { ekr:mou-naver-cloud-siam-ai-cloud-2025 ek:date ?d }",
            {"d": "2025-05", "t": "http://www.w3.org/2001/XMLSchema#gYearMonth"},
        ),
        (
            "SELECT ?d (DATATYPE(?d) AS ?t) WHERE { ekr:meeting-2024-06-lee-huang ek:date ?d }",
            {"d": "2024-06", "t": "http://www.w3.org/2001/XMLSchema#gYearMonth"},
        ),
        ("SELECT ?d WHERE { ekr:meeting-2025-05-22-naver-nvidia ek:date ?d }", {"d": "2025-05-22"}),
        # Lee Hae-jin returned to Naver's board in March 2025
        (
            "SELECT ?start WHERE { ?p ek:holder ekr:lee-hae-jin ; ek:organization ekr:naver ; "
            "ek:role ekr:board-chair ; ek:startDate ?start }",
            {"start": "2025-03"},
        ),
        (
            "SELECT ?parent WHERE { ekr:naver-cloud ek:subOrganizationOf ?parent }",
            {"parent": "https://w3id.org/event-kb/id/naver"},
        ),
        (
            "SELECT ?parent WHERE { ekr:nvidia-korea ek:subOrganizationOf ?parent }",
            {"parent": "https://w3id.org/event-kb/id/nvidia"},
        ),
        (
            "SELECT ?e WHERE { ekr:meeting-2025-05-22-naver-nvidia ek:occasion ?e }",
            {"e": "https://w3id.org/event-kb/id/computex-2025"},
        ),
        (
            "SELECT (COUNT(?p) AS ?n) WHERE { ekr:mou-naver-cloud-siam-ai-cloud-2025 ek:purpose ?p }",
            {"n": "4"},
        ),
        (
            "SELECT ?u WHERE { ekr:meeting-2025-05-22-naver-nvidia ek:unnamedParticipant ?u "
            "FILTER(lang(?u) = 'ko') }",
            {"u": "통역사"},
        ),
        (
            "SELECT ?r WHERE { ?k ek:person ekr:ratanaphon-wongnapachant ; "
            "ek:relative ekr:thaksin-shinawatra ; ek:relation ?r FILTER(lang(?r) = 'ko') }",
            {"r": "조카"},
        ),
        (
            "SELECT ?r WHERE { ?k ek:person ekr:ratanaphon-wongnapachant ; "
            "ek:relative ekr:thai-prime-minister-2025 ; ek:relation ?r FILTER(lang(?r) = 'ko') }",
            {"r": "외사촌"},
        ),
        (
            "SELECT ?e WHERE { ekr:remark-lee-ai-seoul-summit ek:occasion ?e }",
            {"e": "https://w3id.org/event-kb/id/ai-seoul-summit"},
        ),
        (
            "SELECT ?s WHERE { ekr:remark-naver-cloud-official-to-bizwatch "
            "ek:speakerDescription ?s FILTER(lang(?s) = 'ko') }",
            {"s": "네이버클라우드 관계자"},
        ),
    ],
    ids=[
        "mou-month",
        "first-meeting-month",
        "second-meeting-day",
        "board-return",
        "naver-cloud-in-naver",
        "nvidia-korea-in-nvidia",
        "timed-to-computex",
        "mou-purposes",
        "interpreter",
        "nephew-of-thaksin",
        "cousin-of-pm",
        "ai-seoul-summit",
        "unnamed-speaker",
    ],
)
def test_inventory_fact(seed_kb: KB, sparql: str, expected: dict[str, str]) -> None:
    assert one(seed_kb, sparql) == expected


def test_the_mou_day_stays_open(seed_kb: KB) -> None:
    # nothing in the KB claims a day for the MOU
    assert not bool(
        seed_kb.query(
            "ASK { ekr:mou-naver-cloud-siam-ai-cloud-2025 ek:date ?d "
            "FILTER(DATATYPE(?d) = xsd:date) }"
        ).raw
    )


@pytest.mark.parametrize(
    "person",
    [
        "lee-hae-jin",
        "jensen-huang",
        "jung-so-young",
        "kim-yu-won",
        "choi-soo-yeon",
        "ratanaphon-wongnapachant",
        "raymond-teh",
        "hue-davis",
    ],
)
def test_every_named_person_has_english_and_korean_names_and_a_post(
    seed_kb: KB, person: str
) -> None:
    row = one(
        seed_kb,
        (
            f"SELECT (SAMPLE(?en) AS ?e) (SAMPLE(?ko) AS ?k) (COUNT(DISTINCT ?post) AS ?n) WHERE {{ "
            f"ekr:{person} rdfs:label ?en FILTER(lang(?en) = 'en') "
            f"ekr:{person} rdfs:label ?ko FILTER(lang(?ko) = 'ko') "
            f"?post ek:holder ekr:{person} }}"
        ),
    )
    assert row["e"] and row["k"] and int(row["n"]) >= 1
