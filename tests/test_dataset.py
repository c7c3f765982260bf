"""The query's dataset as SPARQL defines it: ``FROM`` and ``FROM NAMED`` in the query, the
protocol's ``default-graph-uri`` and ``named-graph-uri`` (which win over them), and with
neither the union of every graph. Each query below is asked of ``kb serve`` and of real
Oxigraph servers holding the same quads, and the answers must be equal:

- a query that names no dataset, or names it with the protocol's parameters, is compared
  with ``oxigraph serve --union-default-graph`` (kb's default graph is the union too);
- a query with ``FROM`` / ``FROM NAMED`` is compared with ``oxigraph serve`` without that
  flag: with it Oxigraph sets the union on every query (as its ``--help`` says), so it
  answers ``FROM <http://nonexistent.example/>`` with every triple of the store, the very
  answer this project had to stop giving (SPARQL says 0). Measured, and asserted below.
"""

from __future__ import annotations

import io
import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat

from kb import KB
from kb.namespaces import EKA, EKG
from tests.servers import oxigraph_server
from tests.test_server import serving

ARTICLE = EKA + "bizwatch-2025-05-23-naver-nvidia"
NOWHERE = "http://nonexistent.example/"
COUNT = "SELECT (COUNT(*) AS ?n) {from} WHERE {{ ?s ?p ?o }}"
GRAPHS = "SELECT ?g (COUNT(*) AS ?n) {from} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
CASES = {
    "no-dataset": (COUNT.format(**{"from": ""}), {}),
    "from-nowhere": (COUNT.format(**{"from": f"FROM <{NOWHERE}>"}), {}),
    "from-article": (COUNT.format(**{"from": f"FROM <{ARTICLE}>"}), {}),
    "from-two": (COUNT.format(**{"from": f"FROM <{ARTICLE}> FROM <{EKG}ontology>"}), {}),
    "from-named-only": (COUNT.format(**{"from": f"FROM NAMED <{ARTICLE}>"}), {}),
    "graph-with-from-named": (GRAPHS.format(**{"from": f"FROM NAMED <{ARTICLE}>"}), {}),
    "graph-with-from-only": (GRAPHS.format(**{"from": f"FROM <{ARTICLE}>"}), {}),
    "graph-without-dataset": (GRAPHS.format(**{"from": ""}), {}),
    "default-graph-uri": (COUNT.format(**{"from": ""}), {"default-graph-uri": [ARTICLE]}),
    "default-graph-uri-wins-over-from": (
        COUNT.format(**{"from": f"FROM <{NOWHERE}>"}),
        {"default-graph-uri": [ARTICLE]},
    ),
    "named-graph-uri": (
        GRAPHS.format(**{"from": ""}),
        {"named-graph-uri": [ARTICLE, EKG + "gazetteer"]},
    ),
    "both-uris": (
        GRAPHS.format(**{"from": f"FROM <{NOWHERE}>"}),
        {"default-graph-uri": [EKG + "ontology"], "named-graph-uri": [ARTICLE]},
    ),
    "from-prefixed-name": (
        "PREFIX eka: <https://w3id.org/event-kb/article/> "
        + COUNT.format(**{"from": "FROM eka:bizwatch-2025-05-23-naver-nvidia"}),
        {},
    ),
    "ask-from-named": (
        f"ASK FROM NAMED <{ARTICLE}> {{ GRAPH <{EKG}ontology> {{ ?s ?p ?o }} }}",
        {},
    ),
    "construct-from": (
        f"CONSTRUCT {{ ?s ?p ?o }} FROM <{EKG}gazetteer> WHERE {{ ?s ?p ?o }} LIMIT 3",
        {},
    ),
}


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """kb serve over the seeded store in memory, and Oxigraph's server over its export,
    with and without the union default graph."""
    out = io.BytesIO()
    KB(None).export(out, RdfFormat.N_QUADS)
    dump = tmp_path_factory.mktemp("dataset") / "seed.nq"
    dump.write_bytes(out.getvalue())
    union: Path = tmp_path_factory.mktemp("oxigraph-union") / "store"
    plain: Path = tmp_path_factory.mktemp("oxigraph-plain") / "store"
    with (
        oxigraph_server(union, union_default_graph=True, load=dump) as with_union,
        oxigraph_server(plain, union_default_graph=False, load=dump) as without,
        serving(workers=2) as (kb_url, _log),
    ):
        yield {
            "kb": kb_url + "/sparql",
            "union": with_union + "/query",
            "plain": without + "/query",
        }


def answer(endpoint: str, query: str, params: dict[str, list[str]]) -> object:
    form = [("query", query)] + [(k, v) for k, vs in params.items() for v in vs]
    accept = (
        "application/n-triples"
        if query.startswith("CONSTRUCT")
        else ("application/sparql-results+json")
    )
    request = urllib.request.Request(
        endpoint + "?" + urllib.parse.urlencode(form), headers={"Accept": accept}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read().decode()
    if accept == "application/n-triples":
        return sorted(body.splitlines())
    document = json.loads(body)
    if "boolean" in document:
        return document["boolean"]
    return sorted(json.dumps(row, sort_keys=True) for row in document["results"]["bindings"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_dataset_answers_as_oxigraph_server_does(servers: dict[str, str], name: str) -> None:
    query, params = CASES[name]
    ours = answer(servers["kb"], query, params)
    # FROM in the query, and no protocol parameters: Oxigraph without the union flag
    reference = "plain" if " FROM " in query and not params else "union"
    assert ours == answer(servers[reference], query, params)
    if name == "from-nowhere":  # the case: 0, not every triple of the store
        assert ours == [
            json.dumps(
                {
                    "n": {
                        "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                        "type": "literal",
                        "value": "0",
                    }
                },
                sort_keys=True,
            )
        ]


def test_oxigraph_with_the_union_flag_ignores_from(servers: dict[str, str]) -> None:
    """Why FROM is compared with the server without the flag (see the module docstring)."""
    query, params = CASES["from-nowhere"]
    assert answer(servers["union"], query, params) == answer(
        servers["kb"], COUNT.format(**{"from": ""}), {}
    )
