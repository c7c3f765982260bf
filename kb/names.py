"""How a name typed by a user meets the names in the KB: one normalisation for both sides.

The loader stores one ``ek:lookupKey`` per label, alias and id (``loaders.names``), and a
name given to ``kb ask`` is normalised the same way before it is looked up, so "Naver
Cloud", "naver-cloud", "NAVER CLOUD" and "네이버 클라우드" meet: Unicode NFKC, case-folded,
with spaces and punctuation removed.
"""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[\W_]+")


def normalise(name: str) -> str:
    """The lookup key of a name.

    >>> normalise("Naver Cloud") == normalise("naver-cloud") == normalise(" NAVER  cloud ")
    True
    >>> normalise("네이버 클라우드") == normalise("네이버클라우드")
    True
    """
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", name).casefold())


# -- search: partial and misspelt names ---------------------------------------------------------
#
# ``kb search`` finds names that contain what was typed, or come within a few edits of it.
# Both sides are compared in their *search form*: the lookup key (above), with Hangul
# syllables split into their jamo (네이버 → ᄂ ᅦ ᄋ ᅵ ᄇ ᅥ, so 네이바 is one vowel away, not
# one syllable in three), Latin accents dropped (José → jose) and katakana read as
# hiragana. An index of the trigrams of every search form (``kb.store.search_index``) picks
# the candidates; ``match_score`` ranks them.

_ACCENTS = re.compile("[\u0300-\u036f]")
"""Combining diacritical marks (Latin, Greek, Cyrillic accents); other scripts' marks stay."""
_KATAKANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
"""Katakana to hiragana: a Japanese name is found in either kana."""
PAD_START, PAD_END = "^", "$"
"""Written around a search form before it is cut into trigrams, so that a name's start and
end are grams too (a search for "LG" finds "LG Electronics"). A lookup key never holds
them: ``normalise`` drops all punctuation."""


def search_form(text: str) -> str:
    """What a name is compared as: its lookup key, Hangul as jamo, without accents,
    katakana as hiragana.

    >>> search_form("José") == search_form("jose"), search_form("タナカ") == search_form("たなか")
    (True, True)
    >>> len(search_form("네이버")), len(search_form("네이바"))
    (6, 6)
    """
    return _ACCENTS.sub("", unicodedata.normalize("NFD", normalise(text))).translate(_KATAKANA)


def trigrams(form: str) -> set[str]:
    """The trigrams of a search form, with its start and end marked (``^na`` ... ``er$``).

    >>> sorted(trigrams("lg"))
    ['^lg', 'lg$']
    """
    padded = f"{PAD_START}{form}{PAD_END}"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def allowed_edits(length: int) -> int:
    """How many typing errors a query of ``length`` (search-form characters: a Hangul
    syllable counts two or three) may have and still match: none up to 3, one up to 7,
    then two. Short queries only match as they are, or they would match everything."""
    return 0 if length <= 3 else 1 if length <= 7 else 2


def substring_distance(query: str, text: str) -> int:
    """The fewest edits (insertions, deletions, substitutions, swaps of neighbours) that
    turn ``query`` into some part of ``text``: 0 when ``text`` contains it.

    >>> substring_distance("navr", "navercloud"), substring_distance("nvidai", "nvidia")
    (1, 1)
    """
    # Approximate substring matching (the edit distance of the optimal string alignment,
    # where the match may start anywhere in ``text`` for free), one column of the dynamic
    # programme per character of ``text`` held as bit vectors: Myers (1999) with Hyyrö's
    # transpositions (2003). tests/test_search.py checks it against the plain programme.
    m = len(query)
    if not m:
        return 0
    full, high = (1 << m) - 1, 1 << (m - 1)
    masks: dict[str, int] = {}
    for i, char in enumerate(query):
        masks[char] = masks.get(char, 0) | (1 << i)
    vp, vn, d0, previous = full, 0, 0, 0
    score = best = m
    for char in text:
        eq = masks.get(char, 0)
        swapped = ((~d0 & eq) << 1) & previous
        d0 = ((((eq & vp) + vp) ^ vp) | eq | vn | swapped) & full
        hp = (vn | ~(d0 | vp)) & full
        hn = d0 & vp
        if hp & high:
            score += 1
        elif hn & high:
            score -= 1
        shifted = (hp << 1) & full  # nothing shifted in: a match may start anywhere
        vn = shifted & d0
        vp = ((hn << 1) | ~(shifted | d0)) & full
        previous = eq
        best = min(best, score)
    return best


def containment_score(query: str, form: str) -> float | None:
    """1 when ``form`` is ``query``; 0.8 to 0.9 when it starts with it, 0.7 to 0.8 when it
    contains it (higher the less it adds); None otherwise.

    >>> containment_score("naver", "naver"), round(containment_score("naver", "navercloud"), 2)
    (1.0, 0.85)
    >>> round(containment_score("cloud", "navercloud"), 2), containment_score("nvidai", "nvidia")
    (0.75, None)
    """
    if not query:
        return None
    if query == form:
        return 1.0
    coverage = 0.1 * len(query) / len(form)
    if form.startswith(query):
        return 0.8 + coverage
    if query in form:
        return 0.7 + coverage
    return None


def fuzzy_score(query: str, form: str) -> float | None:
    """Below 0.7, less for each typing error and for what ``form`` adds, when part of
    ``form`` is within ``allowed_edits`` of ``query``; None otherwise.

    >>> round(fuzzy_score("nvidai", "nvidia"), 2), round(fuzzy_score("nvidai", "genvidata"), 2)
    (0.52, 0.48)
    >>> fuzzy_score("kim", "kang") is None  # three letters must match as typed
    True
    """
    allowed = allowed_edits(len(query))
    if not allowed:
        return None
    distance = substring_distance(query, form)
    if distance > allowed:
        return None
    return 0.5 * (1 - distance / len(query)) + 0.1 * min(1.0, len(query) / len(form))


def least_shared_trigrams(query: str) -> int:
    """How many of ``query``'s trigrams a name must share to come within
    ``allowed_edits`` of it: each edit spoils at most three (the q-gram lemma), and the
    marked start and end need not match inside a longer name. Names sharing fewer need no
    closer look."""
    return max(1, len(query) - 2 - 3 * allowed_edits(len(query)))


def match_score(query: str, form: str) -> float | None:
    """How well search form ``form`` answers search form ``query``: 1 the same, 0.8 to 0.9
    starts with it, 0.7 to 0.8 contains it, below 0.7 a few typing errors away, None
    further than ``allowed_edits``.

    >>> match_score("naver", "naver"), round(match_score("nvidai", "nvidia"), 2)
    (1.0, 0.52)
    """
    found = containment_score(query, form)
    return found if found is not None else fuzzy_score(query, form)
