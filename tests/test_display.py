"""The names answers show (kb.store.display): one fallback chain, every step of it, in any
language an article uses, and what `--lang` says about a language the KB does not have."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb import KB, ParameterError
from kb.namespaces import DERIVED_GRAPH, EKR
from kb.store import derived
from tests.conftest import TURTLE_PREFIXES
from tests.test_corpus import ARTICLES, CORPUS

# A Chinese article (its quotes in Chinese): Alpha is named in English and Chinese, Beta in
# Korean and Chinese (no English), Delta in German, English and Chinese, Gamma in Japanese
# only; Alpha and Beta's meeting has no name.
CHINESE_ARTICLE = """\
format: event-kb/1
article:
  id: example-2025-01-03-alpha-beta
  headline: {zh: 阿尔法与贝塔会面}
  publisher: {zh: 示例新闻}
  published: 2025-01-03T09:00:00+08:00
  language: zh
entities:
  - id: alpha
    type: Person
    name: {en: Alpha, zh: 阿尔法}
  - id: beta
    type: Person
    name: {ko: 베타, zh: 贝塔}
  - id: delta-co
    type: Organization
    name: {de: Delta AG, en: Delta, zh: 德尔塔}
  - id: gamma-co
    type: Organization
    name: {ja: ガンマ}
facts:
  - id: meeting-alpha-beta
    type: Meeting
    date: 2025-01-02
    participants: [alpha, beta]
    quote: 阿尔法与贝塔于一月二日会面。
  - id: cooperation-delta-gamma
    type: Cooperation
    name: {en: Delta and Gamma cooperate}
    parties: [delta-co, gamma-co]
    quote: 德尔塔与伽马合作。
"""


@pytest.fixture(scope="module")
def chinese_kb(tmp_path_factory: pytest.TempPathFactory) -> KB:
    path = tmp_path_factory.mktemp("zh") / "alpha.yaml"
    path.write_text(CHINESE_ARTICLE, encoding="utf-8")
    kb = KB(None)
    kb.load([path])
    return kb


def names(kb: KB, lang: str) -> dict[str, str]:
    """Partner name → the basis shown, for Delta's partners, in ``lang``."""
    rows = kb.ask("partners", {"org": "delta-co"}, lang=lang).rows()
    return {r["partnerName"]: r["basis"] for r in rows}


def test_the_languages_are_english_and_those_the_articles_use(chinese_kb: KB) -> None:
    # ko (the seed), zh (the article's language and names), de and ja (names it gives);
    # the gazetteer's few names in Thai or Arabic do not make a language of their own
    assert chinese_kb.languages() == ["de", "en", "ja", "ko", "zh"]


def test_each_step_of_the_chain(chinese_kb: KB) -> None:
    def meeting(lang: str) -> dict[str, str]:
        return chinese_kb.ask("meetings", {"person": "alpha"}, lang=lang).rows()[0]

    # 1. the language asked (Beta in Korean); 2. English (Alpha); 3. the article's language
    # (贝塔, not the Korean 베타, which any-label order would pick)
    assert set(meeting("ko")["participants"].split(", ")) == {"Alpha", "베타"}
    assert set(meeting("en")["participants"].split(", ")) == {"Alpha", "贝塔"}
    assert set(meeting("zh")["participants"].split(", ")) == {"阿尔法", "贝塔"}
    # 2. English before any other (Delta, not Delta AG in Korean answers)
    rows = chinese_kb.ask("partners", {"org": "ekr:gamma-co"}, lang="ko").rows()
    assert [r["partnerName"] for r in rows] == ["Delta"]
    # 4. any label: Gamma is named in Japanese only
    assert set(names(chinese_kb, "en")) == set(names(chinese_kb, "ko")) == {"ガンマ"}
    # 5. a fact without a name: its type, parties and date, each by the same chain (the
    # ontology has no Chinese labels: its terms are in English there)
    assert meeting("en")["meetingName"] == "meeting: Alpha, 贝塔 (2025-01-02)"
    assert meeting("ko")["meetingName"] == "회동: Alpha, 베타 (2025-01-02)"
    assert meeting("zh")["meetingName"] == "meeting: 贝塔, 阿尔法 (2025-01-02)"  # by code point
    # a headline and a publisher in the article's own language only: shown in every language
    assert (
        meeting("ko")["articleHeadline"] == meeting("en")["articleHeadline"] == "阿尔法与贝塔会面"
    )
    sources = chinese_kb.ask("sources", {"entity": "alpha"}, lang="ko").rows()
    assert {r["publisher"] for r in sources} == {"示例新闻"}


