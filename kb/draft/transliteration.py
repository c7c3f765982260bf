"""Names across scripts: a Hangul transliteration of a name the KB knows in Latin letters
(사쿠라컴퓨트 ↔ Sakura Compute, 다나카 하루토 ↔ Haruto Tanaka), and back.

Korean writes foreign names by sound, and English writes Korean names by one of several
romanisations, so neither spelling can be derived exactly from the other. What survives the
trip is the consonant skeleton: both spellings are reduced to classes of consonants (k, t,
p, s, n, m, l), vowels, h, w and y dropped, and the Korean vowel ㅡ that only breaks up
clusters (컴퓨트 for "compute") disappears with the other vowels. Two names match when their
skeletons are equal word by word (a person's words in any order: 다나카 하루토 is Haruto
Tanaka) or, for organizations, as a whole (사쿠라컴퓨트 is one word for two). Short
skeletons say little, so a match needs at least four consonants in all.

This links only across scripts: two Hangul names, or two Latin ones, never match by sound
(김태윤 and 김대윤 share a skeleton and are different people).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

MIN_CONSONANTS = 4

# Hangul jamo by class, in Unicode's order: initial consonants, final consonants. The silent
# initial ㅇ and ㅎ are "", a final ㅇ is "ng" (n then k, as English "ng" is).
_INITIAL_CLASSES = [
    "k", "k", "n", "t", "t", "l", "m", "p", "p", "s", "s", "", "s", "s", "s", "k", "t", "p", "",
]  # fmt: skip
_FINAL_CLASSES = [
    "", "k", "k", "ks", "n", "ns", "n", "t", "l", "lk", "lm", "lp", "ls", "lt", "lp", "l", "m",
    "p", "ps", "t", "t", "nk", "t", "t", "k", "t", "p", "",
]  # fmt: skip

# Latin letter groups by class, longest first; anything else (vowels, h, w, y) is dropped.
_LATIN = [
    ("sch", "s"), ("tch", "s"), ("ch", "s"), ("sh", "s"), ("ts", "s"), ("tz", "s"),
    ("th", "t"), ("ph", "p"), ("ck", "k"), ("gh", ""), ("ng", "nk"), ("qu", "k"), ("x", "ks"),
    ("c", "k"), ("k", "k"), ("g", "k"), ("q", "k"), ("t", "t"), ("d", "t"), ("p", "p"),
    ("b", "p"), ("f", "p"), ("v", "p"), ("s", "s"), ("z", "s"), ("j", "s"), ("n", "n"),
    ("m", "m"), ("l", "l"), ("r", "l"),
]  # fmt: skip
_LATIN_RE = re.compile("|".join(re.escape(g) for g, _ in _LATIN) + "|.")
_LATIN_CLASS = dict(_LATIN)


def _is_hangul(char: str) -> bool:
    return "\uac00" <= char <= "\ud7a3"


def _collapse(classes: str) -> str:
    """Runs of one class count once (Korean doubles an l between vowels: 칼리드, Khalid)."""
    return re.sub(r"(.)\1+", r"\1", classes)


def word_keys(word: str) -> set[str]:
    """The consonant skeletons of one word, in Hangul (one) or Latin letters (one for each
    reading of the letters Korean renders two ways: a g before e or i is ㄱ or ㅈ, an r
    before a consonant or at the end is 르 or silent: Harbi 하르비, DeepCore 딥코어).

    >>> word_keys("사쿠라컴퓨트") & word_keys("SakuraCompute")
    {'sklkmpt'}
    >>> sorted(word_keys("Digital"))
    ['tktl', 'tstl']
    """
    if any(_is_hangul(c) for c in word):
        out = []
        for char in word:
            code = ord(char) - 0xAC00
            if 0 <= code < 11172:
                out.append(_INITIAL_CLASSES[code // 588] + _FINAL_CLASSES[code % 28])
        return {_collapse("".join(out))}
    lowered = re.sub(r"c(?=[eiy])", "s", word.lower())  # a soft c: Cecilia, 세실리아
    keys = set()
    for soft_g in (False, True):
        for silent_r in (False, True):
            text = re.sub(r"g(?=[eiy])", "j", lowered) if soft_g else lowered
            if silent_r:
                text = re.sub(r"r+(?=e?(?:[^aeiouy]|$))", "", text)
            out = []
            for match in _LATIN_RE.finditer(text):
                group = match[0]
                if group in _LATIN_CLASS:
                    out.append(_LATIN_CLASS[group])
                elif group.isdigit():
                    out.append(group)
            keys.add(_collapse("".join(out)))
    return keys


def script(text: str) -> str | None:
    """ "ko" for a name in Hangul, "en" for one in Latin letters, else None."""
    letters = [c for c in text if c.isalpha()]
    if letters and all(_is_hangul(c) for c in letters):
        return "ko"
    if letters and all(c.isascii() for c in letters):
        return "en"
    return None


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[\s·]+", name.strip()) if w]


def person_keys(name: str) -> set[tuple[str, ...]]:
    """The skeletons of a person's name words, in order of skeleton: the order of family
    and given name differs between scripts.

    >>> person_keys("다나카 하루토") & person_keys("Haruto Tanaka")
    {('lt', 'tnk')}
    """
    out: set[tuple[str, ...]] = {()}
    for word in _words(name):
        out = {(*key, variant) for key in out for variant in word_keys(word.replace("-", ""))}
    return {tuple(sorted(key)) for key in out}


def organization_keys(name: str) -> set[str]:
    """The skeletons of an organization's whole name (Korean often writes it as one word).

    >>> bool(organization_keys("미츠하마 홀딩스") & organization_keys("Mitsuhama Holdings"))
    True
    """
    return {_collapse("".join(key)) for key in person_keys_in_order(name.replace("-", " "))}


def person_keys_in_order(name: str) -> set[tuple[str, ...]]:
    out: set[tuple[str, ...]] = {()}
    for word in _words(name):
        out = {(*key, variant) for key in out for variant in word_keys(word)}
    return out


def _enough(key: str | tuple[str, ...]) -> bool:
    text = "".join(key) if isinstance(key, tuple) else key
    return len(text) >= MIN_CONSONANTS


@dataclass(frozen=True)
class Candidate:
    entity: str
    kind: str
    name: str  # the KB's name that matched


class CrossScriptIndex:
    """The KB's people and organizations that have no name in the article's script, by
    the skeleton of the names they have in the other one."""

    def __init__(self, names: dict[str, set[str]], kinds: dict[str, str], language: str) -> None:
        self.language = language
        self._people: dict[tuple[str, ...], set[str]] = {}
        self._orgs: dict[str, set[str]] = {}
        self._names: dict[str, str] = {}
        other = "en" if language == "ko" else "ko"
        for ident, surfaces in names.items():
            kind = kinds.get(ident)
            if kind not in ("Person", "Organization"):
                continue
            if any(script(s) == language for s in surfaces):
                continue  # the KB can already be matched in this script
            for surface in surfaces:
                if script(surface) != other:
                    continue
                if kind == "Person":
                    for key in person_keys(surface):
                        if len(key) >= 2 and _enough(key):
                            self._people.setdefault(key, set()).add(ident)
                            self._names[ident] = surface
                else:
                    for okey in organization_keys(surface):
                        if _enough(okey):
                            self._orgs.setdefault(okey, set()).add(ident)
                            self._names[ident] = surface

    def __bool__(self) -> bool:
        return bool(self._people or self._orgs)

    def find(
        self, surface: str, kinds: Iterable[str] = ("Person", "Organization")
    ) -> Candidate | None:
        """The one KB entity whose name in the other script sounds like ``surface``."""
        if script(surface) != self.language:
            return None
        hits: set[tuple[str, str]] = set()
        kinds = tuple(kinds)
        if "Person" in kinds:
            for key in person_keys(surface):
                if len(key) >= 2 and _enough(key):
                    hits |= {(i, "Person") for i in self._people.get(key, ())}
        if "Organization" in kinds:
            for okey in organization_keys(surface):
                if _enough(okey):
                    hits |= {(i, "Organization") for i in self._orgs.get(okey, ())}
        if len(hits) != 1:
            return None
        ident, kind = hits.pop()
        return Candidate(ident, kind, self._names[ident])


def romanised_people(names: dict[str, set[str]], kinds: dict[str, str]) -> dict[str, str]:
    """For English text: the lookup key of each Korean person's name in Revised
    Romanization (김태윤 → Kim Tae-yun, given name first too) → the person, where the KB's
    English name is spelled otherwise (Kim Tae-yoon). Names two people share are left out.
    """
    from kb.draft.names import korean_person_name
    from kb.names import normalise

    out: dict[str, str] = {}
    clash: set[str] = set()
    for ident, surfaces in names.items():
        if kinds.get(ident) != "Person":
            continue
        for surface in surfaces:
            english = korean_person_name(surface)
            if not english:
                continue
            family, given = english.split(" ", 1)
            for key in (normalise(english), normalise(f"{given} {family}")):
                if out.get(key, ident) != ident:
                    clash.add(key)
                out[key] = ident
    return {k: v for k, v in out.items() if k not in clash}
