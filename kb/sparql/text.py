"""SPARQL as text: a careful scan where there is no algebra API, and data-update bodies.

pyoxigraph parses queries but exposes no algebra, so the server and the remote store read
the text with a small tokenizer that knows strings, comments and IRIs (a ``SERVICE`` in a
string, a comment or an IRI is not a keyword):

- ``find_keyword`` lets ``kb serve`` refuse ``SERVICE`` (and ``LOAD`` in updates): both
  make the server fetch a URL the caller chose.
- ``substitute`` binds canned-query parameters, in the embedded store as for a remote
  server (which only receives text): each ``$name`` becomes the RDF term written in
  N-Triples syntax (by pyoxigraph, so a value cannot break out of its term). pyoxigraph's
  own ``substitutions`` are not used: they join the values in after each sub-SELECT has
  been evaluated on its own, so a sub-SELECT that uses ``$org`` read every organization
  in the store (``partners`` at 1M quads: 24.7 s with them, see docs/benchmarks.md).
- ``with_prefixes`` declares the project's prefixes a query uses and does not declare,
  as the embedded store does with ``prefixes=``.
- ``quad_data`` writes quads as the body of ``INSERT DATA`` / ``DELETE DATA``.

>>> substitute("SELECT ?x $org WHERE { $org ?p ?x } GROUP BY ?x $org",
...            {"org": "<https://e/o>"})
'SELECT ?x (<https://e/o> AS ?org) WHERE { <https://e/o> ?p ?x } GROUP BY ?x (<https://e/o>)'
>>> find_keyword('SELECT * { ?s ?p "SERVICE" } # SERVICE', {"SERVICE"}) is None
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from pyoxigraph import Quad

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
             | '''(?:[^'\\]|\\.|'(?!''))*'''
             | "(?:[^"\\\n]|\\.)*"
             | '(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
  | (?P<word>[A-Za-z_\u00C0-\uFFFF][A-Za-z0-9_\-.:\u00B7\u00C0-\uFFFF]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_ENDS_GROUP_BY = {"HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"}


def tokens(sparql: str) -> Iterator[tuple[str, str, int]]:
    """``(kind, text, line)`` for every token, whitespace and comments included."""
    line = 1
    for match in _TOKEN.finditer(sparql):
        kind = match.lastgroup or "other"
        text = match.group()
        if kind == "word" and text.endswith("."):  # "ek:x ." ends a triple, not the name
            stripped = text.rstrip(".")
            yield kind, stripped, line
            yield "other", text[len(stripped) :], line
        else:
            yield kind, text, line
        line += text.count("\n")


def find_keyword(sparql: str, keywords: Iterable[str]) -> tuple[str, int] | None:
    """The first of ``keywords`` (upper case) used as a keyword, and its line; else None."""
    wanted = set(keywords)
    for kind, text, line in tokens(sparql):
        if kind == "word" and text.upper() in wanted:
            return text.upper(), line
    return None


def substitute(sparql: str, terms: Mapping[str, str]) -> str:
    """Replace the variables named in ``terms`` by those terms (N-Triples syntax).

    In the projection of the top SELECT a bare ``$x`` becomes ``(TERM AS ?x)``, so the
    answer still has the column; in a sub-SELECT's projection it is dropped (the outer
    query no longer needs it, and projecting it twice would be an error); in GROUP BY it
    becomes ``(TERM)``; anywhere else it is the term itself.
    """
    out: list[str] = []
    braces = parens = 0
    mode = ""  # "project" (a SELECT clause), "group" (a GROUP BY clause) or ""
    top = False
    clause_parens = 0
    previous = ""
    for kind, text, _ in tokens(sparql):
        if kind == "word" and ":" not in text:
            word = text.upper()
            if word == "SELECT":
                mode, top, clause_parens = "project", braces == 0, parens
            elif word in ("WHERE", "FROM") and mode == "project":
                mode = ""
            elif word == "BY" and previous == "GROUP":
                mode, clause_parens = "group", parens
            elif word in _ENDS_GROUP_BY and mode == "group":
                mode = ""
            previous = word
        elif kind == "other":
            if text == "{":
                braces += 1
                mode = "" if mode == "project" else mode
            elif text == "}":
                braces -= 1
                mode = "" if mode == "group" else mode
            elif text == "(":
                parens += 1
            elif text == ")":
                parens -= 1
        elif kind == "var" and text[1:] in terms:
            term = terms[text[1:]]
            bare = parens == clause_parens
            if mode == "project" and bare:
                text = f"({term} AS ?{text[1:]})" if top else ""
            elif mode == "group" and bare:
                text = f"({term})"
            else:
                text = term
        out.append(text)
    return "".join(out)


def with_prefixes(sparql: str, prefixes: Mapping[str, str], *, separator: str = " ") -> str:
    """Prepend the declarations of ``prefixes`` the query uses but lacks.

    They go on one line by default, so a server's error positions are off by one line
    only; ``separator="\\n"`` writes one a line, for a person to read.
    """
    declared: set[str] = set()
    used: set[str] = set()
    after_prefix = False
    for kind, text, _ in tokens(sparql):
        if kind in ("space", "comment"):
            continue
        if kind == "word" and ":" in text:
            (declared if after_prefix else used).add(text.partition(":")[0])
        after_prefix = kind == "word" and text.upper() == "PREFIX"
    missing = sorted(p for p in used - declared if p in prefixes)
    if not missing:
        return sparql
    header = separator.join(f"PREFIX {p}: <{prefixes[p]}>" for p in missing)
    return f"{header}\n{sparql}"


def quad_data(quads: Iterable[Quad]) -> str:
    """Quads as the body of SPARQL ``INSERT DATA`` / ``DELETE DATA`` (no blank nodes)."""
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        by_graph.setdefault(str(q.graph_name), []).append(f"{q.triple} .")
    return " ".join(f"GRAPH {g} {{ {' '.join(t)} }}" for g, t in by_graph.items())
