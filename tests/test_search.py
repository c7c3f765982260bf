"""``kb search`` and ``KB.search``: entities by part of a name or a misspelt one, in any
language and script, through the trigram index ``ekg:search`` kept in step with every write.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from pyoxigraph import NamedNode

from kb import KB
from kb.cli import cli
from kb.names import search_form, substring_distance, trigrams
from kb.namespaces import SEARCH_GRAPH
from kb.store import search_index
from tests.conftest import DATA

ARTICLES = Path(__file__).parent / "articles"
NAMES_IN_MANY_SCRIPTS = """\
format: event-kb/1
article:
  id: example-2025-07-01-scripts
  headline: {en: Three companies in three scripts}
  publisher: {en: Example News}
  published: 2025-07-01
  language: en
entities:
  - id: sakura-robotics
    type: Organization
    name: {en: Sakura Robotics, ja: サクラロボティクス}
  - id: krung-thep-ai
    type: Organization
    name: {en: Krung Thep AI, th: กรุงเทพเอไอ}
  - id: jose-nunez
    type: Person
    name: {en: José Núñez}
facts:
  - id: cooperation-sakura-krung-thep-2025
    type: Cooperation
    parties: [sakura-robotics, krung-thep-ai]
    quote: Sakura Robotics and Krung Thep AI will work together, said José Núñez.
