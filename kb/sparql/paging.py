"""A page of a canned answer: ``limit`` rows from row ``offset``, in the query's own order.

Every canned query (``queries/*.rq``) orders its rows totally (its ``ORDER BY`` ends with
every projected variable it did not sort by already), so the pages of one answer, asked
one after another, are the answer cut in pieces: none repeated, none lost. The page goes
into the query's text as solution modifiers (``kb.sparql.text.with_page``), so the engine
reads no more than it must: the rows before ``offset`` and the page itself.

>>> page_bounds("50", "100")
(50, 100)
>>> page_bounds(None, None)
(None, 0)
"""

from __future__ import annotations

from kb.errors import ParameterError

MAX_LIMIT = 10_000
"""The most rows one page may ask for (``--limit``, ``limit=``): as many as ``kb serve``
writes in one answer by default (``--max-results``)."""
MAX_OFFSET = 10**12
"""The furthest row a page may start at: beyond any answer, and within the engine's integers."""
PAGE_SIZE = 50
"""Rows on one page of the page's answer view (``/api/answer/NAME``) when none is asked."""


def page_bounds(limit: int | str | None, offset: int | str | None) -> tuple[int | None, int]:
    """``limit`` and ``offset`` as integers, checked: ParameterError (one line) for a value
    that is not a whole number, is negative, or (``limit``) is above ``MAX_LIMIT``.
    ``limit`` None: every row from ``offset``."""
    checked_limit = None if limit is None else _whole("limit", limit)
    if checked_limit is not None and checked_limit > MAX_LIMIT:
        raise ParameterError(
            f"limit {checked_limit} is above {MAX_LIMIT}, the most rows one page may hold"
        )
    checked_offset = 0 if offset is None else _whole("offset", offset)
    if checked_offset > MAX_OFFSET:
        raise ParameterError(f"offset {checked_offset} is above {MAX_OFFSET}")
    return checked_limit, checked_offset


def _whole(name: str, value: int | str) -> int:
    if isinstance(value, bool):
        raise ParameterError(f"{name} must be a whole number of rows, 0 or more")
    if isinstance(value, int):
        number = value
    else:
        text = value.strip()
        if not text.isascii() or not text.isdigit():
            raise ParameterError(f"{name} must be a whole number of rows, 0 or more, not {value!r}")
        number = int(text)
    if number < 0:
        raise ParameterError(f"{name} must be a whole number of rows, 0 or more, not {number}")
    return number
