"""What a SPARQL server does differently, and how ``kb.store.remote`` copes with it.

A remote store speaks standard SPARQL 1.1 unless the server is one whose differences
the project knows (docs/server.md lists each): the dialect is chosen from the first
answer's ``Server`` header (``Virtuoso/07.20.3229 …``), or named by
``$KB_SPARQL_DIALECT`` (``standard`` or ``virtuoso``: a proxy may hide the header).

A dialect can

- give its own text for a query the KB ships (``queries/dialects/NAME/`` holds files
  named as in ``queries/``: ``derive/20-organization-closure.rq`` replaces
  ``queries/derive/20-organization-closure.rq``), and put a pragma in front of every
  shipped query. Shipped queries are recognised by their text, so neither the KB nor
  the embedded store does anything differently;
- mend the server's answers before pyoxigraph parses them;
- say how graphs are written (Graph Store ``PUT``, or one SPARQL Update per graph).

>>> detect("Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu").name
'virtuoso'
>>> detect("oxigraph/0.5.3").name
'standard'
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from kb import resources
from kb.errors import StoreError

SHIPPED_FOLDERS = ("", "internal", "derive")
"""Where the KB's own queries live under ``queries/``: canned, internal, derivation."""


@dataclass(frozen=True)
class Dialect:
    """One server's differences (see the module docstring)."""

    name: str
    pragma: str = ""
    """Written in front of every shipped query (before its PREFIX lines)."""
    writes: str = "gsp"
    """``gsp``: each graph is replaced by a Graph Store PUT; ``update``: by one SPARQL
    Update (``DROP SILENT GRAPH`` and ``INSERT DATA``), for servers whose PUT is not one
    transaction."""
    max_rows: int = 0
    """The most rows (or triples) the server puts in one answer, cutting the rest without
    an error (0: it does not cut); ``row_limit.rq`` in its folder asks for a lower one."""
    answer_fixes: tuple[tuple[bytes, bytes], ...] = field(default=())
    """Text replaced in SPARQL JSON answers (the server's writer is fixed, so its way of
    writing a value is too)."""

    @cached_property
    def _shipped(self) -> dict[str, str]:
        """Standard text of each shipped query → the text this dialect sends instead."""
        base = resources.queries_dir()
        overlay = base / "dialects" / self.name
        if not (self.pragma or overlay.is_dir()):
            return {}
        rewritten: dict[str, str] = {}
        for folder in SHIPPED_FOLDERS:
            for path in sorted((base / folder).glob("*.rq")):
                own = overlay / folder / path.name
                rewritten[_read(path)] = _read(own) if own.is_file() else _read(path)
        return rewritten

    def own_query(self, name: str) -> str:
        """A query of this dialect's own (``queries/dialects/NAME/NAME.rq``)."""
        return _read(resources.queries_dir() / "dialects" / self.name / f"{name}.rq")

    def rewrite(self, sparql: str) -> tuple[str, bool]:
        """The text to send for ``sparql``, and whether it is a shipped query (which
        then takes the pragma, in front of its prefixes)."""
        if not self._shipped:
            return sparql, False
        own = self._shipped.get(sparql)
        return (sparql, False) if own is None else (own, True)

    def fix_json(self, body: bytes) -> bytes:
        """A SPARQL JSON answer as the standard writes it."""
        if not self.answer_fixes:
            return body
        if b'"vars": ["__ASK_RETVAL"]' in body:  # an ASK answered as a one-column table
            rows = json.loads(body)["results"]["bindings"]
            true = bool(rows) and rows[0]["__ASK_RETVAL"]["value"] not in ("0", "false")
            return json.dumps({"head": {}, "boolean": true}).encode()
        for written, meant in self.answer_fixes:
            body = body.replace(written, meant)
        return body


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


STANDARD = Dialect("standard")

_XSD_BOOLEAN = b'"datatype": "http://www.w3.org/2001/XMLSchema#boolean", "value": "'
VIRTUOSO = Dialect(
    "virtuoso",
    # Virtuoso 7.2 joins in the order written, and its optimizer is then kept from a
    # plan that gives wrong rows (a UNION in a sub-SELECT, OPTIONALs and GROUP BY:
    # `meetings`); the shipped queries are written in the order they should be read.
    pragma='DEFINE sql:select-option "order"\n',
    # its Graph Store PUT clears the graph and commits before it loads the new triples
    writes="update",
    # its /sparql endpoint caps answers at 1024 * 1024 rows, and at ResultSetMaxRows
    max_rows=1024 * 1024,
    answer_fixes=(
        # blank nodes come as "nodeID://b10023": "b10023" is the label
        (b'"type": "bnode", "value": "nodeID://', b'"type": "bnode", "value": "'),
        # stored xsd:boolean values come as "1" and "0"
        (_XSD_BOOLEAN + b'1"', _XSD_BOOLEAN + b'true"'),
        (_XSD_BOOLEAN + b'0"', _XSD_BOOLEAN + b'false"'),
    ),
)
DIALECTS = {d.name: d for d in (STANDARD, VIRTUOSO)}


def detect(server: str | None) -> Dialect:
    """The dialect named by ``$KB_SPARQL_DIALECT``, else the one the ``Server`` header
    of the server's answer shows, else the standard."""
    named = os.environ.get("KB_SPARQL_DIALECT")
    if named:
        if named not in DIALECTS:
            raise StoreError(
                f"KB_SPARQL_DIALECT={named!r} is not a known SPARQL dialect "
                f"(known: {', '.join(DIALECTS)})"
            )
        return DIALECTS[named]
    if server and server.lower().startswith("virtuoso"):
        return VIRTUOSO
    return STANDARD
