"""SPARQL as text: checks made before a query runs, and rewrites where there is no algebra
API. Every one reads the text with the grammar's own terminals (``kb.sparql.lexer``), so a
keyword inside a string, a comment, an IRI or a name is not taken for one, and the other way
round.

- ``find_keyword`` lets ``kb serve`` refuse ``SERVICE`` (and ``LOAD`` in updates): both
  make the server fetch a URL the caller chose. It fails closed: a reading of the query in
  which the keyword may be one (below), or a query it cannot read that spells the keyword,
  is a hit.
- ``check_depth`` refuses nesting deeper than ``MAX_DEPTH`` before any parser sees it:
  pyoxigraph's recursive parser overflows its stack near 830 nested ``FILTER EXISTS {``.
- ``has_dataset``: whether the query names its own dataset (``FROM``, ``FROM NAMED``).
- ``substitute`` binds canned-query parameters, in the embedded store as for a remote
  server (which only receives text): each ``$name`` becomes the RDF term written in
  N-Triples syntax (by pyoxigraph, so a value cannot break out of its term). pyoxigraph's
  own ``substitutions`` are not used: they join the values in after each sub-SELECT has
  been evaluated on its own, so a sub-SELECT that uses ``$org`` read every organization
  in the store (``partners`` at 1M quads: 24.7 s with them, see docs/benchmarks.md).
- ``with_prefixes`` declares the project's prefixes a query uses and does not declare,
  as the embedded store does with ``prefixes=``.
- ``with_page`` gives a query ``LIMIT`` and ``OFFSET`` where the grammar puts them,
  composed with those it has (a page of ``kb ask``'s answer, ``kb.sparql.paging``).
- ``quad_data`` writes quads as the body of ``INSERT DATA`` / ``DELETE DATA``.

Where a keyword may hide. pyoxigraph 0.5's parser (a PEG) matches a keyword at any point
where a token may start, with no word boundary after it, so it reads ``SERVICESILENT``,
``trueSERVICE <u> {}`` (the literal ``true``, then SERVICE) and the prefixed name
``SERVICEex:a`` (SERVICE, then ``ex:a``) as SERVICE clauses, all measured calling out.
A name the grammar reads whole is safe only where the parser reads it whole too:
variables, blank node labels, language tags and the local part of a prefixed name are read
greedily; bare words and the prefix of a prefixed name are not. So a hit is the keyword
anywhere inside a bare word or a prefix, in any reading of the text (``lexer.readings``:
as written, and with SPARQL 1.1's codepoint escapes replaced).

>>> substitute("SELECT ?x $org WHERE { $org ?p ?x } GROUP BY ?x $org",
...            {"org": "<https://e/o>"})
'SELECT ?x (<https://e/o> AS ?org) WHERE { <https://e/o> ?p ?x } GROUP BY ?x (<https://e/o>)'
>>> find_keyword('SELECT * { ?s ?p "SERVICE" } # SERVICE', {"SERVICE"}) is None
True
>>> find_keyword("SELECT * { ?s ?p trueSERVICE <http://x/> {} }", {"SERVICE"})
Found(keyword='SERVICE', line=1, token='trueSERVICE')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import NamedTuple

from pyoxigraph import Quad

from kb.errors import QueryError
from kb.sparql.lexer import CLOSERS, OPENERS, Token, Unreadable, lex, readings

MAX_DEPTH = 400
"""Deepest nesting of brackets a query may have: about half of what crashes pyoxigraph's
parser on an 8 MiB stack (830 nested ``FILTER EXISTS {``, 2 600 nested ``OPTIONAL {``)."""
_ENDS_GROUP_BY = {"HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"}


class Found(NamedTuple):
    """Where a query may use a keyword: the keyword, its line, and the token it is in (None
    where the text could not be read there)."""

    keyword: str
    line: int
    token: str | None


def tokens(sparql: str) -> Iterator[Token]:
    """Every token of the query as written, whitespace and comments included; text the
    grammar cannot read is passed on as one last ``other`` token (for rewrites only:
    a check must use ``lex``, which stops there)."""
    try:
        yield from lex(sparql)
    except Unreadable as err:
        yield Token("other", sparql[err.position :], err.line)


def find_keyword(sparql: str, keywords: Iterable[str]) -> Found | None:
    """The first of ``keywords`` (upper case) the query may use as a keyword, failing
    closed (see the module docstring); None when no reading can."""
    wanted = [k.upper() for k in keywords]
    variants = readings(sparql)
    spelled = [k for k in wanted if any(_spells(k, text) for text, _ in variants)]
    if not spelled:
        return None
    unreadable: Found | None = None
    for text, unescaped in variants:
        try:
            found = _keyword_among(lex(text, unescaped=unescaped), spelled)
        except Unreadable as err:
            found = _keyword_among(iter(err.tokens), spelled)
            unreadable = unreadable or Found(spelled[0], err.line, None)
        if found:
            return found
    return unreadable


def _keyword_among(stream: Iterator[Token], spelled: list[str]) -> Found | None:
    for token in stream:
        if token.kind == "word":
            within = token.text.upper()
        elif token.kind == "pname":
            within = token.text.partition(":")[0].upper()
        else:
            continue
        for keyword in spelled:
            if keyword in within:
                return Found(keyword, token.line, token.text)
    return None


def _spells(keyword: str, text: str) -> bool:
    """Whether the letters of ``keyword`` are anywhere in ``text``, in any ASCII case (as
    the parser matches keywords: U+017F, the long s, is no ``s``)."""
    return re.search(keyword, text, re.IGNORECASE | re.ASCII) is not None


def check_depth(sparql: str, limit: int = MAX_DEPTH) -> None:
    """QueryError if brackets nest deeper than ``limit`` in any reading of the query."""
    if sum(sparql.count(c) for c in ("{", "(", "[", "<<")) <= limit:
        return  # cannot nest deeper than it has brackets
    deepest = 0
    for text, unescaped in readings(sparql):
        try:
            deepest = max(deepest, _depth(lex(text, unescaped=unescaped))[0])
        except Unreadable as err:
            # what follows cannot be read: count every bracket in it as an opening one
            before, current = _depth(iter(err.tokens))
            rest = text[err.position :]
            opened = sum(rest.count(c) for c in "{([") + rest.count("<<")
            deepest = max(deepest, before, current + opened)
    if deepest > limit:
        raise QueryError(
            f"the query nests brackets {deepest} deep; at most {limit} are allowed "
            "(deeper nesting can crash the SPARQL parser)"
        )


def _depth(stream: Iterator[Token]) -> tuple[int, int]:
    """The deepest nesting among the tokens, and the nesting at their end."""
    current = deepest = 0
    for token in stream:
        if token.kind != "punct":
            continue
        if token.text in OPENERS:
            current += 1
            deepest = max(deepest, current)
        elif token.text in CLOSERS:
            current = max(0, current - 1)
    return deepest, current


def has_dataset(sparql: str) -> bool:
    """Whether the query names its dataset itself (``FROM`` / ``FROM NAMED``), as written."""
    if "from" not in sparql.lower():
        return False
    return any(t.kind == "word" and t.text.upper() == "FROM" for t in tokens(sparql))


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
        if kind == "word":
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
        elif kind == "punct":
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
        if kind == "pname":
            (declared if after_prefix else used).add(text.partition(":")[0])
        after_prefix = kind == "word" and text.upper() == "PREFIX"
    missing = sorted(p for p in used - declared if p in prefixes)
    if not missing:
        return sparql
    header = separator.join(f"PREFIX {p}: <{prefixes[p]}>" for p in missing)
    return f"{header}\n{sparql}"


def with_page(sparql: str, limit: int | None, offset: int = 0) -> str:
    r"""The query answering ``limit`` rows (None: all) from row ``offset`` of its answer.

    SPARQL 1.1's grammar puts ``LIMIT`` and ``OFFSET`` last among the solution modifiers
    of the outermost query, outside every group and before a trailing ``VALUES`` block;
    the query's own (outside every group) are replaced by their composition with the
    page's, so a query that keeps its first 10 rows gives at most those 10 in pages.

    >>> with_page("SELECT * { ?s ?p ?o } ORDER BY ?s", 50, 100)
    'SELECT * { ?s ?p ?o } ORDER BY ?s\nLIMIT 50 OFFSET 100\n'
    >>> with_page("SELECT * { { SELECT * {?s ?p ?o} LIMIT 5 } } LIMIT 10 OFFSET 2 # x", 50, 4)
    'SELECT * { { SELECT * {?s ?p ?o} LIMIT 5 } }     # x\nLIMIT 6 OFFSET 6\n'
    """
    if limit is None and not offset:
        return sparql
    try:
        found = list(lex(sparql))
    except Unreadable as err:
        raise QueryError(f"cannot read the query: {err}") from None
    braces = 0
    own: dict[str, int] = {}
    drop: set[int] = set()
    values_at: int | None = None
    for i, token in enumerate(found):
        if token.kind == "punct" and token.text == "{":
            braces += 1
        elif token.kind == "punct" and token.text == "}":
            braces -= 1
        elif braces == 0 and token.kind == "word":
            word = token.text.upper()
            if word in ("LIMIT", "OFFSET"):
                j = i + 1
                while j < len(found) and found[j].kind in ("space", "comment"):
                    j += 1
                if j < len(found) and found[j].kind == "number":
                    own[word] = int(found[j].text)
                    drop |= {i, j}
            elif word == "VALUES" and values_at is None:
                values_at = i
    start = own.get("OFFSET", 0) + offset
    if "LIMIT" in own:
        left = max(0, own["LIMIT"] - offset)
        limit = left if limit is None else min(limit, left)
    clauses = (f"LIMIT {limit} " if limit is not None else "") + f"OFFSET {start}"
    kept = [t.text for i, t in enumerate(found) if i not in drop]
    cut = len(kept) if values_at is None else values_at - sum(1 for i in drop if i < values_at)
    return "".join(kept[:cut]) + f"\n{clauses}\n" + "".join(kept[cut:])


def quad_data(quads: Iterable[Quad]) -> str:
    """Quads as the body of SPARQL ``INSERT DATA`` / ``DELETE DATA`` (no blank nodes)."""
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        by_graph.setdefault(str(q.graph_name), []).append(f"{q.triple} .")
    return " ".join(f"GRAPH {g} {{ {' '.join(t)} }}" for g, t in by_graph.items())
