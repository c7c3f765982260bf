"""The SPARQL text scan behind SERVICE refusal (kb serve) and parameter binding (remote).

A keyword or variable inside a string, a comment or an IRI must be left alone: otherwise
a query could slip SERVICE past the server, or a parameter value could change a query.
The cases include the bypasses an adversarial test found in the old scanner (an escaped
quote in a prefixed name, a comment ended by a carriage return) and the keyword forms
pyoxigraph's parser reads without a word boundary; tests/test_fuzz_federation.py generates
thousands more and checks them against pyoxigraph itself.
"""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode

from kb import KB
from kb.namespaces import PREFIXES
from kb.sparql.catalogue import get_canned
from kb.sparql.text import find_keyword, substitute, with_prefixes
from tests.test_canned import CASES


@pytest.mark.parametrize(
    ("sparql", "found"),
    [
        ("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", ("SERVICE", 1)),
        ("select *\n{\n  service silent <http://x/> { ?s ?p ?o } }", ("SERVICE", 3)),
        ('SELECT * { ?s ?p "SERVICE <http://x/>" }', None),
        ("SELECT * { ?s ?p '''a\nSERVICE''' }", None),
        ("SELECT * { ?s ?p ?o } # SERVICE <http://x/>", None),
        ("SELECT * { <http://x/SERVICE> ?p ?service }", None),
        ("PREFIX ex: <http://x/> SELECT * { ?s ex:SERVICE ?o }", None),
        ('SELECT * { ?s ?p "a \\" SERVICE" . SERVICE <http://x/> {} }', ("SERVICE", 1)),
        (
            "SELECT * { VALUES ?z { ek:a\\' } SERVICE <http://x/> {} FILTER(?z != 'q') }",
            ("SERVICE", 1),
        ),
        ("SELECT * { # x\r SERVICE <http://x/> {} }", ("SERVICE", 1)),
        ("SELECT * { ?s ?p ?o } # x\n\rSERVICE", ("SERVICE", 2)),
        ("SELECT * { ?s ?p trueSERVICE<http://x/> {} }", ("SERVICE", 1)),
        ("SELECT * { SERVICESILENT<http://x/> {} }", ("SERVICE", 1)),
        ("SELECT * { SERVICEex:a {} }", ("SERVICE", 1)),
        ("SELECT * { SERV\\u0049CE <http://x/> {} }", ("SERVICE", 1)),
        ("SELECT * { ?s ?p '\\u005C' SERVICE <http://x/> {} # '\n }", ("SERVICE", 1)),
        ("SELECT * { ?s ?p 'x' } ` service", ("SERVICE", 1)),
        ("SELECT * { ?s ek:a%53ERVICE ?o ; ek:b\\.SERVICE _:SERVICE }", None),
        ('SELECT * { ?s ?p "x"@en-SERVICE, """a""SERVICE""" }', None),
    ],
    ids=[
        "plain",
        "lower-case-line-3",
        "in-string",
        "in-long-string",
        "in-comment",
        "in-iri",
        "prefixed-name",
        "after-escaped-quote",
        "escaped-quote-in-prefixed-name",
        "comment-ended-by-cr",
        "line-count-at-lf",
        "glued-after-true",
        "glued-to-silent",
        "glued-to-prefixed-name",
        "codepoint-escape-in-keyword",
        "escape-read-two-ways",
        "unreadable",
        "in-names",
        "in-tag-and-long-string",
    ],
)
def test_find_keyword_sees_only_keywords(sparql: str, found: tuple[str, int] | None) -> None:
    hit = find_keyword(sparql, {"SERVICE"})
    assert (hit[:2] if hit else None) == found


def test_substitute_writes_terms_and_leaves_strings_alone() -> None:
    sparql = 'SELECT ?x $org WHERE { $org ?p ?x . FILTER(?x != "$org") } # $org\nGROUP BY ?x $org'
    evil = Literal('x" } ; DROP ALL ; #')
    text = substitute(sparql, {"org": str(evil)})
    term = str(evil)  # N-Triples syntax, quotes escaped: it stays one literal
    assert text == (
        f'SELECT ?x ({term} AS ?org) WHERE {{ {term} ?p ?x . FILTER(?x != "$org") }}'
        f" # $org\nGROUP BY ?x ({term})"
    )


def test_sub_select_projection_drops_the_bound_variable() -> None:
    sparql = "SELECT ?a $o WHERE { { SELECT ?a $o WHERE { ?a ?p $o } } }"
    assert substitute(sparql, {"o": "<https://e/o>"}) == (
        "SELECT ?a (<https://e/o> AS ?o) WHERE { { SELECT ?a  WHERE { ?a ?p <https://e/o> } } }"
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_bound_text_answers_as_substitutions_do(seed_kb: KB, name: str) -> None:
    # the text the remote store sends (and the page shows) answers as the embedded binding does
    canned = get_canned(name)
    bound = seed_kb.bind(canned, CASES[name][0])
    text = substitute(canned.sparql, {k: str(v) for k, v in bound.items()})
    assert "$" not in text.split("SELECT", 1)[1]
    by_text = seed_kb.query(text).text("csv")
    by_subs = seed_kb.query(canned.sparql, bound).text("csv")
    assert by_text == by_subs


def test_with_prefixes_declares_what_is_used_and_missing() -> None:
    sparql = "PREFIX ek: <https://other/> SELECT * { ?s ek:p ekr:x ; rdfs:label 'ex:y' }"
    header, _, rest = with_prefixes(sparql, PREFIXES).partition("\n")
    assert rest == sparql
    assert header == f"PREFIX ekr: <{PREFIXES['ekr']}> PREFIX rdfs: <{PREFIXES['rdfs']}>"
    assert with_prefixes("ASK { <https://e/s> ?p ?o }", PREFIXES) == "ASK { <https://e/s> ?p ?o }"
    assert str(NamedNode(PREFIXES["ek"])) in with_prefixes("ASK { ?s a ek:X }", PREFIXES)