"""


def found(kb: KB, text: str, **options: object) -> list[str]:
    return [hit.id for hit in kb.search(text, **options)]  # type: ignore[arg-type]


def index_quads(kb: KB) -> set[str]:
    return {str(q) for q in kb.backend.graph_quads([SEARCH_GRAPH])}


# -- what a user types ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("네이바", "naver"),  # one vowel off: 버 → 바
        ("Nvidai", "nvidia"),  # two letters swapped
        ("이해찐", "lee-hae-jin"),  # a tense consonant for a plain one
        ("jensen hwang", "jensen-huang"),
        ("Lee Haejin", "lee-hae-jin"),  # an alias, without the hyphen
        ("LEE hae-JIN", "lee-hae-jin"),
        ("nav", "naver"),  # the start of a name
        ("엔비디아 코리", "nvidia-korea"),  # the start of a Korean name, spaced differently
        ("사우디", "saudi-arabia"),  # a Korean alias of a gazetteer country
        ("uae", "united-arab-emirates"),
        ("중동", "middle-east"),
        ("naver-cloud", "naver-cloud"),  # an id
    ],
)
def test_partial_and_misspelt_names_find_their_entity_first(
    seed_kb: KB, text: str, first: str
) -> None:
    assert found(seed_kb, text)[:1] == [first]


def test_names_that_contain_the_text_are_all_found_and_the_closest_first(seed_kb: KB) -> None:
    hits = seed_kb.search("cloud")
    ids = [h.id for h in hits]
    assert {"naver-cloud", "siam-ai-cloud"} <= set(ids)
    assert all(0.7 <= h.score < 1 for h in hits)  # each contains "cloud", none is it
    # a name that is more of the text ranks higher: Naver Cloud (0.75) before the longer
    # Siam AI Cloud
    assert ids.index("naver-cloud") < ids.index("siam-ai-cloud")


def test_typing_errors_are_not_looked_for_when_a_name_contains_the_text(seed_kb: KB) -> None:
    # "siam" is in Siam AI Cloud; Asia and Russia are one edit from part of "siam" but
    # would only be noise next to it
    assert found(seed_kb, "siam") == ["siam-ai-cloud"]


def test_a_short_text_matches_only_as_typed(seed_kb: KB) -> None:
    assert found(seed_kb, "nvd") == []  # three letters get no typing errors
    assert found(seed_kb, "") == []
    assert found(seed_kb, "  -- ") == []  # nothing left once punctuation goes


def test_the_class_filter_counts_subclasses(seed_kb: KB) -> None:
    assert found(seed_kb, "nvidia", cls="Organization") == ["nvidia", "nvidia-korea"]
    places = found(seed_kb, "nvidia", cls="Place")  # sites are places
    assert places and all(i in ("nvidia-taiwan-office", "nvidia-us-headquarters") for i in places)


def test_a_hit_lists_id_classes_names_aliases_and_what_matched(seed_kb: KB) -> None:
    (hit,) = seed_kb.search("이해찐")
    assert hit.to_json("ko") == {
        "id": "lee-hae-jin",
        "iri": "https://w3id.org/event-kb/id/lee-hae-jin",
        "class": "Person",
        "classes": ["Person"],
        "name": "이해진",
        "names": {"en": "Lee Hae-jin", "ko": "이해진"},
        "aliases": {"en": ["Chairman Lee", "Lee Haejin"], "ko": ["이 의장"]},
        "matched": "이해진",
        "score": hit.to_json()["score"],
    }
    assert 0 < hit.score < 0.7  # a typing error away
    (country,) = seed_kb.search("Saudi Arabia", cls="Country")
    assert country.to_json()["classes"] == ["Country", "Place"]  # most specific first


def test_names_in_any_script(kb: KB, tmp_path: Path) -> None:
    article = tmp_path / "scripts.yaml"
    article.write_text(NAMES_IN_MANY_SCRIPTS, encoding="utf-8")
    kb.load([article])
    assert found(kb, "サクラ")[:1] == ["sakura-robotics"]  # katakana
    assert found(kb, "さくらろぼてぃくす")[:1] == ["sakura-robotics"]  # the same in hiragana
    assert found(kb, "กรุงเทพ")[:1] == ["krung-thep-ai"]  # Thai
    assert found(kb, "Jose Nunez") == ["jose-nunez"]  # accents do not count
    assert found(kb, "JOSÉ NÚÑEZ") == ["jose-nunez"]


def test_articles_that_reference_each_other(kb: KB) -> None:
    for path in sorted(ARTICLES.glob("*.yaml")):  # in publication order
        kb.load([path])
    assert found(kb, "딥코아")[:1] == ["deepcore"]
    assert found(kb, "al noor")[:1] == ["al-noor-digital"]
    assert found(kb, "Somchai")[:1] == ["somchai-boonmee"]


# -- the index -----------------------------------------------------------------------------------


def test_the_index_follows_loads_and_reloads_exactly(kb: KB, tmp_path: Path) -> None:
    article = tmp_path / "acme.yaml"
    original = (DATA / "minimal-article.yaml").read_text(encoding="utf-8")
    article.write_text(original, encoding="utf-8")
    assert found(kb, "Acme AI") == []
    kb.load([article])
    assert found(kb, "Acme AI")[:1] == ["acme"]
    assert found(kb, "애크미") == ["acme"]

    renamed = original.replace(
        "name: {en: Acme AI, ko: 애크미}", "name: {en: Apex Robotics, ko: 에이펙스}"
    )
    article.write_text(renamed, encoding="utf-8")
    kb.load([article])  # the article again, the company renamed
    assert found(kb, "애크미") == []
    assert found(kb, "에이펙스") == ["acme"]
    assert found(kb, "Acme") == ["acme"]  # still its alias, and its id

    # what the writes left equals an index built from scratch: nothing stale, nothing missing
    kept = index_quads(kb)
    kb.backend.replace_graphs({SEARCH_GRAPH: []})
    search_index.build(kb.backend)
    assert index_quads(kb) == kept


def test_the_index_holds_entities_not_facts(seed_kb: KB) -> None:
    nodes = {q.subject.value for q in seed_kb.backend.graph_quads([SEARCH_GRAPH])}
    keys = {search_index.key_of(n) for n in nodes if n != SEARCH_GRAPH}
    assert "naver" in keys and "네이버" in keys and "leehaejin" in keys
    assert not any(k.startswith("meeting") for k in keys)  # fact ids are not searched
    assert "organization" not in keys  # nor the ontology's terms


def test_a_sparql_update_rebuilds_the_index(kb: KB) -> None:
    kb.update(
        "INSERT DATA { GRAPH <https://w3id.org/event-kb/article/x> { ekr:zeta a ek:Organization, "
        'ek:Entity ; rdfs:label "Zeta Quantum"@en ; ek:lookupKey "zetaquantum" } }'
    )
    assert found(kb, "zeta quantm") == ["zeta"]


def test_a_store_without_an_index_builds_it_on_the_first_search(tmp_path: Path) -> None:
    store = tmp_path / "store"
    with KB(store) as kb:
        kb.backend.replace_graphs({SEARCH_GRAPH: []})  # as a store made before the index
        assert not search_index.is_built(kb.backend)
    with KB(store) as kb:
        kb.load([DATA / "minimal-article.yaml"])  # a write with no index: nothing to refresh
        assert not kb.backend.existing_graphs([SEARCH_GRAPH])
        assert found(kb, "globex") == ["globex"]
        assert search_index.is_built(kb.backend)


def test_grams_mark_the_start_and_end_and_split_hangul() -> None:
    assert trigrams(search_form("LG")) == {"^lg", "lg$"}
    assert len(search_form("네이버")) == 6  # three syllables, six jamo
    assert search_index.key_of(search_index.node("네이버").value) == "네이버"


def reference_distance(query: str, text: str) -> int:
    """The plain dynamic programme that ``substring_distance`` computes with bit vectors."""
    m = len(query)
    before: list[int] = []
    previous = list(range(m + 1))
    best = previous[m]
    for j in range(1, len(text) + 1):
        current = [0] * (m + 1)
        for i in range(1, m + 1):
            cost = query[i - 1] != text[j - 1]
            current[i] = min(previous[i] + 1, current[i - 1] + 1, previous[i - 1] + cost)
            if i > 1 and j > 1 and query[i - 1] == text[j - 2] and query[i - 2] == text[j - 1]:
                current[i] = min(current[i], before[i - 2] + 1)
        best = min(best, current[m])
        before, previous = previous, current
    return best


@settings(max_examples=400, deadline=None)
@given(st.text("abcd한", max_size=10), st.text("abcd한", max_size=14))
def test_substring_distance_is_the_edit_distance_to_the_closest_part(query: str, text: str) -> None:
    assert substring_distance(query, text) == reference_distance(query, text)


# -- kb search -----------------------------------------------------------------------------------


def test_kb_search_lists_id_class_and_names(runner: CliRunner) -> None:
    done = runner.invoke(cli, ["--store", ":memory:", "search", "네이바"])
    assert done.exit_code == 0, done.output
    assert done.output == (
        "id           class         name         other names                             matched\n"
        "-----------  ------------  -----------  --------------------------------------  --------------\n"
        "naver        Organization  Naver        네이버, NAVER Corp., Naver Corporation  네이버\n"
        "naver-cloud  Organization  Naver Cloud  네이버클라우드, 네이버 클라우드         네이버클라우드\n"
        "(2 entities)\n"
    )


def test_kb_search_in_korean_as_json(runner: CliRunner) -> None:
    done = runner.invoke(
        cli,
        [
            "--store",
            ":memory:",
            "search",
            "Nvidai",
            "--class",
            "Organization",
            "--lang",
            "ko",
            "--format",
            "json",
        ],
    )
    assert done.exit_code == 0, done.output
    hits = json.loads(done.output)
    assert [(h["id"], h["name"], h["class"]) for h in hits] == [
        ("nvidia", "엔비디아", "Organization"),
        ("nvidia-korea", "엔비디아코리아", "Organization"),
    ]


def test_kb_search_says_when_nothing_matches_and_refuses_unknown_classes(runner: CliRunner) -> None:
    done = runner.invoke(cli, ["--store", ":memory:", "search", "Globex"])
    assert (done.exit_code, done.output) == (
        0,
        "nothing in the KB is called anything like 'Globex'\n",
    )
    done = runner.invoke(cli, ["--store", ":memory:", "search", "nav", "--class", "Persn"])
    assert done.exit_code == 1
    assert done.output == "Error: --class: no class 'Persn' in the ontology; did you mean Person?\n"


def test_kb_search_does_not_slow_kb_ask() -> None:
    from kb.cli import LAZY_COMMANDS

    assert LAZY_COMMANDS["search"] == "kb.cli.search:search"  # imported only when it runs


def test_an_index_node_is_a_valid_iri_for_any_key() -> None:
    for key in ("네이버", "กรุงเทพเอไอ", "さくら", "a%b"):
        assert isinstance(search_index.node(key), NamedNode)


def test_search_on_a_remote_store(tmp_path: Path) -> None:
    from tests.servers import oxigraph_server

    with oxigraph_server(tmp_path / "store") as url:
        kb = KB(url)  # seeded through the Graph Store Protocol, with its index
        kb.load([DATA / "minimal-article.yaml"])  # the index refreshed by SPARQL updates
        assert found(kb, "네이바")[:1] == ["naver"]
        assert found(kb, "Globx") == ["globex"]
