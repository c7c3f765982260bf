"""Dates that keep their precision: 2024-06 is a month, not 2024-06-01.

A fact-file date becomes an ``xsd:gYear``, ``xsd:gYearMonth``, ``xsd:date`` or
``xsd:dateTime`` literal, whichever the written form says; what an article leaves open
stays open. ISO 8601 strings sort in time order across precisions, which is what the
timeline query relies on, so every date is held to one form: ASCII digits (full-width or
Arabic-Indic digits are refused, as XSD refuses them), a year from 0001 to
9999, a date-time with a time zone whose offset lies within ±14:00. A date-time written
without seconds (``2025-05-22T12:16+09:00``) is stored with ``:00`` seconds, the form XSD
requires.
"""

from __future__ import annotations

import calendar
import re

from pyoxigraph import Literal, NamedNode

from kb.namespaces import XSD

_YEAR = re.compile(r"([0-9]{4})")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATETIME = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(\.[0-9]+)?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?"
)
FORMS = "2025, 2025-05, 2025-05-22 or 2025-05-22T12:16:00+09:00"


def parse_date(text: str) -> Literal:
    """Return the typed literal for ``text`` or raise ValueError saying what is wrong.

    >>> parse_date("2024-06").datatype.value.rsplit("#")[1]
    'gYearMonth'
    >>> parse_date("2025-05-22T12:16+09:00").value
    '2025-05-22T12:16:00+09:00'
    >>> parse_date("2025-13-40")
    Traceback (most recent call last):
    ...
    ValueError: no such date: 2025-13-40 (month 13)
    """
    text = text.strip()
    if not text.isascii():
        raise ValueError(f"not a date: {text!r} (write the digits as 0-9, e.g. {FORMS})")
    if m := _YEAR.fullmatch(text):
        _check_year(text, m.group(1))
        return Literal(text, datatype=NamedNode(XSD + "gYear"))
    if m := _MONTH.fullmatch(text):
        _check_year(text, m.group(1))
        if not 1 <= int(m.group(2)) <= 12:
            raise ValueError(f"no such month: {text}")
        return Literal(text, datatype=NamedNode(XSD + "gYearMonth"))
    if _DAY.fullmatch(text):
        _check_day(text)
        return Literal(text, datatype=NamedNode(XSD + "date"))
    if m := _DATETIME.fullmatch(text):
        day, hour, minute, second, fraction, zone = m.groups()
        _check_day(day)
        if zone is None:
            raise ValueError(f"a date-time needs a time zone, such as +09:00: {text}")
        if int(hour) > 23 or int(minute) > 59 or int(second or 0) > 59:
            raise ValueError(f"no such time: {text}")
        if zone != "Z":
            hours, minutes = int(zone[1:3]), int(zone[4:6])
            if minutes > 59 or hours * 60 + minutes > 14 * 60:
                raise ValueError(
                    f"no such time zone: {zone} in {text} (offsets go from -14:00 to +14:00)"
                )
        value = f"{day}T{hour}:{minute}:{second or '00'}{fraction or ''}{zone}"
        return Literal(value, datatype=NamedNode(XSD + "dateTime"))
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}.*", text):
        raise ValueError(f"write a T between the date and the time: {text}")
    raise ValueError(f"not a date: {text!r} (write {FORMS})")


def _check_year(text: str, year: str) -> None:
    if year == "0000":
        raise ValueError(f"no year 0000 in {text}: years go from 0001 (1 CE) to 9999")


def _check_day(text: str) -> None:
    year, month, day = (int(part) for part in text.split("-"))
    _check_year(text, text[:4])
    if not 1 <= month <= 12:
        raise ValueError(f"no such date: {text} (month {month})")
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise ValueError(f"no such date: {text} (day {day})")
