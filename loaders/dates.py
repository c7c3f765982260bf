"""Dates that keep their precision: 2024-06 is a month, not 2024-06-01.

A fact-file date becomes an ``xsd:gYear``, ``xsd:gYearMonth``, ``xsd:date`` or
``xsd:dateTime`` literal, whichever the written form says; what an article leaves open
stays open. ISO 8601 strings sort in time order across precisions, which is what the
timeline query relies on.
"""

from __future__ import annotations

import datetime as dt
import re

from pyoxigraph import Literal, NamedNode

from kb.namespaces import XSD

_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")


def parse_date(text: str) -> Literal:
    """Return the typed literal for ``text`` or raise ValueError saying what is wrong.

    >>> parse_date("2024-06").datatype.value.rsplit("#")[1]
    'gYearMonth'
    >>> parse_date("2025-13-40")
    Traceback (most recent call last):
    ...
    ValueError: no such date: 2025-13-40 (month 13)
    """
    text = text.strip()
    if _YEAR.match(text):
        return Literal(text, datatype=NamedNode(XSD + "gYear"))
    if m := _MONTH.match(text):
        if not 1 <= int(m.group(2)) <= 12:
            raise ValueError(f"no such month: {text}")
        return Literal(text, datatype=NamedNode(XSD + "gYearMonth"))
    if m := _DAY.match(text):
        year, month, day = (int(g) for g in m.groups())
        if not 1 <= month <= 12:
            raise ValueError(f"no such date: {text} (month {month})")
        try:
            dt.date(year, month, day)
        except ValueError:
            raise ValueError(f"no such date: {text} (day {day})") from None
        return Literal(text, datatype=NamedNode(XSD + "date"))
    if _DATETIME.match(text):
        try:
            dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"no such date and time: {text}") from None
        return Literal(text, datatype=NamedNode(XSD + "dateTime"))
    if re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", text):
        raise ValueError(f"a date-time needs a time zone, such as +09:00: {text}")
    raise ValueError(
        f"not a date: {text!r} (write 2025, 2025-05, 2025-05-22 or 2025-05-22T12:16:00+09:00)"
    )
