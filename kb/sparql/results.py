"""Query results and how they are written: a table for people, standard formats for tools.

SELECT and ASK results: ``table`` or any results format of ``kb.formats`` (CSV, TSV, JSON,
XML: the W3C SPARQL 1.1 result formats, written by pyoxigraph). CONSTRUCT and DESCRIBE
results: any RDF format of ``kb.formats`` (Turtle by default; ``table`` means Turtle).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import IO, Any

from pyoxigraph import (
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
    serialize,
)

from kb.errors import EvaluationError, KBError
from kb.formats import RDF_FORMATS, RESULTS_FORMATS, TABLE, rdf_format, results_format
from kb.namespaces import PREFIXES, compact
from kb.sparql.table import cut, text_table

MAX_CELL = 80
"""Longer literals (quotes) are cut in the table; the other formats keep them whole."""
PREFIXED_FORMATS = frozenset({RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.N3})
"""Graph formats written with the project's prefixes (the others have no prefixes)."""


def is_true(term: Any) -> bool:
    """A boolean cell of an answer: ``true``, or ``1`` from a server without booleans
    (Virtuoso answers ``EXISTS { … }`` and ``BIND(true AS ?x)`` with the integer 1)."""
    return term is not None and term.value in ("true", "1")


class Result:
    """One query's answer; read it once, as rows, a boolean, triples, or written out."""

    def __init__(self, raw: QuerySolutions | QueryBoolean | QueryTriples) -> None:
        self.raw = raw

    @property
    def kind(self) -> str:
        if isinstance(self.raw, QuerySolutions):
            return "select"
        return "ask" if isinstance(self.raw, QueryBoolean) else "graph"

    @property
    def variables(self) -> list[str]:
        assert isinstance(self.raw, QuerySolutions)
        return [v.value for v in self.raw.variables]

    def rows(self) -> list[dict[str, Any]]:
        """SELECT rows as dicts of variable → plain Python value (IRIs and literals as str)."""
        if not isinstance(self.raw, QuerySolutions):
            raise KBError("rows() is for SELECT results")
        names = self.variables
        return [
            {n: (row[n].value if row[n] is not None else None) for n in names} for row in self.raw
        ]

    def write(self, out: IO[bytes], fmt: str, *, width: int | None = None) -> None:
        """Write the result in ``fmt``: ``table`` (fitted to ``width`` columns, if given)
        or a name ``kb.formats`` knows. The engine's errors while it evaluates (rows are
        read as they are written) are an EvaluationError, one line."""
        try:
            self._write(out, fmt, width)
        except BrokenPipeError:
            raise
        except (RuntimeError, OSError) as err:
            reason = " ".join(str(err).split())
            raise EvaluationError(f"the query failed while it ran: {reason}") from None

    def _write(self, out: IO[bytes], fmt: str, width: int | None) -> None:
        if self.kind == "graph":
            graph_format = RdfFormat.TURTLE if fmt == TABLE else rdf_format(fmt)
            if graph_format is None:
                raise KBError(
                    f"--format {fmt} is for SELECT/ASK; a graph result takes "
                    f"{', '.join(RDF_FORMATS)}"
                )
            assert isinstance(self.raw, QueryTriples)
            serialize_graph(self.raw, out, graph_format)
            return
        if fmt == TABLE:
            out.write(self.table(width=width).encode("utf-8"))
            return
        solutions_format = results_format(fmt)
        if solutions_format is None:
            raise KBError(
                f"--format {fmt} is for CONSTRUCT/DESCRIBE; a {self.kind.upper()} result "
                f"takes {TABLE}, {', '.join(RESULTS_FORMATS)}"
            )
        assert isinstance(self.raw, QuerySolutions | QueryBoolean)
        self.raw.serialize(out, solutions_format)

    def text(self, fmt: str = TABLE) -> str:
        buffer = io.BytesIO()
        self.write(buffer, fmt)
        return buffer.getvalue().decode("utf-8")

    def table(self, *, width: int | None = None) -> str:
        """An aligned text table; IRIs compacted with the project's prefixes, literals cut
        to ``MAX_CELL`` columns, and the whole cut to ``width`` columns if given (columns of
        IRIs last: an id is what a reader copies into the next question)."""
        if isinstance(self.raw, QueryBoolean):
            return ("yes" if bool(self.raw) else "no") + "\n"
        names = self.variables
        terms = [[row[n] for n in names] for row in self.raw]
        if not terms:
            return "(no results)\n"
        rows = [[_cell(t) for t in row] for row in terms]
        iris = [all(isinstance(r[i], NamedNode | None) for r in terms) for i in range(len(names))]
        count = f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n"
        return text_table(names, rows, width=width, keep=iris) + count


def serialize_graph(
    triples: Iterable[Triple],
    out: IO[bytes],
    fmt: RdfFormat,
    prefixes: Mapping[str, str] = PREFIXES,
) -> None:
    """Write triples in any RDF format: a dataset format gets them in its default graph;
    Turtle, TriG and N3 get ``prefixes``."""
    items: Iterable[Any] = triples
    if fmt.supports_datasets:
        items = (Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples)
    serialize(items, out, fmt, prefixes=dict(prefixes) if fmt in PREFIXED_FORMATS else None)


def _cell(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        return compact(term.value)
    if isinstance(term, Literal):
        return cut(" ".join(term.value.split()), MAX_CELL)
    return str(term)
