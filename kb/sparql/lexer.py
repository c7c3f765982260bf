"""SPARQL read token by token as its grammar reads it: the terminals of SPARQL 1.1
(W3C Recommendation, section 19.8, productions [139] to [173]) and the few SPARQL 1.2 ones
pyoxigraph reads too.

Security depends on this reading (``kb.sparql.text.fetching_keyword``): a scan that takes
``ek:a\\'`` for a name followed by a quote, or ends a comment at ``\\n`` only, misses a
``SERVICE`` the engine sees. So every terminal is the grammar's, character for character:

- IRIREF ``<([^<>"{}|^`\\]-[#x00-#x20])*>``; strings in their four forms with ECHAR
  ``\\[tbnrf\\"']`` escapes (the one-line forms stop at ``\\n`` and ``\\r``); comments from
  ``#`` to ``\\n`` or ``\\r``; whitespace is ``#x20 #x9 #xD #xA`` only;
- prefixed names ``PN_PREFIX? ':' PN_LOCAL`` with PLX (``%HH`` and the ``\\``-escapes of
  PN_LOCAL_ESC), blank node labels, variables, LANGTAG, INTEGER/DECIMAL/DOUBLE;
- bare words (keywords, function names, ``a``), and the punctuation, longest first.

Codepoint escapes (``\\u0041``, ``\\U00000041``) are where readers differ: SPARQL 1.1
(section 19.2) replaces them in the whole text before parsing, SPARQL 1.2 and pyoxigraph
0.5 only inside strings and IRIs. ``readings`` gives every reading a query has, so a check
can hold against each. Anything that is none of the above stops the reading with
``Unreadable``: a check fails closed on it.

>>> [t.text for t in lex("SELECT * { ?s ek:a\\\\' 'x' } # c") if t.kind not in ("space",)]
['SELECT', '*', '{', '?s', "ek:a\\\\'", "'x'", '}', '# c']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import NamedTuple

_NON_ASCII_BASE = (
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
"""PN_CHARS_BASE [164] beyond ASCII, as the inside of a character class."""
_NON_ASCII_CHARS = "\u00b7\u0300-\u036f\u203f-\u2040"
"""What PN_CHARS [167] (and VARNAME [166]) add beyond PN_CHARS_U and ASCII."""
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"  # PLX [170], PERCENT [171], PN_LOCAL_ESC [173]
_ECHAR = r"\\[tbnrf\\\"']"  # ECHAR [160]
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
"""A codepoint escape, read inside strings and IRIs when the text was not unescaped first."""


@cache
def _pattern(uchar: bool, ascii_only: bool) -> re.Pattern[str]:
    """The terminals, compiled when first needed: with the non-ASCII ranges of names, the
    pattern takes 30 ms to compile, without them 1 ms (``lex`` uses it for ASCII names)."""
    base = "A-Za-z" + ("" if ascii_only else _NON_ASCII_BASE)  # PN_CHARS_BASE [164]
    u = base + "_"  # PN_CHARS_U [165]
    chars = u + "\\-0-9" + ("" if ascii_only else _NON_ASCII_CHARS)  # PN_CHARS [167]
    varname = f"[{u}0-9][{chars.replace(chr(92) + '-', '')}]*+"  # VARNAME [166]: no hyphen
    pn_prefix = f"[{base}](?:[{chars}.]*[{chars}])?"  # PN_PREFIX [168]
    pn_local = f"(?:[{u}:0-9]|{_PLX})(?:(?:[{chars}.:]|{_PLX})*(?:[{chars}:]|{_PLX}))?"  # [169]
    esc = f"{_ECHAR}|{_UCHAR}" if uchar else _ECHAR
    plain = r'[^<>"{}|^`\\\x00-\x20]'
    iri = f"(?:{plain}++|{_UCHAR})*+" if uchar else f"{plain}*+"
    return re.compile(
        rf"""
          (?P<space>[\x20\t\r\n]++)
        | (?P<comment>\#[^\r\n]*+)
        | (?P<iri><{iri}>)
        | (?P<string>'''(?:'{{0,2}}(?:[^'\\]++|{esc}))*+'''
                   | \"\"\"(?:"{{0,2}}(?:[^"\\]++|{esc}))*+\"\"\"
                   | '(?:[^'\\\r\n]++|{esc})*+'
                   | "(?:[^"\\\r\n]++|{esc})*+")
        | (?P<var>[?$]{varname})
        | (?P<bnode>_:[{u}0-9](?:[{chars}.]*[{chars}])?)
        | (?P<pname>(?:{pn_prefix})?:(?:{pn_local})?)
        | (?P<langtag>@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+(?:--[a-zA-Z]++)?)
        | (?P<number>[0-9]++\.[0-9]*+[eE][+-]?[0-9]++
                   | \.[0-9]++[eE][+-]?[0-9]++
                   | [0-9]++[eE][+-]?[0-9]++
                   | [0-9]*+\.[0-9]++
                   | [0-9]++)
        | (?P<word>[A-Za-z][A-Za-z0-9_]*+)
        | (?P<punct><<\(|\)>>|\^\^|\|\||&&|<=|>=|!=|<<|>>|\{{\||\|}}|[{{}}\[\]();,.+\-*/<>=!^|~?])
        """,
        re.VERBOSE,
    )


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
OPENERS = frozenset({"{", "(", "[", "<<", "<<(", "{|"})
CLOSERS = frozenset({"}", ")", "]", ">>", ")>>", "|}"})


class Token(NamedTuple):
    kind: str
    """space, comment, iri, string, var, bnode, pname, langtag, number, word or punct"""
    text: str
    line: int
    """1-based line of the token's first character."""


