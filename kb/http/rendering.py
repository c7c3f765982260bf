"""Answers written out under a deadline and a cap, on the worker thread that evaluates them.

Rows are collected under the cap (``--max-results``), then written back through pyoxigraph's
own writers (by way of SPARQL JSON), so every results format stays standard. A query that
streams its rows stops at the deadline; one that must sort or aggregate everything first
cannot be interrupted from Python and finishes in the background.
"""

from __future__ import annotations

import io
import json
import time
import traceback
from collections.abc import Callable
from typing import Any

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    Triple,
    parse_query_results,
)

from kb.formats import RDF_MEDIA_TYPES, RESULTS_MEDIA_TYPES
from kb.http.messages import Response
from kb.namespaces import RDF, XSD
from kb.sparql.results import serialize_graph
from kb.store.backend import QueryResult

PLAIN_DATATYPES = frozenset({XSD + "string", RDF + "langString"})
"""Literal datatypes SPARQL JSON leaves unsaid."""


class TooLarge(Exception):
    """More results than the cap."""


class Expired(Exception):
    """The deadline passed while the rows were read."""


def term_json(term: Any) -> dict[str, Any]:
    """One RDF term in SPARQL 1.1 JSON results (with SPARQL 1.2's triple terms)."""
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value not in PLAIN_DATATYPES:
            out["datatype"] = term.datatype.value
        return out
    assert isinstance(term, Triple)
    return {
        "type": "triple",
        "value": {
            "subject": term_json(term.subject),
            "predicate": term_json(term.predicate),
            "object": term_json(term.object),
        },
    }


def bounded(items: Any, cap: int | None, deadline: float) -> list[Any]:
    """Up to ``cap`` items; TooLarge past it, Expired once the deadline has passed."""
    out = []
    for item in items:
        out.append(item)
        if cap is not None and len(out) > cap:
            raise TooLarge
        if len(out) % 256 == 0 and time.monotonic() > deadline:
            raise Expired
    return out


def render(
    raw: QuerySolutions | QueryBoolean | QueryTriples,
    media: Callable[[str], str],
    cap: int | None,
    deadline: float,
) -> Response:
    """Serialise one result. ``media(kind)`` negotiates for "solutions" or "graph"."""
    out = io.BytesIO()
    if isinstance(raw, QueryTriples):
        chosen = media("graph")
        serialize_graph(bounded(raw, cap, deadline), out, RDF_MEDIA_TYPES[chosen])
    else:
        chosen = media("solutions")
        if isinstance(raw, QuerySolutions):
            names = [v.value for v in raw.variables]
            rows = bounded(raw, cap, deadline)
            document = {
                "head": {"vars": names},
                "results": {
                    "bindings": [
                        {n: term_json(row[n]) for n in names if row[n] is not None} for row in rows
                    ]
                },
            }
            raw = parse_query_results(json.dumps(document).encode(), QueryResultsFormat.JSON)
        raw.serialize(out, RESULTS_MEDIA_TYPES[chosen])
    charset = "; charset=utf-8" if not chosen.endswith(("+xml", "/xml")) else ""
    return Response(200, out.getvalue(), chosen + charset)


def render_in_worker(
    produce: Callable[[], QueryResult],
    media: Callable[[str], str],
    cap: int | None,
    deadline: float,
) -> Response:
    """Evaluate and render in the worker thread, and let go of the result there.

    pyoxigraph's result iterators must be dropped on the thread that made them; an
    exception's traceback would carry them to the handler thread, so its frames are
    cleared here first.
    """
    try:
        return render(produce(), media, cap, deadline)
    except BaseException as err:
        traceback.clear_frames(err.__traceback__)
        raise
