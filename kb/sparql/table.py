"""The one text table: aligned columns for people, in display columns (Hangul takes two).

``Result.table`` (answers) and ``kb link --review`` both print through it; the standard
formats (CSV, JSON, ...) are for tools and keep every value whole. Given the terminal's
width, a table fits it: the widest columns are cut (with ``…``) to one width, as wide as
leaves the line within the terminal, the others left whole; columns marked ``keep`` (ids,
which a reader copies into the next question) are cut only if the rest cannot make room.

>>> print(text_table(["name", "quote"], [["Naver", "a long sentence of the article"]],
...                  width=24), end="")
name   quote
-----  ----------------
Naver  a long sentence…
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

MIN_WIDTH = 6
"""The narrowest a column is cut to, whatever the terminal's width."""
KEPT_UNTIL = 16
"""Columns to keep whole are cut too when the others would be cut below this."""
GAP = 2
"""Spaces between columns."""


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def cut(text: str, width: int) -> str:
    """``text`` cut to ``width`` display columns, ending in ``…`` when cut."""
    if display_width(text) <= width:
        return text
    while text and display_width(text) > width - 1:
        text = text[:-1]
    return text.rstrip() + "…"


def _widths(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[int]:
    return [
        max(display_width(x) for x in [name, *(r[i] for r in rows)])
        for i, name in enumerate(header)
    ]


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def text_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    widest: Sequence[int] = (),
    open_end: bool = False,
    width: int | None = None,
    keep: Sequence[bool] = (),
) -> str:
    """Header, a rule, and one line per row; cells cut to ``widest[i]`` columns if given,
    and the table to ``width`` columns if given (``keep[i]``: cut column ``i`` last).

    ``open_end``: the last column runs on to the end of each line (long reasons), so its
    rule is only as wide as its header.
    """
    if widest:
        rows = [[cut(c, w) for c, w in zip(r, widest, strict=True)] for r in rows]
    widths = _widths(header, rows)
    if width is not None:
        fitted = fit(widths, width, keep or [False] * len(widths))
        if fitted != widths:
            header = [cut(n, w) for n, w in zip(header, fitted, strict=True)]
            rows = [[cut(c, w) for c, w in zip(r, fitted, strict=True)] for r in rows]
            widths = _widths(header, rows)
    rules = [*widths[:-1], display_width(header[-1])] if open_end else widths
    gap = " " * GAP
    lines = [
        gap.join(_pad(n, w) for n, w in zip(header, widths, strict=True)).rstrip(),
        gap.join("-" * w for w in rules),
    ]
    lines += [gap.join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines) + "\n"


def fit(widths: Sequence[int], total: int, keep: Sequence[bool]) -> list[int]:
    """Column widths whose line (with the gaps) is at most ``total`` columns: the widest
    columns cut to one width, as wide as fits. Columns in ``keep`` stay whole if the others
    can make the room without going below ``KEPT_UNTIL`` columns; else every column is cut
    alike. No column goes below ``MIN_WIDTH`` (a line may then be wider than ``total``).

    >>> fit([10, 40, 30], 60, [False, False, False])
    [10, 23, 23]
    >>> fit([40, 40], 60, [True, False])
    [40, 18]
    >>> fit([40, 40], 40, [True, False])
    [19, 19]
    """
    room = total - GAP * (len(widths) - 1)
    if sum(widths) <= room:
        return list(widths)
    kept = sum(w for w, k in zip(widths, keep, strict=True) if k)
    cut_first = [w for w, k in zip(widths, keep, strict=True) if not k]
    cap = _cap(cut_first, room - kept)
    if cap >= KEPT_UNTIL:
        return [w if k else min(w, cap) for w, k in zip(widths, keep, strict=True)]
    cap = max(_cap(list(widths), room), MIN_WIDTH)
    return [min(w, cap) for w in widths]


def _cap(widths: list[int], room: int) -> int:
    """The largest cap with ``sum(min(w, cap)) <= room`` (0 if none)."""
    low, high = 0, max(widths, default=0)
    while low < high:
        mid = (low + high + 1) // 2
        if sum(min(w, mid) for w in widths) <= room:
            low = mid
        else:
            high = mid - 1
    return low
