"""The one text table: aligned columns for people, in display columns (Hangul takes two).

``Result.table`` (answers) and ``kb link --review`` both print through it; the standard
formats (CSV, JSON, ...) are for tools and keep every value whole.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def cut(text: str, width: int) -> str:
    """``text`` cut to ``width`` display columns, ending in ``…`` when cut."""
    if display_width(text) <= width:
        return text
    while text and display_width(text) > width - 1:
        text = text[:-1]
    return text + "…"


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def text_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    widest: Sequence[int] = (),
    open_end: bool = False,
) -> str:
    """Header, a rule, and one line per row; cells cut to ``widest[i]`` columns if given.

    ``open_end``: the last column runs on to the end of each line (long reasons), so its
    rule is only as wide as its header.
    """
    if widest:
        rows = [[cut(c, w) for c, w in zip(r, widest, strict=True)] for r in rows]
    widths = [
        max(display_width(x) for x in [name, *(r[i] for r in rows)])
        for i, name in enumerate(header)
    ]
    rules = [*widths[:-1], display_width(header[-1])] if open_end else widths
    lines = [
        "  ".join(_pad(n, w) for n, w in zip(header, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in rules),
    ]
    lines += ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines) + "\n"
