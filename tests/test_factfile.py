"""Fact files: what a valid file becomes in RDF, and the exact error for each kind of mistake."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Triple

from kb import KB, InputError
from kb.namespaces import EK, EKA, EKR, RDF, RDFS, XSD
from kb.store.entity_graph import records_in
from tests.conftest import DATA, export_nquads, planned_graphs

MINIMAL = (DATA / "minimal-article.yaml").read_text(encoding="utf-8")
ARTICLE = EKA + "example-2025-06-02-acme-signs-mou"


def quads_of(kb: KB, path: Path):
    return planned_graphs(kb, path)


def test_minimal_file_becomes_one_article_graph(kb: KB) -> None:
    graphs = quads_of(kb, DATA / "minimal-article.yaml")
    assert list(graphs) == [ARTICLE]
    triples = {(q.subject.value, q.predicate.value, q.object) for q in graphs[ARTICLE]}
    mou = EKR + "mou-acme-globex-2025"
    assert (mou, RDF + "type", NamedNode(EK + "Agreement")) in triples
    # superclasses come from the ontology, so generic queries for events and facts find it
    assert (mou, RDF + "type", NamedNode(EK + "Event")) in triples
    assert (mou, RDF + "type", NamedNode(EK + "Fact")) in triples
    assert (mou, EK + "source", NamedNode(ARTICLE)) in triples
    assert (mou, EK + "kind", NamedNode(EK + "MOU")) in triples
    assert (
        mou,
        EK + "quote",
        Literal(
            "애크미와 글로벡스는 1일 리야드에서 AI 칩 공급을 위한 MOU를 체결했다.", language="ko"
        ),
    ) in triples
    # what the article says of the entities it defines is recorded in the article graph
    # and asserted once, in ekg:entities; where it says it stays with the article
    records = records_in(graphs[ARTICLE])
    based_in = Triple(
        NamedNode(EKR + "acme"), NamedNode(EK + "basedIn"), NamedNode(EKR + "south-korea")
    )
    assert str(based_in) in records
    assert (EKR + "acme", EK + "basedIn", NamedNode(EKR + "south-korea")) not in triples
    assert (EKR + "acme", EK + "source", NamedNode(ARTICLE)) in triples
    # names keep their language, the shortcut beside the post is asserted
    name = Triple(
        NamedNode(EKR + "acme"), NamedNode(RDFS + "label"), Literal("Acme AI", language="en")
    )
    assert str(name) in records
    shortcut = Triple(
        NamedNode(EKR + "jane-roe"), NamedNode(EK + "holdsPostAt"), NamedNode(EKR + "acme")
    )
    assert str(shortcut) in records
    with KB(None) as loaded:
        loaded.load([DATA / "minimal-article.yaml"])
        for t in (based_in, name, shortcut):
            assert loaded.query(f"ASK {{ GRAPH ekg:entities {{ {t} }} }}").raw


@pytest.mark.parametrize(
    ("written", "datatype"),
    [
        ("2024", "gYear"),
        ("2024-06", "gYearMonth"),
        ("2024-06-15", "date"),
        ("2024-06-15T10:00:00+09:00", "dateTime"),
    ],
    ids=["year", "month", "day", "datetime"],
)
def test_dates_keep_their_precision(kb: KB, tmp_path: Path, written: str, datatype: str) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(
        MINIMAL.replace("date: 2025-06-01\n    place", f"date: {written}\n    place"),
        encoding="utf-8",
    )
    graphs = quads_of(kb, path)
    dates = [
        q.object
        for q in graphs[ARTICLE]
        if q.subject.value == EKR + "mou-acme-globex-2025" and q.predicate.value == EK + "date"
    ]
    assert dates == [Literal(written, datatype=NamedNode(XSD + datatype))]


def test_fact_without_id_gets_one_from_article_and_position(kb: KB, tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(MINIMAL.replace("  - id: mou-acme-globex-2025\n", "  -\n"), encoding="utf-8")
    subjects = {q.subject.value for q in quads_of(kb, path)[ARTICLE]}
    assert EKR + "example-2025-06-02-acme-signs-mou-2" in subjects


# Each case: (id, text to replace, replacement, expected message after "FILE:").
ERRORS = [
    (
        "yaml-syntax",
        "  language: ko\n",
        "  language: [ko\n",
        "11:6: YAML syntax error: did not find expected ',' or ']'",
    ),
    (
        "tab-indent",
        "  language: ko\n",
        "\tlanguage: ko\n",
        "10:1: YAML syntax error: found a tab character that violates indentation",
    ),
    (
        "missing-format",
        "format: event-kb/1\n",
        "",
        "1: format: missing (write 'format: event-kb/1')",
    ),
    (
        "wrong-format",
        "format: event-kb/1\n",
        "format: event-kb/9\n",
        "2: format: unsupported format 'event-kb/9'; this version reads event-kb/1",
    ),
    (
        "unknown-field",
        "    based_in: saudi-arabia\n",
        "    based_inn: saudi-arabia\n",
        "21: entities[1].based_inn: unknown field (did you mean based_in?)",
    ),
    (
        "unknown-type",
        "    type: Person\n",
        "    type: Persn\n",
        "23: entities[2].type: unknown type 'Persn' (did you mean Person?)",
    ),
    (
        "unknown-entity",
        "parties: [acme, globex]",
        "parties: [acme, globx]",
        "39: facts[1].parties[1]: unknown entity id 'globx': define it under entities or load the article that does (did you mean globex?)",
    ),
    (
        "wrong-class",
        "    person: jane-roe\n",
        "    person: acme\n",
        "31: facts[0].person: 'acme' is an Organization, not a Person",
    ),
    (
        "duplicate-id",
        "  - id: globex\n",
        "  - id: acme\n",
        "18: entities[1].id: duplicate id 'acme' (first defined on line 13)",
    ),
    (
        "duplicate-key",
        "    based_in: saudi-arabia\n",
        "    based_in: saudi-arabia\n    based_in: thailand\n",
        "22: based_in: duplicate key (first on line 21)",
    ),
    (
        "impossible-date",
        "date: 2025-06-01",
        "date: 2025-13-40",
        "40: facts[1].date: no such date: 2025-13-40 (month 13)",
    ),
    (
        "impossible-day",
        "date: 2025-06-01",
        "date: 2025-02-30",
        "40: facts[1].date: no such date: 2025-02-30 (day 30)",
    ),
    (
        "not-a-date",
        "date: 2025-06-01",
        "date: last June",
        "40: facts[1].date: not a date: 'last June' (write 2025, 2025-05, 2025-05-22 or 2025-05-22T12:16:00+09:00)",
    ),
    (
        "datetime-without-zone",
        "published: 2025-06-02T09:00:00+09:00",
        "published: 2025-06-02T09:00:00",
        "9: article.published: a date-time needs a time zone, such as +09:00: 2025-06-02T09:00:00",
    ),
    (
        "id-with-space",
        "  - id: jane-roe\n",
        "  - id: jane roe\n",
        "22: entities[2].id: not a valid id: 'jane roe' (lowercase letters, digits and hyphens)",
    ),
    (
        "iri-with-space",
        "url: https://news.example/2025/06/02/acme",
        "url: https://news.example/2025/06 02/acme",
        "11: article.url: not an IRI: 'https://news.example/2025/06 02/acme'",
    ),
    (
        "name-not-a-map",
        "    name: {en: Jane Roe, ko: 제인 로}\n",
        "    name: Jane Roe\n",
        "24: entities[2].name: give a language map such as {en: Naver, ko: 네이버}",
    ),
    (
        "bad-language-tag",
        "    name: {en: Jane Roe, ko: 제인 로}\n",
        "    name: {english: Jane Roe}\n",
        "24: entities[2].name: not a language tag: 'english' (use a code such as en, ko, th or ja)",
    ),
    (
        "missing-quote",
        "    quote: 애크미는 이번 협약으로 중동 시장에 진출할 계획이다.\n",
        "",
        "48: facts[2].quote: missing",
    ),
    (
        "too-few-parties",
        "parties: [acme, globex]",
        "parties: [acme]",
        "39: facts[1].parties: needs at least 2, got 1",
    ),
    (
        "bad-enum",
        "    status: planned\n",
        "    status: maybe\n",
        "54: facts[2].status: must be one of planned, underway, completed, announced, prospective; got 'maybe'",
    ),
    (
        "bad-bool",
        "    start: 2023\n",
        "    start: 2023\n    former: yes\n",
        "35: facts[0].former: must be true or false, not 'yes'",
    ),
    (
        "same-id-twice-in-list",
        "parties: [acme, globex]",
        "parties: [acme, acme]",
        "39: facts[1].parties: lists the same id twice",
    ),
    (
        "alias",
        "    name: {en: Globex, ko: 글로벡스}\n",
        "    name: &n {en: Globex, ko: 글로벡스}\n    description: *n\n",
        "21: YAML anchors and aliases are not allowed",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"), [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS]
)
def test_each_mistake_gives_its_error_and_loads_nothing(
    kb: KB,
    tmp_path: Path,
    old: str,
    new: str,
    expected: str,
) -> None:
    assert old in MINIMAL
    path = tmp_path / "bad.yaml"
    path.write_text(MINIMAL.replace(old, new, 1), encoding="utf-8")
    before = export_nquads(kb)
    with pytest.raises(InputError) as caught:
        kb.load([path])
    assert str(caught.value) == f"{path}:{expected}"
    assert export_nquads(kb) == before


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "1: the file is empty"),
        (
            b"format: event-kb/1\narticle:\n  id: caf\xe9\n",
            "3: not UTF-8: byte 0xe9 cannot be decoded",
        ),
        (b"- just\n- a list\n", "1: a fact file is a mapping with article, entities and facts"),
        (b"a: &a [1, 2]\nb: [*a, *a, *a]\n", "2: YAML anchors and aliases are not allowed"),
    ],
    ids=["empty", "not-utf8", "not-a-mapping", "alias-bomb"],
)
def test_unreadable_files(kb: KB, tmp_path: Path, data: bytes, expected: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        kb.validate([path])
    assert str(caught.value) == f"{path}:{expected}"


def test_type_may_not_change_against_the_kb(kb: KB, tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    text = MINIMAL.replace(
        "  - id: jane-roe\n    type: Person\n", "  - id: naver\n    type: Person\n"
    ).replace("jane-roe", "naver")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(
        InputError,
        match=r"'naver' is an Organization elsewhere in the KB \(eka:bizwatch-2025-05-23-naver-nvidia\), not a Person",
    ):
        kb.validate([path])
