"""Properties over generated inputs (hypothesis).

1. Any valid fact file round-trips through RDF: the fact file and the same article written
   as TriG, each loaded into a fresh store, give the same KB as queries see it (compared
   canonicalized).
2. Any string given as a name parameter (quotes, braces, ``}``, ``#``, newlines, SPARQL
   keywords, half IRIs) never changes what a canned query does: the query answers exactly
   as it does for the entity the name resolves to, or the call fails with ParameterError.
   Never another error, never a different answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pyoxigraph import CanonicalizationAlgorithm, Dataset, NamedNode, Quad, RdfFormat, serialize

from kb import KB
from kb.errors import ParameterError
from kb.namespaces import EK
from loaders.plan import parse_file

PLACES = ["south-korea", "taiwan", "thailand", "united-states", "saudi-arabia", "middle-east"]
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Text an analyst could type: any printable Unicode (no control or unassigned code points).
text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Cn", "Co")),
    min_size=1,
    max_size=24,
).filter(lambda s: s.strip() != "")
slug = st.from_regex(r"[a-z0-9][a-z0-9-]{0,15}", fullmatch=True)
names = st.fixed_dictionaries({"en": text}, optional={"ko": text, "ja": text})


@st.composite
def dates(draw: st.DrawFn) -> str:
    day = draw(st.dates())
    return day.isoformat()[: draw(st.sampled_from([4, 7, 10]))]  # year, month or day


@st.composite
def fact_files(draw: st.DrawFn) -> dict[str, Any]:
    """A valid fact file: organizations, people, topics, and facts between them."""
    ids = draw(st.lists(slug, min_size=4, max_size=10, unique=True))
    ids = [f"gen-{i}" for i in ids]  # clear of the seed article's ids
    split = draw(st.integers(min_value=2, max_value=len(ids) - 2))
    orgs, people = ids[:split], ids[split:]
    entities: list[dict[str, Any]] = []
    for org in orgs:
        entity = {"id": org, "type": "Organization", "name": draw(names)}
        if draw(st.booleans()):
            entity["based_in"] = draw(st.sampled_from(PLACES))
        if draw(st.booleans()):
            entity["aliases"] = {"en": draw(st.lists(text, min_size=1, max_size=2))}
        entities.append(entity)
    entities += [{"id": p, "type": "Person", "name": draw(names)} for p in people]
    facts: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        pair = draw(st.lists(st.sampled_from(orgs), min_size=2, max_size=2, unique=True))
        fact: dict[str, Any] = {"type": "Cooperation", "parties": pair, "quote": draw(text)}
        if draw(st.booleans()):
            fact["date"] = draw(dates())
        if draw(st.booleans()):
            fact["status"] = draw(
                st.sampled_from(["prospective", "planned", "underway", "completed"])
            )
        facts.append(fact)
    if len(people) >= 2 and draw(st.booleans()):
        facts.append(
            {
                "type": "Meeting",
                "participants": people[:2],
                "place": draw(st.sampled_from(PLACES)),
                "quote": draw(text),
            }
        )
    facts.append(
        {
            "type": "Post",
            "person": people[0],
            "organization": orgs[0],
            "role": "ceo",
            "former": draw(st.sampled_from(["true", "false"])),
            "quote": draw(text),
        }
    )
    return {
        "format": "event-kb/1",
        "article": {
            "id": "gen-" + draw(slug),
            "headline": draw(names),
            "publisher": {"en": draw(text)},
            "published": "2025-06-02T09:00:00+09:00",
            "language": "ko",
        },
        "entities": entities,
        "facts": facts,
    }


def union_view(kb: KB) -> Dataset:
    """What queries see (the union of the graphs) without the entity-statement records: the
    KB's content whatever its layout."""
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?p != ek:entityStatement) }"
    data = Dataset(Quad(t.subject, t.predicate, t.object) for t in kb.query(query).raw)
    data.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return data


@SETTINGS
@given(doc=fact_files())
def test_any_valid_fact_file_round_trips(tmp_path: Path, doc: dict[str, Any]) -> None:
    """A fact file and the same article written as RDF (every statement in the article's
    graph, as an RDF author writes it) give the same KB as queries see it."""
    path = tmp_path / "generated.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    first = KB(None)
    first.load([path])
    _, graphs = parse_file(path)
    rdf = tmp_path / "article.trig"
    serialize(
        [q for quads in graphs.values() for q in quads if q.predicate.value != EK + "lookupKey"],
        rdf,
        RdfFormat.TRIG,
    )
    second = KB(None)  # fresh: only the seed
    second.load([rdf])
    assert union_view(second) == union_view(first)


# -- names as parameters ---------------------------------------------------------------------

NASTY = [
    '"', "'", "}", "{", "#", "\n", "\\", ">", "<", "$name", "?name", "ek:", "<>", "} ; DROP ALL #",
    "} UNION { ?s ?p ?o }", 'naver" . ?s ?p ?o . FILTER("', "SELECT * WHERE", "LIMIT 1",
    "OPTIONAL", "SERVICE <http://127.0.0.1:9/>", "http://", "https://w3id.org/event-kb/id/",
    "\u0000", "\u202e", "naver", "NVIDIA", "엔비디아", "Middle East", "중동", "naver-cloud",
]  # fmt: skip
hostile = st.lists(st.one_of(st.sampled_from(NASTY), text), min_size=1, max_size=5).map("".join)


def canonical_answer(kb: KB, name: str, params: dict[str, str]) -> list[dict[str, str]]:
    return sorted(kb.ask(name, params).rows(), key=repr)


@settings(SETTINGS, max_examples=200)
@given(value=hostile, query=st.sampled_from([("entity", "name"), ("partners-expanding", "org")]))
@example(value='naver" } UNION { ?s ?p ?o } #', query=("entity", "name"))
@example(value="http://x> } ; DROP ALL #", query=("entity", "name"))
@example(value="NVIDIA\n} LIMIT 1", query=("partners-expanding", "org"))
def test_a_name_never_changes_what_a_query_does(
    seed_kb: KB, value: str, query: tuple[str, str]
) -> None:
    name, param = query
    before = len(seed_kb.backend.store)
    try:
        answer = canonical_answer(seed_kb, name, {param: value})
    except ParameterError:
        pass  # the one acceptable failure
    else:
        canned_type = {"entity": "Entity", "partners-expanding": "Organization"}[name]
        entity = seed_kb.resolve(value, canned_type, param=param)
        assert isinstance(entity, NamedNode)
        # the same answer as asking by the entity's own IRI
        assert answer == canonical_answer(seed_kb, name, {param: entity.value})
    assert len(seed_kb.backend.store) == before  # nothing was written
