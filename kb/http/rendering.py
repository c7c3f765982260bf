"""Answers written out under a deadline and a cap, in the worker process that evaluates them
(``render_task``, run by ``kb.http.app.App.run``).

Rows are collected under the cap (``--max-results``), then written back through pyoxigraph's
own writers (by way of SPARQL JSON), so every results format stays standard. The whole
answer is written before the first byte goes out: an error while rows are read becomes a
status (500, with the engine's reason), never an answer cut off half-way. A query that
streams its rows stops at the deadline here; one that must sort or aggregate everything
first is stopped by the server killing the worker.
"""

from __future__ import annotations

import io
import json
import time
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

from kb.errors import EvaluationError
from kb.formats import RDF_MEDIA_TYPES, RESULTS_MEDIA_TYPES
from kb.http.messages import HTTPError, Response
from kb.namespaces import RDF, XSD
from kb.sparql.results import Result, serialize_graph

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
    """Up to ``cap`` items; TooLarge past it, Expired once the deadline has passed; the
    engine's errors while it evaluates as EvaluationError."""
    out = []
    try:
        for item in items:
            out.append(item)
            if cap is not None and len(out) > cap:
                raise TooLarge
            if len(out) % 256 == 0 and time.monotonic() > deadline:
                raise Expired
    except (RuntimeError, OSError, ValueError) as err:
        raise EvaluationError(f"the query failed while it ran: {one_line(err)}") from None
    return out


def one_line(err: BaseException) -> str:
    return " ".join(str(err).split())


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
        triples = bounded(raw, cap, deadline)
        _written(chosen, lambda: serialize_graph(triples, out, RDF_MEDIA_TYPES[chosen]))
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
        answer = raw
        _written(chosen, lambda: answer.serialize(out, RESULTS_MEDIA_TYPES[chosen]))
    charset = "; charset=utf-8" if not chosen.endswith(("+xml", "/xml")) else ""
    return Response(200, out.getvalue(), chosen + charset)


def _written(media: str, write: Callable[[], None]) -> None:
    """Run a writer; what it cannot write (a triple term in JSON-LD) is 406."""
    try:
        write()
    except (OSError, ValueError) as err:
        raise HTTPError(
            406,
            f"this answer cannot be written as {media}: {one_line(err)}; ask for another format",
        ) from None


def render_task(
    kb: Any,
    task: Callable[..., Any],
    args: tuple[Any, ...],
    media: Callable[[str], str],
    cap: int | None,
    deadline: float,
) -> Response:
    """In a reader: ``task(kb, *args)`` gives a query result (a ``Result`` or pyoxigraph's
    own), written here as the answer, under the cap and the deadline."""
    raw = task(kb, *args)
    return render(raw.raw if isinstance(raw, Result) else raw, media, cap, deadline)
