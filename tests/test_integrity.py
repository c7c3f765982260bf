"""Integrity across articles, on every write path: batches that reference each other, the
refusal of any write that would leave a reference to an entity no article defines any more,
fact ids owned by one article, one entity defined alike everywhere.

Article A defines Upstage; article B signs an MOU with it. Every accepted write is followed
by ``kb check``; every refused one leaves the store exactly as it was.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb import KB, InputError, IntegrityError
from kb.errors import KBError
from kb.shacl import check
from tests.conftest import canonical_dataset
from tests.servers import oxigraph_server
from tests.test_server import http, serving

A = """\
format: event-kb/1
article:
  id: example-2025-06-01-a
  headline: {en: Upstage opens an office}
  publisher: {en: Example News}
  published: 2025-06-01
  language: en
entities:
  - id: upstage
    type: Organization
    name: {en: Upstage}
    aliases: {en: [Upstage AI]}
    based_in: south-korea
facts:
  - id: expansion-upstage-japan
    type: Expansion
    organization: upstage
    into: [japan]
    quote: Upstage is opening an office in Tokyo.
"""
A_WITHOUT_UPSTAGE = """\
format: event-kb/1
article:
  id: example-2025-06-01-a
  headline: {en: Upstage opens an office}
  publisher: {en: Example News}
  published: 2025-06-01
  language: en
facts:
  - id: expansion-naver-japan
    type: Expansion
    organization: naver
    into: [japan]
    quote: Naver is opening an office in Tokyo.
"""
B = """\
format: event-kb/1
article:
  id: example-2025-06-02-b
  headline: {en: Naver and Upstage sign an MOU}
  publisher: {en: Example News}
  published: 2025-06-02
  language: en
facts:
  - id: mou-naver-upstage
    type: Agreement
    kind: MOU
    parties: [naver, upstage]
    quote: Naver and Upstage signed an MOU.