class Unreadable(ValueError):
    """Text that is no terminal of the grammar: where it starts, and what it is."""

    def __init__(self, text: str, position: int, line: int) -> None:
        self.position = position
        self.line = line
        self.tokens: list[Token] = []
        """The tokens read before it."""
        self.column = position - (text.rfind("\n", 0, position) + 1) + 1
        super().__init__(
            f"line {line}, column {self.column}: cannot read {text[position : position + 20]!r}"
        )


def lex(text: str, *, unescaped: bool = False) -> Iterator[Token]:
    """Every token of ``text``, whitespace and comments included; Unreadable at the first
    character that starts no terminal. ``unescaped``: the text had its codepoint escapes
    replaced already (SPARQL 1.1's reading), so none is read inside strings or IRIs
    (SPARQL 1.2 and pyoxigraph 0.5 read them there).

    A text is read with the names' ASCII characters first: strings, comments and IRIs take
    any character either way, so the reading can differ only where a name meets a
    character beyond ASCII, and there the ASCII reading stops; the text is then read again
    with every range of the grammar."""
    try:
        return iter(_tokens(text, _pattern(not unescaped, ascii_only=True)))
    except Unreadable as err:
        if text[err.position].isascii():
            raise
    return iter(_tokens(text, _pattern(not unescaped, ascii_only=False)))


def _tokens(text: str, pattern: re.Pattern[str]) -> list[Token]:
    found: list[Token] = []
    pos, line, end = 0, 1, len(text)
    while pos < end:
        match = pattern.match(text, pos)
        if match is None:
            error = Unreadable(text, pos, line)
            error.tokens = found
            raise error
        token = match.group()
        found.append(Token(match.lastgroup or "punct", token, line))
        line += token.count("\n")  # as pyoxigraph counts lines in its messages
        pos = match.end()
    return found


def readings(text: str) -> list[tuple[str, bool]]:
    """The texts a SPARQL reader may parse for ``text``, each with its ``unescaped`` flag:
    as written (SPARQL 1.2, pyoxigraph 0.5); and, if it holds codepoint escapes, after
    SPARQL 1.1's replacement, done both the way Oxigraph did it (a backslash escapes the
    next character, so ``\\\\u0041`` stays) and the plain way (every ``\\uXXXX`` replaced)."""
    found = [(text, False)]
    if "\\u" in text or "\\U" in text:
        for variant in (_unescape_pairwise(text), _ESCAPE.sub(_codepoint, text)):
            if variant != text and all(variant != t for t, _ in found):
                found.append((variant, True))
    return found


def _codepoint(match: re.Match[str]) -> str:
    value = int(match.group(1) or match.group(2), 16)
    if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
        return match.group()  # no character: the reader keeps the text, and so do we
    return chr(value)


def _unescape_pairwise(text: str) -> str:
    """Oxigraph's SPARQL 1.1 unescaping (``unescape_unicode_codepoints``): a backslash and
    the character after it are passed on together; after ``\\u`` (``\\U``) the next 4 (8)
    characters are taken, and replaced by their codepoint when they spell one (Rust's
    ``from_str_radix`` lets a ``+`` lead), else passed on as they are."""
    out: list[str] = []
    i, end = 0, len(text)
    while i < end:
        char = text[i]
        if char != "\\" or i + 1 == end:
            out.append(char)
            i += 1
            continue
        marker = text[i + 1]
        width = {"u": 4, "U": 8}.get(marker, 0)
        digits = text[i + 2 : i + 2 + width]
        if width and len(digits) == width and re.fullmatch(r"\+?[0-9A-Fa-f]+", digits):
            value = int(digits, 16)
            if value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF:
                out.append(chr(value))
                i += 2 + width
                continue
        out.append(text[i : i + 2 + len(digits)])
        i += 2 + len(digits)
    return "".join(out)
