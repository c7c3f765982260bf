"""Step 3, known entities: every name and alias the KB has, matched in the text, longest
first (``네이버클라우드`` is Naver Cloud, not Naver). Also the spelling helpers new entities
need: Revised Romanization of Korean names, and ids that do not collide with the KB's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from kb.namespaces import EK, EKR

KINDS = ("Person", "Organization", "Site", "Place", "Conference", "Event", "Topic", "Role")
"""The kind a draft gives an entity: its most specific of these classes."""


@dataclass(frozen=True)
class KnownName:
    text: str
    entity: str  # id (ekr: local name)
    kind: str


def kind_of(classes: Iterable[str]) -> str | None:
    local = {c.removeprefix(EK) for c in classes}
    return next((k for k in KINDS if k in local), None)


class KnownNames:
    """The KB's names, ready for matching: one pass per sentence, longest name first."""

    def __init__(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """``rows``: (entity IRI, class IRI, name)."""
        classes: dict[str, set[str]] = {}
        names: dict[str, set[str]] = {}
        for entity, cls, name in rows:
            if not entity.startswith(EKR):
                continue
            ident = entity.removeprefix(EKR)
            classes.setdefault(ident, set()).add(cls)
            names.setdefault(ident, set()).add(name)
        self.kinds = {i: kind_of(c) or "Entity" for i, c in classes.items()}
        for ns in names.values():  # "Ministry of … (Thailand)": also without the gloss
            ns |= {b for n in ns if (b := _without_gloss(n)) and len(b.split()) >= 2}
        entries = [
            KnownName(n, i, self.kinds[i]) for i, ns in names.items() for n in ns if len(n) >= 2
        ]
        # longest first; at equal length the more specific kind (Organization before Topic)
        entries.sort(key=lambda e: (-len(e.text), KINDS.index(e.kind) if e.kind in KINDS else 9))
        self.entries = entries
        self.names = names
        self._patterns = [(e, _name_pattern(e.text)) for e in entries]

    def find(
        self, text: str, token_ends: set[int] | None = None
    ) -> list[tuple[int, int, KnownName]]:
        """Non-overlapping matches in ``text``: (start, end, name), longest first.

        ``token_ends``: offsets where a Korean token ends; a Hangul match must end at one,
        before a particle that ends the word, or before a non-Hangul character (so 태국
        does not match inside 태국어).
        """
        found: list[tuple[int, int, KnownName]] = []
        taken = [False] * (len(text) + 1)
        for entry, pattern in self._patterns:
            if entry.text[0] not in text and entry.text[0].lower() not in text.lower():
                continue
            for match in pattern.finditer(text):
                start, end = match.span()
                if any(taken[start:end]):
                    continue
                if (
                    token_ends is not None
                    and end < len(text)
                    and _is_hangul(text[end - 1])
                    and _is_hangul(text[end])
                    and end not in token_ends
                    and not _particle_at(text, end)
                ):
                    continue
                found.append((start, end, entry))
                for k in range(start, end):
                    taken[k] = True
        return sorted(found, key=lambda f: f[0])


_PARTICLES = sorted(
    "와의 과의 에서 에게 으로 께서 부터 까지 와 과 은 는 이 가 을 를 의 에 도 로 만".split(),
    key=len,
    reverse=True,
)


def _particle_at(text: str, at: int) -> bool:
    """A particle, and nothing more of the word, follows offset ``at`` (엔비디아와, which
    kiwipiepy may tag as one proper noun; not 태국어)."""
    for particle in _PARTICLES:
        if text.startswith(particle, at):
            after = at + len(particle)
            return after >= len(text) or not _is_hangul(text[after])
    return False


def _without_gloss(name: str) -> str | None:
    """``Ministry of Digital Economy and Society (Thailand)`` → the name an article writes;
    None for a name without a trailing gloss."""
    match = re.fullmatch(r"(.+?)\s*\([^()]*\)", name.strip())
    return match[1] if match else None


def _is_hangul(char: str) -> bool:
    return "\uac00" <= char <= "\ud7a3"


@cache  # the same names are matched by every matcher of every draft: compile each once
def _name_pattern(name: str) -> re.Pattern[str]:
    body = r"\s*".join(re.escape(part) for part in name.split())
    flags = re.IGNORECASE if name.isascii() and len(name) > 3 else 0
    return re.compile(rf"(?<![\w-]){body}(?![A-Za-z0-9])", flags)


# -- romanisation --------------------------------------------------------------------------

# Revised Romanization: initial consonants, vowels, final consonants of a syllable, in
# Unicode's order (the silent initial ㅇ is "").
_INITIALS = [
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t",
    "p", "h",
]  # fmt: skip
_MEDIALS = [
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo",
    "we", "wi", "yu", "eu", "ui", "i",
]  # fmt: skip
_FINALS = [
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p",
    "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t",
]  # fmt: skip


def romanise_syllable(char: str) -> str:
    """One Hangul syllable in Revised Romanization, without sound changes.

    >>> "".join(romanise_syllable(c) for c in "네이버")
    'neibeo'
    """
    code = ord(char) - 0xAC00
    if not 0 <= code < 11172:
        return char
    initial, medial, final = code // 588, (code % 588) // 28, code % 28
    return _INITIALS[initial] + _MEDIALS[medial] + _FINALS[final]


def korean_person_name(name: str) -> str | None:
    """The English name of a Korean name by rule (surname table, hyphenated given name), or
    None when the rule is not sure (not three Hangul syllables with a known surname).

    >>> korean_person_name("이해진")
    'Lee Hae-jin'
    """
    from kb.draft.lexicon import KO_SURNAMES

    if len(name) != 3 or not all(_is_hangul(c) for c in name) or name[0] not in KO_SURNAMES:
        return None
    given = "-".join(romanise_syllable(c) for c in name[1:])
    return f"{KO_SURNAMES[name[0]]} {given.capitalize()}"


def slug(text: str) -> str:
    """An id from a name: romanised, lowercase, hyphens.

    >>> slug("Siam AI Cloud"), slug("젠슨 황")
    ('siam-ai-cloud', 'jenseun-hwang')
    """
    text = unicodedata.normalize("NFKC", text)
    out = "".join(romanise_syllable(c) if _is_hangul(c) else c for c in text)
    out = unicodedata.normalize("NFKD", out)
    out = "".join(c for c in out if not unicodedata.combining(c)).lower()
    out = re.sub(r"[^a-z0-9]+", "-", out).strip("-")
    return out or "entity"


class Ids:
    """Ids in use (the KB's and this draft's): ``take`` returns a free one."""

    def __init__(self, taken: Iterable[str]) -> None:
        self.taken = set(taken)

    def take(self, wanted: str) -> str:
        base = slug(wanted)[:60].strip("-") or "entity"
        ident, n = base, 2
        while ident in self.taken:
            ident, n = f"{base}-{n}", n + 1
        self.taken.add(ident)
        return ident


def matcher(known: KnownNames, extra: Iterable[tuple[str, str, str]]) -> KnownNames:
    """``known`` plus the names of the draft's new entities (surface, id, kind)."""
    combined = KnownNames([])
    combined.kinds = dict(known.kinds)
    combined.names = {k: set(v) for k, v in known.names.items()}
    entries = list(known.entries)
    for surface, ident, kind in extra:
        entries.append(KnownName(surface, ident, kind))
        combined.kinds.setdefault(ident, kind)
    entries.sort(key=lambda e: (-len(e.text), KINDS.index(e.kind) if e.kind in KINDS else 9))
    combined.entries = entries
    combined._patterns = [(e, _name_pattern(e.text)) for e in entries]
    return combined
