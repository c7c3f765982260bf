"""Golden answers for every canned query over the test corpus: the seed article and the
seven articles of ``tests/articles/`` (Korean and English; Thai and Japanese names; each
referring to entities of the seed and of earlier articles), asked in English and in Korean.

What the seed goldens (tests/test_canned.py) cannot show is shown here: names and
headlines of English-only articles in a Korean answer (English, by the fallback chain of
``kb.store.display``), Korean names that a later article gives to an entity an English
article introduced (Sakura Compute, Haruto Tanaka), facts without a name (posts, remarks)
shown by their description, and answers that join facts of several articles.

The corpus is loaded one file at a time in its numbered order (tests/articles/README.md).
The golden files (``tests/golden/corpus/NAME.LANG.csv``) are real output, reviewed line by
line against the articles; ``python -m tests.update_golden`` rewrites them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kb import KB
from kb.namespaces import EKR
from tests.test_canned import GOLDEN, Cases, check_golden

ARTICLES = Path(__file__).parent / "articles"
CORPUS = sorted(ARTICLES.glob("*.yaml"))
CORPUS_GOLDEN = GOLDEN / "corpus"

CORPUS_CASES: Cases = {
    "partners-expanding": (
        {"org": "NVIDIA", "region": "Middle East"},
        {"org": "엔비디아", "region": "중동"},
    ),
    "meetings": ({"person": "Kim Yu-won"}, {"person": "김유원"}),
    "agreements": ({"org": "Naver Cloud"}, {"org": "네이버클라우드"}),
    "people": ({"org": "Siam AI Cloud"}, {"org": "시암 AI 클라우드"}),
    "timeline": ({"entity": "Naver"}, {"entity": "네이버"}),
    "sources": ({"entity": "Sakura Compute"}, {"entity": "사쿠라컴퓨트"}),
    "connections": (
        {"entity": "Naver Cloud", "other": "Sakura Compute"},
        {"entity": "네이버클라우드", "other": "사쿠라컴퓨트"},
    ),
    "meetings-between": (
        {"person": "Kim Yu-won", "other": "Haruto Tanaka"},
        {"person": "김유원", "other": "다나카 하루토"},
    ),
    "expansions": ({"region": "Middle East"}, {"region": "중동"}),
    "partners": ({"org": "Siam AI Cloud"}, {"org": "시암 AI 클라우드"}),
    "entity": ({"name": "Sakura Compute"}, {"name": "사쿠라컴퓨트"}),
}


def load_corpus(kb: KB) -> KB:
    """The corpus loaded into ``kb`` one article at a time, in publication order."""
    for path in CORPUS:
        kb.load([path])
    return kb


@pytest.fixture(scope="module")
def corpus_kb() -> KB:
    return load_corpus(KB(None))


def test_the_corpus_is_what_its_readme_says() -> None:
    assert len(CORPUS) == 7
    assert {p.stem[:3] for p in CORPUS} == {f"00{n}" for n in range(1, 8)}


def test_every_canned_query_has_a_corpus_case() -> None:
    from tests.test_canned import CASES

    assert set(CORPUS_CASES) == set(CASES)


@pytest.mark.parametrize("name", sorted(CORPUS_CASES))
@pytest.mark.parametrize("asked_in", ["en", "ko"])
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_corpus_golden_answers(corpus_kb: KB, name: str, asked_in: str, lang: str) -> None:
    params = CORPUS_CASES[name][0 if asked_in == "en" else 1]
    check_golden(corpus_kb, name, params, lang, folder=CORPUS_GOLDEN)


def test_no_name_cell_is_blank(corpus_kb: KB) -> None:
    # every column that holds a name, a term or a headline has a value in every row,
    # in both languages (the fallback chain ends in the id); a link between two entities
    # (connections) has no fact, so no fact's name
    named = {
        "partnerName", "expandingOrganization", "expansionName", "into", "status",
        "articleHeadline", "meetingName", "participants", "agreementName", "kind",
        "parties", "personName", "role", "unit", "type", "what", "involvedAs", "how",
        "organization", "basisType", "basis", "publisher",
    }  # fmt: skip
    for name, (params, _) in CORPUS_CASES.items():
        for lang in ("en", "ko"):
            for row in corpus_kb.ask(name, params, lang=lang).rows():
                blank = {k for k, v in row.items() if k in named and not v}
                if row.get("type") == "link":
                    blank -= {"what"}
                assert not blank, (name, lang, blank, row)


def test_english_only_articles_answer_in_english_within_korean_answers(corpus_kb: KB) -> None:
    rows = corpus_kb.ask("sources", {"entity": "Sakura Compute"}, lang="ko").rows()
    by_article = {r["article"].rsplit("/", 1)[1]: r for r in rows}
    english = by_article["example-2025-08-05-sakura-compute-siam-ai-cloud"]
    assert english["articleHeadline"].startswith("Sakura Compute and Siam AI Cloud")
    assert english["publisher"] == "Example Asia Tech"
    korean = by_article["example-2025-09-03-naver-cloud-sakura-jv"]
    assert korean["articleHeadline"] == "네이버클라우드·사쿠라컴퓨트, 일본에 소버린 AI 합작법인"
    assert korean["publisher"] == "예시경제"


def test_a_later_article_names_an_earlier_ones_entities_in_korean(corpus_kb: KB) -> None:
    # 005 (English) introduced Haruto Tanaka; 006 (Korean) gave him a Korean name, which
    # the description of 005's unnamed post now uses
    params = {"entity": "haruto-tanaka", "other": "ekr:sakura-compute"}
    rows = corpus_kb.ask("connections", params, lang="ko").rows()
    post = next(r for r in rows if r["fact"] == EKR + "post-haruto-tanaka-sakura-president")
    assert post["what"] == "재직: 다나카 하루토, 사장, 사쿠라컴퓨트"
    rows = corpus_kb.ask("connections", params, lang="en").rows()
    post = next(r for r in rows if r["fact"] == EKR + "post-haruto-tanaka-sakura-president")
    assert post["what"] == "post: Haruto Tanaka, president, Sakura Compute"


def test_any_language_the_kb_has_and_a_clear_error_for_one_it_has_not(corpus_kb: KB) -> None:
    from kb import ParameterError

    assert corpus_kb.languages() == ["en", "ko"]
    # a region of a language the KB has (RFC 4647 lookup): ko-KR answers in ko
    assert corpus_kb.ask("entity", {"name": "Sakura Compute"}, lang="ko-KR").rows()
    with pytest.raises(ParameterError) as caught:
        corpus_kb.ask("entity", {"name": "Sakura Compute"}, lang="th")
    assert str(caught.value) == "--lang: the KB has no names in 'th'; it answers in en, ko"
