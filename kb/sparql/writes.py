"""Which graphs a SPARQL Update writes, read from its text before it runs, so that
``kb serve`` refuses an update that would write a system graph, as ``kb load`` refuses a
file that names one (every graph under ``ekg:``, ``kb.namespaces.EKG``).

An update names every graph it writes: after ``GRAPH`` in an ``INSERT``/``DELETE``
template (``INSERT DATA``, ``DELETE DATA``, ``DELETE WHERE`` included), after ``WITH``,
``INTO`` and ``TO``, after ``CLEAR``/``DROP``/``CREATE`` (``GRAPH``), and the source of
``MOVE`` (which it empties). What cannot be named is refused: ``GRAPH ?g`` in a template
(the variable may bind to any graph), ``CLEAR``/``DROP`` ``ALL`` or ``NAMED``.

The reading fails closed, as ``kb.sparql.text.find_keyword`` does, and more strictly: an
update is written by a caller with the token, and a word the check does not know is a word
pyoxigraph might read differently. So every reading of the text must lex, every bare word
must be a SPARQL keyword or function name, and every prefix must be declared (or be one of
the project's): a keyword glued to something else (``WITHekg:ontology``) is refused.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping

from kb.sparql.lexer import Token, Unreadable, lex, readings

KEYWORDS = frozenset(
    """BASE PREFIX SELECT DISTINCT REDUCED AS CONSTRUCT WHERE DESCRIBE ASK FROM NAMED GROUP
    BY HAVING ORDER ASC DESC LIMIT OFFSET VALUES LOAD SILENT INTO CLEAR DROP CREATE ADD MOVE
    COPY TO INSERT DATA DELETE WITH USING DEFAULT ALL GRAPH OPTIONAL SERVICE BIND UNDEF MINUS
    UNION FILTER NOT IN EXISTS SEPARATOR TRUE FALSE VERSION LATERAL
    STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN
    UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY
    HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE
    IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE
    COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT TRIPLE SUBJECT PREDICATE OBJECT ISTRIPLE LANGDIR
    HASLANG HASLANGDIR STRLANGDIR ADJUST""".split()  # noqa: SIM905 (one table, read as text)
)
"""Every bare word of SPARQL 1.1, of SPARQL 1.2 and of Oxigraph's extensions (upper case;
``a`` is matched as written)."""
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LOCAL_ESCAPE = re.compile(r"\\(.)")


class _Refused(Exception):
    pass


def system_graph_write(sparql: str, protected: str, prefixes: Mapping[str, str]) -> str | None:
    """Why the update may write a graph whose IRI starts with ``protected`` (or cannot be
    read well enough to tell), as a sentence; None when it writes none. ``prefixes``: the
    prefixes declared for every update (the project's)."""
    for text, unescaped in readings(sparql):
        try:
            tokens = [
                t for t in lex(text, unescaped=unescaped) if t.kind not in ("space", "comment")
            ]
            _scan(tokens, protected, dict(prefixes))
        except Unreadable as err:
            return f"the update cannot be read from line {err.line}, column {err.column} on"
        except _Refused as refused:
            return str(refused)
    return None


def _scan(tokens: list[Token], protected: str, declared: dict[str, str]) -> None:
    base: str | None = None
    depth = 0
    template: int | None = None  # the depth of the template block we are in, if any
    expect_template = False
    previous = ""
    for i, token in enumerate(tokens):
        following = tokens[i + 1 : i + 4]
        if token.kind == "pname":
            prefix = token.text.partition(":")[0]
            if prefix not in declared and not (previous == "PREFIX" and token.text.endswith(":")):
                raise _Refused(f"the prefix {prefix}: (line {token.line}) is not declared")
        if token.kind == "punct":
            if token.text == "{":
                depth += 1
                if expect_template and template is None:
                    template, expect_template = depth, False
            elif token.text == "}":
                if template == depth:
                    template = None
                depth -= 1
            previous = token.text
            continue
        if token.kind != "word":
            previous = token.text
            continue
        word = token.text.upper()
        if word not in KEYWORDS and token.text != "a":
            raise _Refused(f"{token.text!r} (line {token.line}) is no SPARQL keyword")
        if word == "PREFIX" and len(following) >= 2 and following[0].kind == "pname":
            declared[following[0].text[:-1]] = _iri(following[1], base, declared)
        elif word == "BASE" and following:
            base = _iri(following[0], base, declared)
        elif word in ("INSERT", "DELETE") and template is None:
            expect_template = True
        elif word == "WHERE" and previous != "DELETE":
            expect_template = False  # the pattern of a DELETE/INSERT ... WHERE
        elif word in ("WITH", "INTO", "TO"):
            _check(_graph_ref(following), token, base, declared, protected)
        elif word in ("CLEAR", "DROP", "CREATE", "MOVE"):
            rest = [t for t in following if t.text.upper() != "SILENT"]
            if rest and rest[0].text.upper() in ("ALL", "NAMED"):
                raise _Refused(
                    f"{word} {rest[0].text.upper()} (line {token.line}) would also empty the "
                    "system graphs; name the graphs to clear or drop"
                )
            _check(_graph_ref(rest), token, base, declared, protected)
        elif word == "GRAPH" and template is not None:
            target = following[0] if following else None
            if target is not None and target.kind == "var":
                raise _Refused(
                    f"GRAPH {target.text} (line {token.line}) in an update's template may write "
                    "any graph, the system graphs too; name the graphs it writes"
                )
            _check(target, token, base, declared, protected)
        previous = word


def _graph_ref(tokens: list[Token]) -> Token | None:
    """The graph a clause names: the token after an optional GRAPH (None for DEFAULT)."""
    if tokens and tokens[0].kind == "word" and tokens[0].text.upper() == "GRAPH":
        tokens = tokens[1:]
    if not tokens or (tokens[0].kind == "word" and tokens[0].text.upper() == "DEFAULT"):
        return None
    return tokens[0]


def _check(
    target: Token | None,
    at: Token,
    base: str | None,
    declared: dict[str, str],
    protected: str,
) -> None:
    if target is None:
        return
    if target.kind not in ("iri", "pname"):
        raise _Refused(
            f"{at.text} {target.text} (line {at.line}): cannot tell which graph it writes"
        )
    iri = _iri(target, base, declared)
    if iri.startswith(protected):
        raise _Refused(
            f"<{iri}> (line {target.line}) is a system graph and cannot be written by an update"
        )


def _iri(token: Token, base: str | None, declared: dict[str, str]) -> str:
    """The IRI an IRIREF or prefixed name token stands for (relative IRIs resolved)."""
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix not in declared:
            raise _Refused(f"the prefix {prefix}: (line {token.line}) is not declared")
        return declared[prefix] + _LOCAL_ESCAPE.sub(r"\1", local)
    if token.kind != "iri":
        raise _Refused(f"{token.text!r} (line {token.line}) is not an IRI")
    iri = _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), token.text[1:-1])
    if base is not None and not re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", iri):
        iri = urllib.parse.urljoin(base, iri)
    return iri
