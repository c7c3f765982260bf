"""The seed article's facts say what the Korean article says, and nothing it leaves open.

- Every quote is a verbatim sentence of the article (shared/seeds/000_fd6963133e5062bc.txt,
  copied to tests/data/seed-article.ko.txt); every fact has a sourced article and a quote.
- Every claim that needs the article's words (a date, a start, a deadline, an occasion, a
  status, "former") is listed in ``CLAIMS`` with the Korean words that state it, and those
  words must be in the fact's own quotes. The list is the whole set: a date or a status
  added to the fact file without its words here fails, and so does one the KB lost.
- The inventory beside the article (000_fd6963133e5062bc.en.md) is in the KB with the
  precision the article gives, and what the article leaves open (the MOU's day, the name
  of the IT event Jensen Huang visited, when the remarks were made) stays open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from kb import KB
from kb.namespaces import EK, EKA, EKR, XSD
from tests.conftest import DATA

ARTICLE_TEXT = (DATA / "seed-article.ko.txt").read_text(encoding="utf-8")
SEED_ARTICLE = EKA + "bizwatch-2025-05-23-naver-nvidia"


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


def unsupported_facts(kb: KB) -> dict[str, list[str]]:
    """Facts without a sourced article, and facts without a Korean quote: two lists, so
    that a fact lacking either one is reported (not only a fact lacking both)."""
    no_source = kb.query(
        "SELECT ?f WHERE { ?f a ek:Fact . FILTER NOT EXISTS { ?f ek:source ?a . "
        "?a a ek:Article ; ek:publisher ?p ; ek:datePublished ?d ; ek:headline ?h } } ORDER BY ?f"
    ).rows()
    no_quote = kb.query(
        "SELECT ?f WHERE { ?f a ek:Fact . "
        "FILTER NOT EXISTS { ?f ek:quote ?q FILTER(lang(?q) = 'ko') } } ORDER BY ?f"
    ).rows()
    return {
        "no source": [r["f"] for r in no_source],
        "no Korean quote": [r["f"] for r in no_quote],
    }


def test_every_fact_has_an_article_and_a_korean_quote(seed_kb: KB) -> None:
    assert unsupported_facts(seed_kb) == {"no source": [], "no Korean quote": []}


def test_a_fact_that_lost_only_its_quotes_is_reported(kb: KB) -> None:
    # the MOU keeps its source; its quotes go (the mistake the check once let through)
    kb.update("DELETE WHERE { GRAPH ?g { ekr:mou-naver-cloud-siam-ai-cloud-2025 ek:quote ?q } }")
    assert unsupported_facts(kb) == {
        "no source": [],
        "no Korean quote": [EKR + "mou-naver-cloud-siam-ai-cloud-2025"],
    }


# -- claims that need the article's words ------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """``subject predicate value`` in the KB, stated by ``words`` in the quotes of
    ``quoted_by`` (the subject itself unless given: a purpose is quoted by its agreement)."""

    subject: str
    predicate: str
    value: str
    words: tuple[str, ...]
    quoted_by: str = ""


MOU = "mou-naver-cloud-siam-ai-cloud-2025"
CLAIMS = [
    # the article is of 2025-05-23: "last year" is 2024, "on the 22nd" is 2025-05-22
    Claim("meeting-2024-06-lee-huang", "date", "2024-06", ("지난해 6월",)),
    Claim("meeting-2025-05-22-naver-nvidia", "date", "2025-05-22", ("지난 22일",)),
    Claim(
        "meeting-2025-05-22-naver-nvidia",
        "occasion",
        EKR + "nvidia-it-event-taiwan-2025",
        ("대만에서 열리는 자사 IT 행사를 방문하는 일정에 맞춰",),
    ),
    Claim(
        "post-lee-hae-jin-naver-board-chair", "startDate", "2025-03", ("지난 3월 이사회에 복귀",)
    ),
    Claim("post-thaksin-former-prime-minister", "isFormer", "true", ("탁신 친나왓 전 총리",)),
    # the MOU: during "this Taiwan trip" (the 22 May meeting's), at NCP Summit, no day given
    Claim(MOU, "date", "2025-05", ("이번 대만 일정", "협약을 체결")),
    Claim(MOU, "occasion", EKR + "ncp-summit-2025", ("'NCP 서밋'에서", "협약을 체결")),
    Claim(MOU + "/purpose-1", "deadline", "2025", ("올해 말까지",), quoted_by=MOU),
    Claim("ncp-summit-2025", "date", "2025-05", ("이번 대만 일정", "대만에서 열린")),
    Claim("ai-seoul-summit", "date", "2024", ("지난해 열린 'AI 서울 정상회의'",)),
    Claim("remark-lee-ai-seoul-summit", "date", "2024", ("지난해 열린 'AI 서울 정상회의'에서",)),
    Claim(
        "remark-lee-ai-seoul-summit",
        "occasion",
        EKR + "ai-seoul-summit",
        ("'AI 서울 정상회의'에서",),
    ),
    # discussed at the meeting, expected to unfold: a prospect, not a plan or a start
    Claim("cooperation-naver-nvidia-ai", "date", "2025-05-22", ("지난 22일", "논의했다")),
    Claim(
        "cooperation-naver-nvidia-ai",
        "status",
        EK + "Prospective",
        ("사업협력은 동남아뿐 아니라 중동, 유럽 등으로 본격 전개될 전망",),
    ),
    Claim(
        "expansion-naver-cloud-middle-east-europe",
        "status",
        EK + "Prospective",
        ("중동, 유럽 시장으로 확장하는 구체적인 방안에 대해 논의", "본격 전개될 전망"),
    ),
    # Lee Hae-jin went along with Naver Cloud's entry into Thailand on this trip
    Claim("expansion-naver-cloud-thailand", "date", "2025-05", ("이번 대만 일정",)),
    Claim(
        "expansion-naver-cloud-thailand",
        "status",
        EK + "Underway",
        ("네이버클라우드의 태국 진출에도 동행해", "동남아 시장 진출을 가속화할 계획"),
    ),
]
CLAIMED = ("date", "startDate", "endDate", "deadline", "occasion", "status", "isFormer")


def seed_values(kb: KB) -> dict[tuple[str, str], str]:
    """Every claimed property of what the seed article defines (its facts, their purposes,
    its entities, whose statements sit in ekg:entities), by (subject, property)."""
    values = ", ".join(f"ek:{p}" for p in CLAIMED)
    rows = kb.query(
        f"SELECT DISTINCT ?s ?p ?o WHERE {{ {{ ?s ek:source <{SEED_ARTICLE}> }} UNION "
        f"{{ ?f ek:source <{SEED_ARTICLE}> ; ek:purpose ?s }} "
        f"?s ?p ?o FILTER(?p IN ({values})) }}"
    ).rows()
    found: dict[tuple[str, str], str] = {}
    for row in rows:
        key = (row["s"].removeprefix(EKR), row["p"].removeprefix(EK))
        assert key not in found, f"two values for {key}"
        found[key] = row["o"]
    return found


def quotes_of(kb: KB, subject: str) -> str:
    rows = kb.query(
        f"SELECT ?q WHERE {{ GRAPH <{SEED_ARTICLE}> {{ <{EKR}{subject}> ek:quote ?q }} }}"
    ).rows()
    return " ".join(squeeze(r["q"]) for r in rows)


def test_every_claim_that_needs_the_articles_words_is_listed(seed_kb: KB) -> None:
    listed = {(c.subject, c.predicate): c.value for c in CLAIMS}
    assert seed_values(seed_kb) == listed


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: f"{c.subject}.{c.predicate}")
def test_each_claim_is_stated_by_its_quotes(seed_kb: KB, claim: Claim) -> None:
    quotes = quotes_of(seed_kb, claim.quoted_by or claim.subject)
    assert quotes, f"{claim.subject} has no quote"
    missing = [w for w in claim.words if w not in quotes]
    assert missing == [], f"{claim.subject} {claim.predicate} {claim.value}: not in its quotes"


def test_the_article_is_dated_as_the_claims_read_it(seed_kb: KB) -> None:
    # "last year", "on the 22nd", "in March" are read from the publication date
    (row,) = seed_kb.query(f"SELECT ?d WHERE {{ <{SEED_ARTICLE}> ek:datePublished ?d }}").rows()
    assert row["d"] == "2025-05-23T12:16:00+09:00"
    assert "2025.05.23(금) 12:16" in ARTICLE_TEXT


# -- what the article leaves open stays open ---------------------------------------------------


def test_nothing_names_the_it_event_the_article_leaves_unnamed(seed_kb: KB) -> None:
    # 자사 IT 행사 ("his company's IT event"): the article names no event, so neither may the KB
    rows = seed_kb.query(
        "SELECT ?s ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o) && "
        "(CONTAINS(LCASE(STR(?o)), 'computex') || CONTAINS(STR(?o), '컴퓨텍스'))) }"
    ).rows()
    assert [r for r in rows if not r["s"].startswith(EK)] == []
    assert ("nvidia-it-event-taiwan-2025", "date") not in seed_values(seed_kb)


@pytest.mark.parametrize(
    "fact",
    [
        "remark-naver-cloud-official-to-bizwatch",
        "remark-kim-yu-won-thai-cooperation",
        "expansion-naver-cloud-middle-east-europe",
    ],
)
def test_no_date_the_article_does_not_give(seed_kb: KB, fact: str) -> None:
    assert not seed_kb.query(f"ASK {{ <{EKR}{fact}> ek:date ?d }}").raw


def test_the_mou_day_stays_open(seed_kb: KB) -> None:
    assert not seed_kb.query(
        f"ASK {{ ekr:{MOU} ek:date ?d FILTER(DATATYPE(?d) != xsd:gYearMonth) }}"
    ).raw


# -- the inventory -----------------------------------------------------------------------------


def one(kb: KB, sparql: str) -> dict[str, str]:
    (row,) = kb.query(sparql).rows()
    return row


@pytest.mark.parametrize(
    ("sparql", "expected"),
    [
        # the MOU's month is known, its day is not: a gYearMonth, not a date
        (
            f"SELECT ?d (DATATYPE(?d) AS ?t) WHERE {{ ekr:{MOU} ek:date ?d }}",
            {"d": "2025-05", "t": XSD + "gYearMonth"},
        ),
        (
            "SELECT ?d (DATATYPE(?d) AS ?t) WHERE { ekr:meeting-2024-06-lee-huang ek:date ?d }",
            {"d": "2024-06", "t": XSD + "gYearMonth"},
        ),
        (
            "SELECT ?d (DATATYPE(?d) AS ?t) WHERE { ekr:meeting-2025-05-22-naver-nvidia ek:date ?d }",
            {"d": "2025-05-22", "t": XSD + "date"},
        ),
        (
            "SELECT ?parent WHERE { ekr:naver-cloud ek:subOrganizationOf ?parent }",
            {"parent": EKR + "naver"},
        ),
        (
            "SELECT ?parent WHERE { ekr:nvidia-korea ek:subOrganizationOf ?parent }",
            {"parent": EKR + "nvidia"},
        ),
        (
            # the IT event is NVIDIA's (자사: Jensen Huang's company), in Taiwan, unnamed
            "SELECT ?org ?place WHERE { ekr:nvidia-it-event-taiwan-2025 ek:organizer ?org ; "
            "ek:place ?place }",
            {"org": EKR + "nvidia", "place": EKR + "taiwan"},
        ),
        (
            f"SELECT (COUNT(?p) AS ?n) WHERE {{ ekr:{MOU} ek:purpose ?p }}",
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
            "SELECT ?s WHERE { ekr:remark-naver-cloud-official-to-bizwatch "
            "ek:speakerDescription ?s FILTER(lang(?s) = 'ko') }",
            {"s": "네이버클라우드 관계자"},
        ),
        (
            # he went along with Naver Cloud's entry into Thailand
            "SELECT ?who WHERE { ekr:expansion-naver-cloud-thailand ek:participant ?who }",
            {"who": EKR + "lee-hae-jin"},
        ),
    ],
    ids=[
        "mou-month",
        "first-meeting-month",
        "second-meeting-day",
        "naver-cloud-in-naver",
        "nvidia-korea-in-nvidia",
        "it-event-of-nvidia-in-taiwan",
        "mou-purposes",
        "interpreter",
        "nephew-of-thaksin",
        "cousin-of-pm",
        "unnamed-speaker",
        "lee-accompanied-thailand-entry",
    ],
)
def test_inventory_fact(seed_kb: KB, sparql: str, expected: dict[str, str]) -> None:
    assert one(seed_kb, sparql) == expected


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


# -- where a user looks ------------------------------------------------------------------------


def test_siam_ai_clouds_sources_include_its_heads_family_ties(seed_kb: KB) -> None:
    quotes = {r["quote"] for r in seed_kb.ask("sources", {"entity": "Siam AI Cloud"}).rows()}
    assert any("태국 총리의 외사촌이자 탁신 친나왓 전 총리의 조카" in q for q in quotes)
    assert any("현지 정부의 전폭적 지지" in q for q in quotes)


def test_lee_hae_jins_timeline_includes_the_thailand_entry(seed_kb: KB) -> None:
    rows = seed_kb.ask("timeline", {"entity": "이해진"}).rows()
    assert EKR + "expansion-naver-cloud-thailand" in {r["fact"] for r in rows}
