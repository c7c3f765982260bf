"""What makes a literal acceptable: XSD lexical forms, BCP 47 language tags, a size limit.

RDF parsers take ``"abc"^^xsd:date`` and ``"twelve"^^xsd:integer`` as they come; stored,
such literals sort wrongly and compare as errors in SPARQL. Every literal of an XSD type
the KB knows is checked here against the XSD 1.1 lexical space (ASCII digits only, as XSD
says; a time zone offset within ±14:00), for RDF input and fact files alike.

Language tags must be well-formed BCP 47 (RFC 5646's grammar): pyoxigraph's own checker
decides, so a tag we accept is one the store accepts. ``en-x`` (an empty private-use part)
and ``de-de-de`` (a third two-letter subtag) are refused, and so is a primary subtag of 4
to 8 letters (``english``): well-formed, but the registry holds none.

``MAX_LITERAL_BYTES``: no literal may be larger. A quote of 16 MiB is no quote, and larger
literals made the write's SPARQL text run out of memory.
"""

from __future__ import annotations

import calendar
import re
from functools import lru_cache

from pyoxigraph import Literal

from kb.namespaces import XSD

MAX_LITERAL_BYTES = 16 * 2**20
"""The largest literal (in UTF-8 bytes) a file may hold: 16 MiB."""

_YEAR = r"-?(?:[1-9][0-9]{4,}|[0-9]{4})"
_TZ = r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?|24:00:00(?:\.0+)?"
_DATE = _YEAR + r"-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
_INTEGER = r"[+-]?[0-9]+"
_DECIMAL = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_FLOAT = r"(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN)"
_DURATION = (
    r"-?P(?=[0-9T])(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+D)?"
    r"(?:T(?=[0-9])(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?"
)

_LEXICAL = {
    "date": f"{_DATE}{_TZ}?",
    "dateTime": f"{_DATE}T(?:{_TIME}){_TZ}?",
    "dateTimeStamp": f"{_DATE}T(?:{_TIME}){_TZ}",
    "time": f"(?:{_TIME}){_TZ}?",
    "gYear": f"{_YEAR}{_TZ}?",
    "gYearMonth": f"{_YEAR}-(?:0[1-9]|1[0-2]){_TZ}?",
    "gMonth": f"--(?:0[1-9]|1[0-2]){_TZ}?",
    "gMonthDay": f"--(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01]){_TZ}?",
    "gDay": f"---(?:0[1-9]|[12][0-9]|3[01]){_TZ}?",
    "boolean": r"true|false|1|0",
    "decimal": _DECIMAL,
    "float": _FLOAT,
    "double": _FLOAT,
    "duration": _DURATION,
    "dayTimeDuration": r"-?P(?=[0-9T])(?:[0-9]+D)?(?:T(?=[0-9])(?:[0-9]+H)?(?:[0-9]+M)?"
    r"(?:[0-9]+(?:\.[0-9]+)?S)?)?",
    "yearMonthDuration": r"-?P(?=[0-9])(?:[0-9]+Y)?(?:[0-9]+M)?",
}
_INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {
    "integer": (None, None),
    "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
    "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-128, 127),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 255),
}
_PATTERNS = {name: re.compile(pattern) for name, pattern in _LEXICAL.items()}
_INTEGER_PATTERN = re.compile(_INTEGER)
_DAY_OF = re.compile(r"(-?[0-9]+)-([0-9]{2})-([0-9]{2})")


def xsd_error(lexical: str, datatype: str) -> str | None:
    """Why ``lexical`` is not a valid literal of ``datatype`` (a full IRI), or None.

    Datatypes outside XSD, and XSD types without a check here (strings, IRIs), pass.

    >>> xsd_error("2025-02-29", XSD + "date")
    'not a valid xsd:date: "2025-02-29" (2025-02 has 28 days)'
    >>> xsd_error("twelve", XSD + "integer")
    'not a valid xsd:integer: "twelve"'
    >>> xsd_error("2025-06-01T09:00:00+09:00", XSD + "dateTime") is None
    True
    """
    name = datatype.removeprefix(XSD)
    if name == datatype or (name not in _INTEGER_RANGES and name not in _PATTERNS):
        return None  # not XSD, or a type with no lexical check here (a string, an IRI)
    return _checked(lexical, name)


@lru_cache(maxsize=4096)  # dates and numbers repeat
def _checked(lexical: str, name: str) -> str | None:
    shown = lexical if len(lexical) <= 60 else lexical[:57] + "..."
    bad = f'not a valid xsd:{name}: "{shown}"'
    if name in _INTEGER_RANGES:
        if not _INTEGER_PATTERN.fullmatch(lexical):
            return bad
        low, high = _INTEGER_RANGES[name]
        value = int(lexical)
        if (low is not None and value < low) or (high is not None and value > high):
            return f"{bad} (out of range)"
        return None
    pattern = _PATTERNS.get(name)
    if pattern is None:
        return None
    if not pattern.fullmatch(lexical):
        return bad
    if name in ("date", "dateTime", "dateTimeStamp"):
        year, month, day = (int(g) for g in _DAY_OF.match(lexical).groups())  # type: ignore[union-attr]
        days = calendar.monthrange(year % 400 or 400, month)[1]  # the calendar repeats
        if day > days:
            return f"{bad} ({lexical[: lexical.index('-', 1)]}-{month:02d} has {days} days)"
    return None


def language_error(tag: str) -> str | None:
    """Why ``tag`` is not a well-formed BCP 47 language tag, or None (pyoxigraph decides).

    >>> language_error("en-x")
    'not a BCP 47 language tag: en-x (If the `x` subtag is present, it must not be empty)'
    >>> language_error("th") is None
    True
    """
    try:
        Literal("", language=tag)
    except ValueError as err:
        shown = tag if tag and tag == tag.strip() else repr(tag)
        return f"not a BCP 47 language tag: {shown} ({err})"
    primary = tag.split("-")[0]
    if len(primary) > 3 and primary.lower() not in ("x", "i"):
        # well-formed, but no language subtag of 4 to 8 letters has ever been registered
        return f"not a language tag: {tag!r} (use a code such as en, ko, th or ja)"
    return None


def size_error(text: str) -> str | None:
    """Why ``text`` is too large for a literal, or None."""
    if len(text) * 4 <= MAX_LITERAL_BYTES or len(text.encode("utf-8")) <= MAX_LITERAL_BYTES:
        return None
    return (
        f"a text of {len(text.encode('utf-8')) / 2**20:.1f} MiB is larger than the limit "
        f"of {MAX_LITERAL_BYTES // 2**20} MiB for one literal"
    )
