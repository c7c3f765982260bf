"""Step 1, the input: an article as plain text or as an HTML page, with its header.

Plain text: the first non-empty line is the headline; a dateline (``2025.05.23(금) 12:16``,
``May 23, 2025``, ``2025-05-23``) among the first lines is the publication date. HTML: the
main text, the title and the date come from trafilatura, which leaves a page's menus,
rankings and footers out. A page capture saved as text ends in the same chrome (the seed
capture: "naver daum / SNS 로그인 / 오늘의 운세"); its short lines after the last sentence
are cut here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from kb.draft.errors import DraftError, MissingExtra

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
_KO_DATELINE = re.compile(
    r"(?P<y>20\d\d)[.\-/](?P<m>\d{1,2})[.\-/](?P<d>\d{1,2})\.?"
    r"(?:\s*\([월화수목금토일]\))?(?:\s+(?P<H>\d{1,2}):(?P<M>\d\d))?"
)
_EN_DATELINE = re.compile(
    r"\b(?P<mon>[A-Z][a-z]{2,8})\.? (?P<d>\d{1,2}), (?P<y>20\d\d)\b"
    r"(?:,? (?P<H>\d{1,2}):(?P<M>\d\d)\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?)?"
)
_BULLET = re.compile(r"^[\s•·\-*▶■□◆◇>]+")
_HTML = re.compile(rb"^\s*(<!doctype html|<html|<head|<body|<\?xml)", re.IGNORECASE)
_QUOTED = re.compile(r'^["“](.+)["”]$')
_SENTENCE_END = re.compile(r"[.!?。…\"”'’다요]\s*$")
DATELINE_LINES = 8
"""A dateline is looked for in this many lines after the headline."""


@dataclass(frozen=True)
class Article:
    """The article a draft is made from.

    ``text`` is the body (headline, dateline and trailing chrome removed); ``published``
    an ISO date or date-time (None when neither the text nor an option gives one).
    """

    text: str
    headline: str | None = None
    subtitle: str | None = None
    published: str | None = None
    publisher: str | None = None
    language: str | None = None
    url: str | None = None
    kind: str = "text"


def decode(data: bytes, path: str) -> str:
    """UTF-8 text, or a DraftError saying why not (binary, another encoding)."""
    if b"\x00" in data[:4096]:
        raise DraftError("not a text or HTML article (binary data)", path=path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DraftError(
            f"not UTF-8 text (byte {err.start}: {data[err.start : err.start + 1]!r})", path=path
        ) from None
    if any(unicodedata.category(c) == "Cc" and c not in "\n\r\t\f" for c in text[:4096]):
        raise DraftError("not a text or HTML article (control characters)", path=path)
    return text


def read_article(data: bytes, path: str = "<input>") -> Article:
    """The article in ``data``: HTML when it looks like a page, else plain text."""
    if _HTML.match(data[:512]):
        return read_html(decode(data, path), path)
    return read_text(decode(data, path), path)


def read_text(text: str, path: str = "<input>") -> Article:
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
    content = [i for i, line in enumerate(lines) if line]
    if not content:
        raise DraftError("empty article: no text", path=path)
    headline_at = next((i for i in content[:3] if len(_BULLET.sub("", lines[i])) > 8), content[0])
    before = [i for i in content if i < headline_at]
    headline = _BULLET.sub("", lines[headline_at]).strip()
    published = None
    skip = {headline_at, *before}
    for i in [i for i in content if i > headline_at][:DATELINE_LINES]:
        found = find_dateline(lines[i])
        if found and len(lines[i]) < 60:
            published = found
            skip.add(i)
            break
    subtitle = None
    rest = [i for i in content if i not in skip and i > headline_at]
    if rest and _QUOTED.match(lines[rest[0]]) and len(lines[rest[0]]) < 80:
        subtitle = _QUOTED.match(lines[rest[0]])[1]
        skip.add(rest[0])
    body = [i for i in content if i not in skip]
    body = _cut_trailing_chrome(lines, body)
    if not body:
        raise DraftError("no article text after the headline", path=path)
    paragraphs = "\n".join(lines[i] for i in body)
    return Article(text=paragraphs, headline=headline, subtitle=subtitle, published=published)


def _cut_trailing_chrome(lines: list[str], body: list[int]) -> list[int]:
    """Drop the short lines after the last line that ends like a sentence."""
    last = max((k for k, i in enumerate(body) if _SENTENCE_END.search(lines[i])), default=None)
    if last is None:
        return body
    return body[: last + 1]


def find_dateline(line: str) -> str | None:
    """The date (and time, if given) of a dateline, as ISO text; None if there is none.

    >>> find_dateline("• 2025.05.23(금) 12:16")
    '2025-05-23T12:16:00'
    >>> find_dateline("TOKYO, August 5, 2025")
    '2025-08-05'
    """
    match = _KO_DATELINE.search(line)
    if match:
        y, m, d = int(match["y"]), int(match["m"]), int(match["d"])
        hour, minute = match["H"], match["M"]
        return _iso(y, m, d, hour and int(hour), minute and int(minute))
    match = _EN_DATELINE.search(line)
    if match and match["mon"].lower().rstrip(".") in MONTHS:
        hour = match["H"] and int(match["H"])
        if hour is not None and match["ampm"] and match["ampm"][0] in "Pp" and hour < 12:
            hour += 12
        y, d = int(match["y"]), int(match["d"])
        month = MONTHS[match["mon"].lower()]
        return _iso(y, month, d, hour, match["M"] and int(match["M"]))
    return None


def _iso(y: int, m: int, d: int, hour: int | None, minute: int | None) -> str | None:
    import datetime

    try:
        datetime.date(y, m, d)
    except ValueError:
        return None
    day = f"{y:04d}-{m:02d}-{d:02d}"
    if hour is None or minute is None or hour > 23 or minute > 59:
        return day
    return f"{day}T{hour:02d}:{minute:02d}:00"


def read_html(html: str, path: str = "<input>") -> Article:
    """Main text, title, date and site name of a page, by trafilatura."""
    try:
        import trafilatura
    except ImportError:
        raise MissingExtra("trafilatura") from None

    text = trafilatura.extract(html, favor_precision=True, include_comments=False)
    if not text or len(text.strip()) < 40:
        raise DraftError("no article text in this HTML page", path=path)
    meta = trafilatura.extract_metadata(html)
    headline = meta.title if meta and meta.title else None
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if headline and lines and lines[0] == headline:  # the page's <h1> repeats the title
        lines = lines[1:]
    published = _html_published(html) or (meta.date if meta else None)
    for i, line in enumerate(lines[:3]):
        found = find_dateline(line)
        if found and len(line) < 60:
            published = published or found
            del lines[i]
            break
    article = Article(
        text="\n".join(lines),
        headline=headline,
        published=published,
        publisher=meta.sitename if meta else None,
        url=meta.url if meta else None,
        kind="html",
    )
    lang = re.search(r"<html[^>]*\blang=[\"']?([a-zA-Z]{2})", html[:2000])
    return replace(article, language=lang[1].lower()) if lang else article


_META_TIME = re.compile(
    r"<meta[^>]+(?:article:published_time|datePublished|pubdate)[^>]+content=[\"']"
    r"(\d{4}-\d\d-\d\d(?:T\d\d:\d\d(?::\d\d)?(?:Z|[+-]\d\d:?\d\d)?)?)",
    re.IGNORECASE,
)


def _html_published(html: str) -> str | None:
    """The publication time a page states in its metadata, with its zone (trafilatura
    keeps only the day)."""
    match = _META_TIME.search(html)
    if not match:
        return None
    from loaders.dates import parse_date

    for value in (match[1], match[1][:10]):
        try:
            parse_date(value)
        except ValueError:
            continue
        return value
    return None


def guess_language(text: str) -> str:
    """``ko`` when Hangul is at least a fifth of the letters, else ``en``."""
    letters = [c for c in text if c.isalpha()]
    hangul = sum(1 for c in letters if "\uac00" <= c <= "\ud7a3")
    return "ko" if letters and hangul * 5 >= len(letters) else "en"
