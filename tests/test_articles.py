"""The corpus tests/articles/: seven articles that reference each other and the seed,
loaded in one batch in any order, one by one, reloaded and dropped, always to the same KB.

Every accepted write is followed by ``kb check`` (``conforms``): the corpus has English
and Korean articles, Thai and Japanese names, and the shapes must accept them all.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from pathlib import Path

import pytest
from pyoxigraph import Dataset

from kb import KB, IntegrityError
from kb.namespaces import EK
from kb.shacl import check
from kb.store.lookups import StoreView
from loaders.plan import parse_file
from loaders.references import check_batch
from tests.conftest import SEED_FACTS, canonical_dataset

CORPUS = sorted((Path(__file__).parent / "articles").glob("*.yaml"))
EKA = "https://w3id.org/event-kb/article/"


def conforms(kb: KB) -> None:
    assert check(kb) == []


def loaded(paths: Sequence[Path]) -> KB:
    kb = KB(None)
    kb.load(list(paths))
    conforms(kb)
    return kb


@pytest.fixture(scope="module")
def reference() -> Dataset:
    """The KB after loading the articles one by one in publication order, the only order in
    which each finds what it needs already loaded."""
    kb = KB(None)
    for path in CORPUS:
        kb.load([path])
        conforms(kb)
    return canonical_dataset(kb)


def test_the_corpus_is_seven_articles_in_two_languages() -> None:
    languages = [
        q.object.value
        for path in CORPUS
        for quads in parse_file(path)[1].values()
        for q in quads
        if q.predicate.value == EK + "language"
    ]
    assert sorted(languages) == ["en", "en", "en", "ko", "ko", "ko", "ko"]


@pytest.mark.parametrize(
    "order",
    ["publication", "reversed", "shuffled-1", "shuffled-2", "shuffled-3"],
)
def test_one_batch_in_any_order_gives_the_same_kb(reference: Dataset, order: str) -> None:
    paths = list(CORPUS)
    if order == "reversed":
        paths.reverse()
    elif order.startswith("shuffled"):
        random.Random(int(order[-1])).shuffle(paths)
    assert canonical_dataset(loaded(paths)) == reference


def test_the_batch_resolves_in_every_order_of_its_files() -> None:
    """All 5,040 orders of the seven files, through the batch check itself (the files
    parsed once, the KB's answers remembered): each order is accepted."""
    kb = KB(None)
    planned = [parse_file(p)[0] for p in CORPUS]
    graphs = {g for p in planned for g in p.graphs}
    view = _Remembering(StoreView(kb.backend, graphs))
    orders = 0
    for order in itertools.permutations(planned):
        check_batch(list(order), view)
        orders += 1
    assert orders == 5040


def test_reloading_every_article_changes_nothing(reference: Dataset) -> None:
    kb = loaded(CORPUS)
    for path in reversed(CORPUS):
        kb.load([path])
        conforms(kb)
    kb.load(CORPUS)
    conforms(kb)
    assert canonical_dataset(kb) == reference


def test_the_seed_reloaded_with_the_corpus_in_one_batch(reference: Dataset) -> None:
    kb = loaded([*reversed(CORPUS), SEED_FACTS])
    assert canonical_dataset(kb) == reference


def test_articles_drop_only_when_nothing_still_needs_them(reference: Dataset) -> None:
    kb = loaded(CORPUS)
    before = canonical_dataset(kb)
    # 002 uses Al-Noor Digital, which only 001 defines
    with pytest.raises(IntegrityError, match="'al-noor-digital' would no longer exist"):
        kb.drop(["example-2025-06-12-naver-cloud-al-noor-mou"])
    assert canonical_dataset(kb) == before
    # newest first, each drop is accepted, and the KB is back to the seed alone
    for path in reversed(CORPUS):
        graph = next(iter(parse_file(path)[0].graphs))
        assert kb.drop([graph]) == [graph]
        conforms(kb)
    assert canonical_dataset(kb) == canonical_dataset(KB(None))
    # all at once, in any order of naming them
    kb = loaded(CORPUS)
    ids = [next(iter(parse_file(p)[0].graphs)).removeprefix(EKA) for p in CORPUS]
    random.Random(7).shuffle(ids)
    kb.drop([f"eka:{i}" for i in ids])
    conforms(kb)
    assert canonical_dataset(kb) == canonical_dataset(KB(None))


def test_an_english_article_keeps_its_quotes_in_english() -> None:
    kb = loaded(CORPUS)
    rows = kb.query(
        "SELECT DISTINCT (lang(?q) AS ?l) WHERE { GRAPH ?a { ?f ek:quote ?q } ?a ek:language 'en' }"
    ).rows()
    assert rows == [{"l": "en"}]


class _Remembering:
    """A KBView that asks the store once per question: permutations are then pure Python."""

    def __init__(self, view: StoreView) -> None:
        self.view = view
        self.answers: dict[tuple[str, ...], object] = {}

    def about(self, iris: Sequence[str], detailed: set[str]) -> object:
        key = tuple(iris)
        if key not in self.answers:
            self.answers[key] = self.view.about(iris, detailed)
        return self.answers[key]

    def replaced_definers(self, iri: str) -> list[str]:
        return self.view.replaced_definers(iri)

    def suggest(self, text: str, cls: str | None) -> str | None:
        return self.view.suggest(text, cls)
