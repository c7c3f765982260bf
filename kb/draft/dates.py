"""Step 6, dates: the time expressions of a sentence, resolved against the publication
date, keeping the precision the article gives.

``지난 22일`` → 2025-05-22, ``지난해 6월`` → 2024-06, ``지난 3월`` → 2025-03, ``올해 말까지``
→ a deadline of 2025, ``같은 날``, ``이날``, ``다음 날`` → the day (or the day after) of the
last event dated to the day before it (resolved by the fact step, which reads the sentences
before); ``on Thursday``, ``last June``, ``by the end of the year``, ``later that day``,
``the following day`` alike. A date a sentence reports the article by (``23일 네이버에
따르면``, ``said on Tuesday``) is kind ``report``, and the year a company was founded
(``2019년 설립된``, ``founded in 2021``) kind ``founding``: neither is the date of the event.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kb.draft.source import MONTHS


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    value: str | None  # 2025, 2025-05 or 2025-05-22; None for "the same day"
    kind: str  # date, deadline, report (the day of the news), founding, same-day
    rule: str
    text: str
    offset: int = 0  # for same-day: days after the day referred to (다음 날, the next day)


def _month_name(name: str) -> int:
    return MONTHS[name.lower().rstrip(".")]


def _shift_month(y: int, m: int, delta: int) -> tuple[int, int]:
    index = y * 12 + (m - 1) + delta
    return index // 12, index % 12 + 1


def _ym(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}"


def _ymd(y: int, m: int, d: int) -> str | None:
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def _past_day(pub: dt.date, day: int) -> str | None:
    """Day ``day`` of this month if it is not after the publication day, else of the last."""
    y, m = (pub.year, pub.month) if day <= pub.day else _shift_month(pub.year, pub.month, -1)
    return _ymd(y, m, day)


def _future_day(pub: dt.date, day: int) -> str | None:
    y, m = (pub.year, pub.month) if day >= pub.day else _shift_month(pub.year, pub.month, 1)
    return _ymd(y, m, day)


def _past_month(pub: dt.date, month: int) -> str:
    return _ym(pub.year if month <= pub.month else pub.year - 1, month)


def _future_month(pub: dt.date, month: int) -> str:
    return _ym(pub.year if month >= pub.month else pub.year + 1, month)


_M = r"(1[0-2]|0?[1-9])"
_D = r"(3[01]|[12]\d|0?[1-9])"
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

# (pattern, rule name, resolver(match, pub, future) -> value); the first pattern that
# matches at a position wins, so longer expressions come first.
KO_RULES: list[tuple[str, str, object]] = [
    (
        rf"(\d{{4}})년\s*{_M}월\s*{_D}일",
        "ko-ymd",
        lambda m, p, f: _ymd(int(m[1]), int(m[2]), int(m[3])),
    ),
    (rf"(\d{{4}})년\s*{_M}월", "ko-ym", lambda m, p, f: _ym(int(m[1]), int(m[2]))),
    (r"((?:19|20)\d\d)년(?!대)", "ko-y", lambda m, p, f: m[1]),
    (
        rf"(?:지난해|작년)\s*{_M}월",
        "ko-last-year-month",
        lambda m, p, f: _ym(p.year - 1, int(m[1])),
    ),
    (rf"(?:올해|금년)\s*{_M}월", "ko-this-year-month", lambda m, p, f: _ym(p.year, int(m[1]))),
    (rf"내년\s*{_M}월", "ko-next-year-month", lambda m, p, f: _ym(p.year + 1, int(m[1]))),
    (
        rf"지난달\s*{_D}일",
        "ko-last-month-day",
        lambda m, p, f: _ymd(*_shift_month(p.year, p.month, -1), int(m[1])),
    ),
    (
        rf"지난\s*{_M}월\s*{_D}일",
        "ko-past-md",
        lambda m, p, f: _ymd(int(_past_month(p, int(m[1]))[:4]), int(m[1]), int(m[2])),
    ),
    (
        rf"(?<!\d){_M}월\s*{_D}일",
        "ko-md",
        lambda m, p, f: _ymd(
            int((_future_month if f else _past_month)(p, int(m[1]))[:4]), int(m[1]), int(m[2])
        ),
    ),
    (rf"지난\s*{_M}월", "ko-past-month", lambda m, p, f: _past_month(p, int(m[1]))),
    (rf"오는\s*{_M}월", "ko-coming-month", lambda m, p, f: _future_month(p, int(m[1]))),
    (rf"지난\s*{_D}일", "ko-past-day", lambda m, p, f: _past_day(p, int(m[1]))),
    (rf"오는\s*{_D}일", "ko-coming-day", lambda m, p, f: _future_day(p, int(m[1]))),
    (
        rf"(?<![\d.,])(?<!\d\s){_M}월(?!\s*\d)",
        "ko-month",
        lambda m, p, f: (_future_month if f else _past_month)(p, int(m[1])),
    ),
    (
        rf"(?<![\d.,]){_D}일(?![\d간째])",
        "ko-day",
        lambda m, p, f: (_future_day if f else _past_day)(p, int(m[1])),
    ),
    (r"올해\s*(?:말|연말)|연내|올해\s*안", "ko-this-year-end", lambda m, p, f: str(p.year)),
    (r"내년\s*(?:말|연말)", "ko-next-year-end", lambda m, p, f: str(p.year + 1)),
    (r"지난해|작년", "ko-last-year", lambda m, p, f: str(p.year - 1)),
    (r"올해|금년", "ko-this-year", lambda m, p, f: str(p.year)),
    (r"내년", "ko-next-year", lambda m, p, f: str(p.year + 1)),
    (r"지난달|전달", "ko-last-month", lambda m, p, f: _ym(*_shift_month(p.year, p.month, -1))),
    (r"이달|이번\s*달", "ko-this-month", lambda m, p, f: _ym(p.year, p.month)),
    (r"다음\s*달|내달", "ko-next-month", lambda m, p, f: _ym(*_shift_month(p.year, p.month, 1))),
    (r"같은\s*날|이날|당일", "ko-same-day", lambda m, p, f: None),
    (r"다음\s*날|이튿날|하루\s*뒤", "ko-next-day-same-day", lambda m, p, f: None),
]
EN_RULES: list[tuple[str, str, object]] = [
    (
        rf"\b({_MONTH_NAMES})\.? {_D}(?:st|nd|rd|th)?,? ((?:19|20)\d\d)\b",
        "en-mdy",
        lambda m, p, f: _ymd(int(m[3]), _month_name(m[1]), int(m[2])),
    ),
    (
        rf"\b{_D} ({_MONTH_NAMES}) ((?:19|20)\d\d)\b",
        "en-dmy",
        lambda m, p, f: _ymd(int(m[3]), _month_name(m[2]), int(m[1])),
    ),
    (
        rf"\b({_MONTH_NAMES}) (?:of )?((?:19|20)\d\d)\b",
        "en-my",
        lambda m, p, f: _ym(int(m[2]), _month_name(m[1])),
    ),
    (
        rf"\b({_MONTH_NAMES}) next year\b",
        "en-month-next-year",
        lambda m, p, f: _ym(p.year + 1, _month_name(m[1])),
    ),
    (
        rf"\b({_MONTH_NAMES}) last year\b",
        "en-month-last-year",
        lambda m, p, f: _ym(p.year - 1, _month_name(m[1])),
    ),
    (r"\bthe end of next year\b", "en-next-year-end", lambda m, p, f: str(p.year + 1)),
    (
        r"\b(?:the end of (?:the|this) year|(?:the )?year-end|later this year)\b",
        "en-this-year-end",
        lambda m, p, f: str(p.year),
    ),
    (r"\bthe end of ((?:19|20)\d\d)\b", "en-year-end", lambda m, p, f: m[1]),
    (
        rf"\blast ({_MONTH_NAMES})\b",
        "en-last-month-name",
        lambda m, p, f: _ym(
            p.year if _month_name(m[1]) < p.month else p.year - 1, _month_name(m[1])
        ),
    ),
    (
        rf"\bnext ({_MONTH_NAMES})\b",
        "en-next-month-name",
        lambda m, p, f: _ym(
            p.year if _month_name(m[1]) > p.month else p.year + 1, _month_name(m[1])
        ),
    ),
    (
        rf"\b({_MONTH_NAMES}) {_D}(?:st|nd|rd|th)?\b",
        "en-md",
        lambda m, p, f: _ymd(
            int((_future_month if f else _past_month)(p, _month_name(m[1]))[:4]),
            _month_name(m[1]),
            int(m[2]),
        ),
    ),
    (
        rf"\b(?:in|since|from|by|until|during|early|late|mid-) ?({_MONTH_NAMES})\b(?! \d)",
        "en-month",
        lambda m, p, f: (_future_month if f else _past_month)(p, _month_name(m[1])),
    ),
    (r"\b(?:in|since|from|by|until|during|of) ((?:19|20)\d\d)\b", "en-year", lambda m, p, f: m[1]),
    (
        rf"\b(?:on )?the {_D}(?:st|nd|rd|th)\b",
        "en-day-of-month",
        lambda m, p, f: (_future_day if f else _past_day)(p, int(m[1])),
    ),
    (r"\blast month\b", "en-last-month", lambda m, p, f: _ym(*_shift_month(p.year, p.month, -1))),
    (r"\bthis month\b", "en-this-month", lambda m, p, f: _ym(p.year, p.month)),
    (r"\bnext month\b", "en-next-month", lambda m, p, f: _ym(*_shift_month(p.year, p.month, 1))),
    (r"\blast year\b", "en-last-year", lambda m, p, f: str(p.year - 1)),
    (r"\bthis year\b", "en-this-year", lambda m, p, f: str(p.year)),
    (r"\bnext year\b", "en-next-year", lambda m, p, f: str(p.year + 1)),
    (r"\byesterday\b", "en-yesterday", lambda m, p, f: (p - dt.timedelta(days=1)).isoformat()),
    (r"\btoday\b", "en-today", lambda m, p, f: p.isoformat()),
    (
        r"\b(?:(?:on|later|earlier) )?(?:the|that)(?: same)? day\b",
        "en-same-day",
        lambda m, p, f: None,
    ),
    (
        r"\b(?:on )?(?:the (?:following|next) day|a day later)\b",
        "en-next-day-same-day",
        lambda m, p, f: None,
    ),
    (r"\b(?:last |next |on |this )?(" + "|".join(_WEEKDAYS) + r")\b", "en-weekday", None),
]
_COMPILED = {
    "ko": [(re.compile(p), name, fn) for p, name, fn in KO_RULES],
    "en": [(re.compile(p, re.IGNORECASE), name, fn) for p, name, fn in EN_RULES],
}
_FUTURE = {
    "ko": re.compile(r"예정|계획|할 것|하기로|오는|목표|전망|내년|방침"),
    "en": re.compile(
        r"\b(?:will|plans?|planned|aims?|expects?|due|next|to open|scheduled)\b", re.I
    ),
}
_NEVER = re.compile(r"(?!)")
_DEADLINE_AFTER = {"ko": re.compile(r"^\s*(?:말)?\s*까지"), "en": _NEVER}
_DEADLINE_BEFORE = {"ko": _NEVER, "en": re.compile(r"\b(?:by|until|before)\s+(?:the\s+)?$", re.I)}
_REPORT_AFTER = {
    "ko": re.compile(r"^\s*(?:\S+에\s*따르면|밝혔|발표했|전했|말했)"),
    "en": _NEVER,
}
_REPORT_BEFORE = {
    "ko": re.compile(r"(?:다고|다며)\s*$"),
    "en": re.compile(
        r"\b(?:(?:said|says|announced|told \w+|reported|confirmed)|according to [\w' -]{1,40}?)"
        r"\s+(?:on\s+)?(?:the\s+)?$",
        re.I,
    ),
}


_FOUNDED_AFTER = {"ko": re.compile(r"^\s*(?:\S+\s+)?(?:설립|창업|창립|세워진)"), "en": _NEVER}
_FOUNDED_BEFORE = {
    "ko": _NEVER,
    "en": re.compile(r"\b(?:founded|established|set up|incorporated)\s+(?:in\s+)?$", re.I),
}


def find_dates(sentence: str, published: dt.date, language: str) -> list[DateMention]:
    """The time expressions of ``sentence``, resolved, in order of position."""
    lang = "ko" if language == "ko" else "en"
    future = bool(_FUTURE[lang].search(sentence))
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for pattern, rule, resolve in _COMPILED[lang]:
        for match in pattern.finditer(sentence):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken):
                continue
            if resolve is None:  # an English weekday
                value = _weekday(match, published, future)
            else:
                value = resolve(match, published, future)  # type: ignore[operator]
            if value is None and not rule.endswith("same-day"):
                continue
            kind = "same-day" if rule.endswith("same-day") else "date"
            before, after = sentence[:start], sentence[end:]
            if (
                _DEADLINE_AFTER[lang].search(after)
                or _DEADLINE_BEFORE[lang].search(before)
                or rule.endswith("year-end")
            ):
                kind = "deadline"
            elif kind == "date" and (
                _REPORT_AFTER[lang].search(after) or _REPORT_BEFORE[lang].search(before)
            ):
                kind = "report"
            elif kind == "date" and (
                _FOUNDED_AFTER[lang].search(after) or _FOUNDED_BEFORE[lang].search(before)
            ):
                kind = "founding"
            taken.append((start, end))
            offset = 1 if "next-day" in rule else 0
            found.append(DateMention(start, end, value, kind, rule, match[0], offset))
    return sorted(found, key=lambda d: d.start)


def _weekday(match: re.Match[str], published: dt.date, future: bool) -> str:
    target = _WEEKDAYS.index(match[1].lower())
    word = match[0].split()[0].lower()
    delta = (target - published.weekday()) % 7
    if word == "next" or (future and word != "last" and delta):
        return (published + dt.timedelta(days=delta or 7)).isoformat()
    back = (published.weekday() - target) % 7
    if word == "last" and back == 0:
        back = 7
    return (published - dt.timedelta(days=back)).isoformat()


def publication_date(value: str) -> dt.date:
    """The day of a publication date or date-time (ISO text)."""
    return dt.date.fromisoformat(value[:10])
