"""Query results and how they are written: a table for people, standard formats for tools.

SELECT and ASK results: ``table``, ``csv``, ``tsv``, ``json``, ``xml`` (the last four are
the W3C SPARQL 1.1 result formats, written by pyoxigraph). CONSTRUCT and DESCRIBE
results: ``turtle``, ``ntriples``, ``jsonld``, ``trig``.
"""

from __future__ import annotations

import io
import unicodedata
from typing import IO, Any

from pyoxigraph import (
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    serialize,
)

from kb.errors import KBError
from kb.namespaces import PREFIXES, compact

SOLUTION_FORMATS = {
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
}
GRAPH_FORMATS = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "jsonld": RdfFormat.JSON_LD,
    "trig": RdfFormat.TRIG,
}
MAX_CELL = 80
"""Longer literals (quotes) are cut in the table; the other formats keep them whole."""
ALL_FORMATS = ("table", *SOLUTION_FORMATS, *GRAPH_FORMATS)


def is_true(term: Any) -> bool:
    """A boolean cell of an answer: ``true``, or ``1`` from a server without booleans
    (Virtuoso answers ``EXISTS { … }`` and ``BIND(true AS ?x)`` with the integer 1)."""
    return term is not None and term.value in ("true", "1")


class Result:
    """One query's answer; read it once, as rows, a boolean, triples, or written out."""

    def __init__(
        self,
        raw: QuerySolutions | QueryBoolean | QueryTriples,
        *,
        parameters: set[str] | None = None,
    ) -> None:
        self.raw = raw
        self.parameters = parameters or set()
        """Variables that echo a canned query's parameters: in the standard formats, not the
        table (a canned query projects its parameters, as pyoxigraph's substitutions need)."""

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

    def write(self, out: IO[bytes], fmt: str) -> None:
        """Write the result in ``fmt`` (see the module docstring)."""
        if fmt not in ALL_FORMATS:
            raise KBError(f"unknown format {fmt!r}; choose one of {', '.join(ALL_FORMATS)}")
        if self.kind == "graph":
            if fmt == "table":
                fmt = "turtle"
            if fmt not in GRAPH_FORMATS:
                raise KBError(
                    f"--format {fmt} is for SELECT/ASK; a graph result takes "
                    f"{', '.join(GRAPH_FORMATS)}"
                )
            assert isinstance(self.raw, QueryTriples)
            rdf_format = GRAPH_FORMATS[fmt]
            triples: Any = self.raw
            if rdf_format.supports_datasets:
                triples = (Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples)
            prefixes = PREFIXES if fmt in ("turtle", "trig") else None
            serialize(triples, out, rdf_format, prefixes=prefixes)
            return
        if fmt in GRAPH_FORMATS:
            raise KBError(
                f"--format {fmt} is for CONSTRUCT/DESCRIBE; a {self.kind.upper()} "
                f"result takes table, {', '.join(SOLUTION_FORMATS)}"
            )
        if fmt == "table":
            out.write(self.table().encode("utf-8"))
            return
        assert isinstance(self.raw, QuerySolutions | QueryBoolean)
        self.raw.serialize(out, SOLUTION_FORMATS[fmt])

    def text(self, fmt: str = "table") -> str:
        buffer = io.BytesIO()
        self.write(buffer, fmt)
        return buffer.getvalue().decode("utf-8")

    def table(self) -> str:
        """An aligned text table; IRIs compacted with the project's prefixes."""
        if isinstance(self.raw, QueryBoolean):
            return ("yes" if bool(self.raw) else "no") + "\n"
        names = [n for n in self.variables if n not in self.parameters]
        rows = [[_cell(row[n]) for n in names] for row in self.raw]
        if not rows:
            return "(no results)\n"
        widths = [
            max(_width(x) for x in [name, *(r[i] for r in rows)]) for i, name in enumerate(names)
        ]
        lines = [
            "  ".join(_pad(n, w) for n, w in zip(names, widths, strict=True)).rstrip(),
            "  ".join("-" * w for w in widths),
        ]
        lines += [
            "  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
        ]
        return "\n".join(lines) + f"\n({len(rows)} row{'s' if len(rows) != 1 else ''})\n"


def _cell(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        return compact(term.value)
    if isinstance(term, Literal):
        text = " ".join(term.value.split())
        return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"
    return str(term)


def _width(text: str) -> int:
    """Display width: East Asian wide characters (Hangul) take two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