"""
B_WITHOUT_UPSTAGE = B.replace("parties: [naver, upstage]", "parties: [naver, nvidia]")
ARTICLE_A = "https://w3id.org/event-kb/article/example-2025-06-01-a"
ARTICLE_B = "https://w3id.org/event-kb/article/example-2025-06-02-b"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def conforms(kb: KB) -> None:
    assert check(kb) == []


def refused(kb: KB, call: object, expected: str, error: type[KBError] = InputError) -> None:
    """``call()`` raises ``error`` saying exactly ``expected``, and changes nothing."""
    before = canonical_dataset(kb)
    with pytest.raises(error) as caught:
        call()  # type: ignore[operator]
    assert str(caught.value) == expected
    assert canonical_dataset(kb) == before


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "a": write(tmp_path, "a.yaml", A),
        "a2": write(tmp_path, "a2.yaml", A_WITHOUT_UPSTAGE),
        "b": write(tmp_path, "b.yaml", B),
        "b2": write(tmp_path, "b2.yaml", B_WITHOUT_UPSTAGE),
    }


@pytest.fixture
def kb_ab(files: dict[str, Path]) -> KB:
    kb = KB(None)
    kb.load([files["a"], files["b"]])
    conforms(kb)
    return kb


# -- batches -------------------------------------------------------------------------------


@pytest.mark.parametrize("order", ["ab", "ba"])
def test_a_batch_resolves_references_among_its_files_in_either_order(
    files: dict[str, Path], order: str
) -> None:
    kb = KB(None)
    kb.load([files[name] for name in order])
    conforms(kb)
    (row,) = kb.ask("agreements", {"org": "Upstage"}).rows()
    assert row["agreement"].endswith("mou-naver-upstage")


def test_one_by_one_the_referenced_article_comes_first(files: dict[str, Path]) -> None:
    kb = KB(None)
    refused(
        kb,
        lambda: kb.load([files["b"]]),
        f"{files['b']}:12: facts[0].parties[1]: unknown entity id 'upstage': define it under "
        "entities or load the article that does",
    )


# -- reloads that would leave a reference dangling ----------------------------------------


def test_a_reload_that_takes_away_a_referenced_entity_is_refused(
    kb_ab: KB, files: dict[str, Path]
) -> None:
    a2 = files["a2"]
    refused(
        kb_ab,
        lambda: kb_ab.load([a2]),
        f"{a2}: entities: 'upstage' would no longer exist but eka:example-2025-06-02-b still "
        "references it (ekr:mou-naver-upstage ek:party); keep it in "
        f"{a2}, define it in that article, or drop that article first",
        IntegrityError,
    )


def test_in_one_batch_the_referring_file_is_named_with_its_line(
    kb_ab: KB, files: dict[str, Path]
) -> None:
    a2, b = files["a2"], files["b"]
    refused(
        kb_ab,
        lambda: kb_ab.load([a2, b]),
        f"{b}:12: facts[0].parties[1]: 'upstage' would no longer exist: only "
        f"eka:example-2025-06-01-a ({a2}) defines it now, and this batch replaces it without "
        "it; keep it there or define it in this file",
    )


def test_a_batch_that_removes_the_entity_and_its_uses_together_is_accepted(
    kb_ab: KB, files: dict[str, Path]
) -> None:
    kb_ab.load([files["b2"], files["a2"]])
    conforms(kb_ab)
    assert not kb_ab.query("ASK { ?s ?p ekr:upstage }").raw
    assert not kb_ab.query("ASK { ekr:upstage ?p ?o }").raw


def test_an_entity_lives_on_while_another_article_defines_it(
    kb_ab: KB, files: dict[str, Path], tmp_path: Path
) -> None:
    also = write(
        tmp_path,
        "c.yaml",
        B.replace("example-2025-06-02-b", "example-2025-06-03-c")
        .replace("mou-naver-upstage", "mou-nvidia-upstage")
        .replace("parties: [naver, upstage]", "parties: [nvidia, upstage]")
        .replace(
            "facts:\n",
            "entities:\n  - id: upstage\n    type: Organization\n"
            "    name: {en: Upstage, ko: 업스테이지}\nfacts:\n",
        ),
    )
    kb_ab.load([also])
    kb_ab.load([files["a2"]])  # A no longer defines Upstage; C still does
    conforms(kb_ab)
    assert kb_ab.ask("entity", {"name": "업스테이지"}).rows()


# -- fact ids ---------------------------------------------------------------------------------


def test_a_fact_id_belongs_to_the_article_that_defined_it_first(kb_ab: KB, tmp_path: Path) -> None:
    thief = write(
        tmp_path, "thief.yaml", B.replace("example-2025-06-02-b", "example-2025-06-05-thief")
    )
    refused(
        kb_ab,
        lambda: kb_ab.load([thief]),
        f"{thief}:9: facts[0].id: fact id 'mou-naver-upstage' belongs to "
        "eka:example-2025-06-02-b, which defined it first; give this fact another id",
    )


def test_the_seed_articles_fact_ids_are_its_own(kb: KB, tmp_path: Path) -> None:
    thief = write(
        tmp_path,
        "thief.yaml",
        B.replace("mou-naver-upstage", "meeting-2024-06-lee-huang").replace(
            "type: Agreement\n    kind: MOU\n    parties: [naver, upstage]",
            "type: Meeting\n    participants: [lee-hae-jin, jensen-huang]",
        ),
    )
    refused(
        kb,
        lambda: kb.load([thief]),
        f"{thief}:9: facts[0].id: fact id 'meeting-2024-06-lee-huang' belongs to "
        "eka:bizwatch-2025-05-23-naver-nvidia, which defined it first; give this fact another id",
    )


def test_two_files_of_a_batch_cannot_define_one_fact(
    files: dict[str, Path], tmp_path: Path
) -> None:
    twin = write(
        tmp_path, "twin.yaml", B.replace("example-2025-06-02-b", "example-2025-06-02-twin")
    )
    kb = KB(None)
    refused(
        kb,
        lambda: kb.load([files["a"], files["b"], twin]),
        f"{twin}:9: facts[0].id: fact id 'mou-naver-upstage' is already defined by "
        f"{files['b']}:9; a fact belongs to one article: give this one another id",
    )


# -- one entity, defined alike ---------------------------------------------------------------


def redefine(tmp_path: Path, entity: str) -> Path:
    return write(
        tmp_path,
        "d.yaml",
        B.replace("example-2025-06-02-b", "example-2025-06-04-d")
        .replace("mou-naver-upstage", "mou-naver-upstage-d")
        .replace("facts:\n", "entities:\n" + entity + "facts:\n"),
    )


@pytest.mark.parametrize(
    ("entity", "in_batch", "against_kb"),
    [
        (
            "  - id: upstage\n    type: Person\n    name: {en: Upstage}\n",
            "{d}:9: entities[0].id: 'upstage' is an Organization in {a}:9, not a Person",
            "{d}:9: id: 'upstage' is an Organization elsewhere in the KB "
            "(eka:example-2025-06-01-a), not a Person",
        ),
        (
            "  - id: upstage\n    type: Organization\n    name: {en: Upstage Inc}\n",
            "{d}:11: entities[0].name: 'upstage' is called 'Upstage Inc'@en here but "
            "'Upstage'@en in {a}:11; give one name per language (put the other under aliases)",
            "{d}:11: entities[0].name: 'upstage' is called 'Upstage Inc'@en here but "
            "'Upstage'@en by eka:example-2025-06-01-a; give one name per language (put the "
            "other under aliases)",
        ),
        (
            "  - id: upstage\n    type: Organization\n    name: {en: Upstage}\n"
            "    part_of: naver\n",
            None,  # A gives no parent: nothing to disagree with
            None,
        ),
    ],
    ids=["class", "name", "parent-given-once"],
)
def test_an_entity_is_defined_alike_everywhere(
    files: dict[str, Path],
    tmp_path: Path,
    entity: str,
    in_batch: str | None,
    against_kb: str | None,
) -> None:
    d = redefine(tmp_path, entity)
    names = {"a": files["a"], "d": d}
    batch = KB(None)
    if in_batch is None:
        batch.load([files["a"], d])
        conforms(batch)
    else:
        refused(batch, lambda: batch.load([files["a"], d]), in_batch.format(**names))
    kb = KB(None)
    kb.load([files["a"]])
    if against_kb is None:
        kb.load([d])
        conforms(kb)
    else:
        refused(kb, lambda: kb.load([d]), against_kb.format(**names))


def test_two_files_that_disagree_are_caught_beside_one_that_says_nothing(
    files: dict[str, Path], tmp_path: Path
) -> None:
    """A gives Upstage no Korean name; D and E give it two: D against E, not against A."""
    d = redefine(
        tmp_path,
        "  - id: upstage\n    type: Organization\n    name: {en: Upstage, ko: 업스테이지}\n",
    )
    e = write(
        tmp_path,
        "e.yaml",
        d.read_text(encoding="utf-8")
        .replace("example-2025-06-04-d", "example-2025-06-05-e")
        .replace("mou-naver-upstage-d", "mou-naver-upstage-e")
        .replace("ko: 업스테이지", "ko: 업스테이지 AI"),
    )
    kb = KB(None)
    refused(
        kb,
        lambda: kb.load([files["a"], d, e]),
        f"{e}:11: entities[0].name: 'upstage' is called '업스테이지 AI'@ko here but '업스테이지'@ko "
        f"in {d}:11; give one name per language (put the other under aliases)",
    )


def test_two_parents_for_one_organization_are_refused(kb: KB, tmp_path: Path) -> None:
    first = redefine(
        tmp_path,
        "  - id: upstage\n    type: Organization\n    name: {en: Upstage}\n    part_of: naver\n",
    )
    kb.load([first])
    second = write(
        tmp_path,
        "e.yaml",
        first.read_text(encoding="utf-8")
        .replace("example-2025-06-04-d", "example-2025-06-05-e")
        .replace("mou-naver-upstage-d", "mou-naver-upstage-e")
        .replace("part_of: naver", "part_of: nvidia"),
    )
    refused(
        kb,
        lambda: kb.load([second]),
        f"{second}:12: entities[0].part_of: 'upstage' is part of 'nvidia' here but of 'naver' "
        "according to eka:example-2025-06-04-d",
    )


def test_aliases_and_other_names_merge(kb_ab: KB, tmp_path: Path) -> None:
    d = redefine(
        tmp_path,
        "  - id: upstage\n    type: Organization\n    name: {en: Upstage, ko: 업스테이지}\n"
        "    aliases: {en: [Solar LLM maker]}\n    description: {en: A Korean AI company}\n",
    )
    kb_ab.load([d])
    conforms(kb_ab)
    for name in ("Upstage AI", "업스테이지", "Solar LLM maker"):
        assert kb_ab.resolve(name).value.endswith("/upstage")


# -- ids people can find ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typo", "hint"),
    [("uae", "united-arab-emirates"), ("naver-clod", "naver-cloud"), ("upstag", "upstage")],
)
def test_hints_draw_on_every_id_name_and_alias(
    files: dict[str, Path], tmp_path: Path, typo: str, hint: str
) -> None:
    kb = KB(None)
    kb.load([files["a"]])
    field = "into: [{typo}]" if typo == "uae" else "organization: {typo}"
    text = A_WITHOUT_UPSTAGE.replace("example-2025-06-01-a", "example-2025-06-09-typo")
    text = text.replace("expansion-naver-japan", "expansion-typo")
    text = text.replace(
        "into: [japan]" if typo == "uae" else "organization: naver", field.format(typo=typo)
    )
    path = write(tmp_path, "typo.yaml", text)
    with pytest.raises(
        InputError, match=rf"unknown entity id '{typo}'.*\(did you mean {hint}\?\)$"
    ):
        kb.load([path])


def test_hints_draw_on_the_other_files_of_the_batch(files: dict[str, Path], tmp_path: Path) -> None:
    typo = write(
        tmp_path,
        "typo.yaml",
        B.replace("parties: [naver, upstage]", "parties: [naver, upstage-ai]"),
    )
    with pytest.raises(
        InputError, match=r"unknown entity id 'upstage-ai'.*\(did you mean upstage\?\)$"
    ):
        KB(None).load([typo, files["a"]])


# -- kb drop ------------------------------------------------------------------------------------


def test_drop_refuses_what_another_article_needs_and_accepts_both_together(kb_ab: KB) -> None:
    refused(
        kb_ab,
        lambda: kb_ab.drop(["example-2025-06-01-a"]),
        "eka:example-2025-06-01-a: 'upstage' would no longer exist but eka:example-2025-06-02-b "
        "still references it (ekr:mou-naver-upstage ek:party); drop eka:example-2025-06-02-b "
        "too, or define 'upstage' in another article first",
        IntegrityError,
    )
    assert kb_ab.drop(["eka:example-2025-06-01-a", ARTICLE_B]) == [ARTICLE_A, ARTICLE_B]
    conforms(kb_ab)
    assert not kb_ab.query("ASK { ekr:upstage ?p ?o }").raw


def test_drop_names_what_it_cannot_find(kb_ab: KB) -> None:
    refused(
        kb_ab,
        lambda: kb_ab.drop(["example-2025-06-01-b"]),
        "no article eka:example-2025-06-01-b in the KB (did you mean example-2025-06-02-b?)",
        KBError,
    )
    refused(
        kb_ab,
        lambda: kb_ab.drop(["https://w3id.org/event-kb/graph/gazetteer"]),
        "ekg:gazetteer is a system graph; kb drop removes articles",
        KBError,
    )


# -- the graph store and SPARQL updates (kb serve) -------------------------------------------

TOKEN = "integrity-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def served(files: dict[str, Path], tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A server with write access to an on-disk store holding articles A and B; the store
    is checked against the shapes once the server has let go of it."""
    store = tmp_path / "store"
    with KB(store) as kb:
        kb.load([files["a"], files["b"]])
    with serving(store, allow_update=True, token=TOKEN) as (url, _):
        yield url, store
    with KB(store) as kb:
        conforms(kb)