def test_a_name_keeps_its_own_language_tag(chinese_kb: KB) -> None:
    text = chinese_kb.ask("partners", {"org": "delta-co"}, lang="ko").text("json")
    [row] = json.loads(text)["results"]["bindings"]
    # ガンマ is Japanese in a Korean answer; the English name of the cooperation English
    assert row["partnerName"] == {"type": "literal", "value": "ガンマ", "xml:lang": "ja"}
    assert row["basis"]["xml:lang"] == "en"


def test_the_id_when_nothing_names_it(kb: KB, tmp_path: Path) -> None:
    # an RDF article whose organization and cooperation have no name at all
    path = tmp_path / "nameless.trig"
    path.write_text(
        TURTLE_PREFIXES
        + 'eka:example-nameless { eka:example-nameless a ek:Article ; ek:language "en" .\n'
        "  ekr:nameless-co a ek:Organization .\n"
        "  ekr:coop-nameless a ek:Cooperation , ek:Fact ; ek:source eka:example-nameless ;\n"
        '    ek:party ekr:naver , ekr:nameless-co ; ek:quote "Naver works with someone."@en . }\n',
        encoding="utf-8",
    )
    kb.load([path])
    rows = {r["partner"]: r for r in kb.ask("partners", {"org": "Naver"}).rows()}
    nameless = rows[EKR + "nameless-co"]
    assert nameless["partnerName"] == "nameless-co"  # 6. the id
    assert nameless["basis"] == "cooperation: Naver, nameless-co"
    assert kb.ask("sources", {"entity": "nameless-co"}).rows()[0]["articleHeadline"] == (
        "eka:example-nameless"
    )


def test_lang_takes_any_language_the_kb_has(chinese_kb: KB) -> None:
    assert chinese_kb.ask("entity", {"name": "Alpha"}, lang="zh-Hans").rows()  # zh
    assert chinese_kb.ask("entity", {"name": "Alpha"}, lang="KO").rows()
    with pytest.raises(ParameterError) as caught:
        chinese_kb.ask("entity", {"name": "Alpha"}, lang="fr")
    assert (
        str(caught.value) == "--lang: the KB has no names in 'fr'; it answers in de, en, ja, ko, zh"
    )
    with pytest.raises(ParameterError) as caught:
        chinese_kb.ask("entity", {"name": "Alpha"}, lang="en_US")
    assert str(caught.value) == "--lang: 'en_US' is not a language tag (BCP 47: en, ko, th, ...)"


def test_a_reload_renames_what_it_names(kb: KB, tmp_path: Path) -> None:
    # display names follow every write: a later article's Korean name replaces the English
    # fallback in Korean answers, and goes again with it
    path = tmp_path / "alpha.yaml"
    path.write_text(CHINESE_ARTICLE, encoding="utf-8")
    kb.load([path])
    assert set(names(kb, "ko")) == {"ガンマ"}
    path.write_text(CHINESE_ARTICLE.replace("name: {ja: ガンマ}", "name: {ja: ガンマ, ko: 감마}"))
    kb.load([path])
    assert set(names(kb, "ko")) == {"감마"}
    path.write_text(CHINESE_ARTICLE, encoding="utf-8")
    kb.load([path])
    assert set(names(kb, "ko")) == {"ガンマ"}


def derived_graph(kb: KB) -> set[str]:
    return {str(q) for q in kb.backend.graph_quads([DERIVED_GRAPH])}


def test_a_write_computes_its_display_values_as_a_whole_derivation_would(
    tmp_path: Path,
) -> None:
    # each load computes the display values of what it may have changed (kb.store.display
    # touched_by); after every write, deriving everything again changes nothing
    kb = KB(None)
    for path in CORPUS:  # 006 names Sakura Compute in Korean: 005's posts are renamed
        kb.load([path])
        after_load = derived_graph(kb)
        derived.derive(kb.backend)
        assert derived_graph(kb) == after_load, path.name
    article = tmp_path / "alpha.yaml"
    for text in (
        CHINESE_ARTICLE,  # a new language: every value computed again
        CHINESE_ARTICLE.replace("name: {ja: ガンマ}", "name: {ja: ガンマ, ko: 감마}"),
        CHINESE_ARTICLE.replace("date: 2025-01-02", "date: 2025-01-05"),  # a description changes
    ):
        article.write_text(text, encoding="utf-8")
        kb.load([article])
        after_load = derived_graph(kb)
        derived.derive(kb.backend)
        assert derived_graph(kb) == after_load
    renamed = (ARTICLES / "005-sakura-compute-siam-ai-cloud.yaml").read_text(encoding="utf-8")
    renamed = renamed.replace(
        "name: {en: Haruto Tanaka}", "name: {en: Haruto Tanaka, ja: 田中晴人}"
    )
    again = tmp_path / "005.yaml"
    again.write_text(renamed, encoding="utf-8")
    kb.load([again])  # the same article, reloaded: the old facts' values go or change
    after_load = derived_graph(kb)
    derived.derive(kb.backend)
    assert derived_graph(kb) == after_load