def every_quad(url: str) -> list[str]:
    """What the served store holds, every graph (read through the graph store, which is
    not capped), as sorted N-Quads-like lines."""
    query = urllib.parse.quote("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
    status, _, body = http("GET", f"{url}/sparql?query={query}&format=json")
    assert status == 200
    lines = []
    for row in json.loads(body)["results"]["bindings"]:
        graph = row["g"]["value"]
        store = url + "/store?" + urllib.parse.urlencode({"graph": graph})
        status, _, triples = http("GET", store, headers={"Accept": "application/n-triples"})
        assert status == 200
        lines += [f"{line} <{graph}>" for line in triples.decode().splitlines()]
    return sorted(lines)


def test_graph_store_delete_of_a_needed_article_is_a_409(served: tuple[str, Path]) -> None:
    url, _ = served
    before = every_quad(url)
    store = url + "/store?" + urllib.parse.urlencode({"graph": ARTICLE_A})
    status, _, body = http("DELETE", store, b"", AUTH)
    assert status == 409
    assert (
        "'upstage' would no longer exist but eka:example-2025-06-02-b still references it"
        in body.decode()
    )
    assert every_quad(url) == before
    # a PUT that keeps Upstage is fine
    turtle = (
        b"@prefix ek: <https://w3id.org/event-kb/ontology#> . @prefix ekr: <https://w3id.org/event-kb/id/> .\n"
        b"<" + ARTICLE_A.encode() + b'> a ek:Article ; ek:headline "A"@en ; ek:publisher "X"@en ;'
        b' ek:datePublished "2025-06-01"^^<http://www.w3.org/2001/XMLSchema#date> ; ek:language "en" .\n'
        b'ekr:upstage a ek:Organization ; <http://www.w3.org/2000/01/rdf-schema#label> "Upstage"@en ;'
        b" ek:source <" + ARTICLE_A.encode() + b"> .\n"
    )
    assert http("PUT", store, turtle, {"Content-Type": "text/turtle", **AUTH})[0] == 204


def test_graph_store_put_of_a_dangling_reference_or_a_stolen_fact_is_refused(
    served: tuple[str, Path],
) -> None:
    url, _ = served
    before = every_quad(url)
    store = (
        url + "/store?" + urllib.parse.urlencode({"graph": "https://w3id.org/event-kb/article/x"})
    )
    dangling = b"<https://w3id.org/event-kb/id/m> <https://w3id.org/event-kb/ontology#party> <https://w3id.org/event-kb/id/nobody> ."
    status, _, body = http(
        "PUT", store, dangling, {"Content-Type": "application/n-triples", **AUTH}
    )
    assert status == 400 and "unknown entity id 'nobody'" in body.decode()
    stolen = (
        b"<https://w3id.org/event-kb/id/mou-naver-upstage> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        b"<https://w3id.org/event-kb/ontology#Agreement> ."
    )
    status, _, body = http("PUT", store, stolen, {"Content-Type": "application/n-triples", **AUTH})
    assert status == 400 and "belongs to eka:example-2025-06-02-b" in body.decode()
    assert every_quad(url) == before


def test_sparql_updates_keep_the_rule(served: tuple[str, Path]) -> None:
    url, _ = served
    update = {"Content-Type": "application/sparql-update", **AUTH}
    before = every_quad(url)
    status, _, body = http("POST", url + "/update", f"DROP GRAPH <{ARTICLE_A}>".encode(), update)
    assert status == 409
    assert (
        "the update would leave ekr:upstage undefined, but eka:example-2025-06-02-b still "
        "references it (ekr:mou-naver-upstage ek:party)" in body.decode()
    )
    steal = (
        "INSERT DATA { GRAPH <https://w3id.org/event-kb/article/x> { ekr:mou-naver-upstage a "
        "ek:Agreement } }"
    )
    status, _, body = http("POST", url + "/update", steal.encode(), update)
    assert status == 409 and "a fact belongs to one article" in body.decode()
    assert every_quad(url) == before
    # dropping B first, then A, is fine
    for graph in (ARTICLE_B, ARTICLE_A):
        assert http("POST", url + "/update", f"DROP GRAPH <{graph}>".encode(), update)[0] == 204
        answer = json.loads(
            http("GET", url + "/sparql?query=" + urllib.parse.quote("ASK { ?s ?p ekr:upstage }"))[2]
        )
    assert answer["boolean"] is False


# -- a remote store ------------------------------------------------------------------------


def test_the_rule_holds_on_a_remote_store(files: dict[str, Path]) -> None:
    with oxigraph_server() as url:
        kb = KB(url)
        kb.load([files["b"], files["a"]])
        conforms(kb)
        a2 = files["a2"]
        refused(
            kb,
            lambda: kb.load([a2]),
            f"{a2}: entities: 'upstage' would no longer exist but eka:example-2025-06-02-b "
            "still references it (ekr:mou-naver-upstage ek:party); keep it in "
            f"{a2}, define it in that article, or drop that article first",
            IntegrityError,
        )
        refused(
            kb,
            lambda: kb.drop(["example-2025-06-01-a"]),
            "eka:example-2025-06-01-a: 'upstage' would no longer exist but "
            "eka:example-2025-06-02-b still references it (ekr:mou-naver-upstage ek:party); "
            "drop eka:example-2025-06-02-b too, or define 'upstage' in another article first",
            IntegrityError,
        )
        kb.drop(["example-2025-06-02-b", "example-2025-06-01-a"])
        conforms(kb)
