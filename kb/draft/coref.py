"""Step 5, short forms and coreference within the article: each sentence's mentions.

Names (the KB's and the draft's new ones) are matched longest first. Then the short forms:
``이 의장`` → the person introduced as 의장 whose surname is 이; ``황 CEO``, ``라따나폰 대표``,
``Tanaka`` → the person of the article with that name part; ``She`` → the first person of
the sentence before; ``the company`` → the organization the paragraph is about; ``양사``,
``the two companies`` → the two organizations of the nearest sentence before that names
two, ``이들``, ``두 사람``, ``they met`` → its two people. Places also come from paraphrases
(``the Saudi capital``, ``사우디 수도``, ``European markets``); a place written right before
an organization (``태국 시암 AI 클라우드``) is marked as its ``modifier``, not where
something happens.
"""

from __future__ import annotations

import re
from dataclasses import replace

from kb.draft.lexicon import (
    CAPITALS,
    DEMONYMS,
    EN_TITLES,
    GROUP_WORDS,
    KO_TITLES,
    REGION_ADJECTIVES,
)
from kb.draft.mentions import Entities, Mention, particle_role
from kb.draft.names import KnownNames, _is_hangul
from kb.draft.sentences import Sentence

_KO_SHORT = re.compile(
    r"(?<![\w])(\S{1,5})\s("
    + "|".join(sorted((re.escape(t) for t in KO_TITLES), key=len, reverse=True))
    + ")"
)
_EN_PRONOUN = re.compile(r"^(?:He|She)\b")
_PEOPLE_WORDS = (
    "두 사람",
    "이들",
    "the pair",
    "the two men",
    "the two women",
    "they met",
    "they discussed",
)
_EN_COMPANY = re.compile(r"\b(?:[Tt]he company|It)\b")


def sentence_mentions(
    sentence: Sentence, names: KnownNames, ents: Entities, language: str
) -> list[Mention]:
    """Mentions of entities in ``sentence`` by name, in order of position."""
    token_ends = {t.end for t in sentence.tokens} if sentence.tokens else None
    out = []
    for start, end, entry in names.find(sentence.text, token_ends):
        role = (
            particle_role(sentence.text, end)
            if language == "ko"
            else _en_role(sentence.text, start, end)
        )
        out.append(Mention(sentence.index, start, end, entry.entity, entry.kind, "name", role))
    out += capitals(sentence, out, language)
    if language != "ko":
        out += markets(sentence, out)
    return modifiers(sentence.text, sorted(out, key=lambda m: (m.start, m.end)))


_ADJECTIVES = {**DEMONYMS, **REGION_ADJECTIVES}
_EN_MARKET = re.compile(
    r"\b(?P<adj>"
    + "|".join(sorted((re.escape(a) for a in _ADJECTIVES), key=len, reverse=True))
    + r") markets?\b"
)


def markets(sentence: Sentence, found: list[Mention]) -> list[Mention]:
    """``European markets``, ``the Japanese market``: a mention of the region or country."""
    taken = [(m.start, m.end) for m in found]
    out = []
    for match in _EN_MARKET.finditer(sentence.text):
        a, b = match.span("adj")
        if any(x < b and a < y for x, y in taken):
            continue
        role = _en_role(sentence.text, a, b)
        out.append(Mention(sentence.index, a, b, _ADJECTIVES[match["adj"]], "Place", "market",
                           role))  # fmt: skip
    return out


_EN_CAPITAL = re.compile(
    r"\bthe (?P<demonym>"
    + "|".join(sorted((re.escape(d) for d in DEMONYMS), key=len, reverse=True))
    + r") capital\b"
)


def capitals(sentence: Sentence, found: list[Mention], language: str) -> list[Mention]:
    """``the Saudi capital``, ``사우디 수도``: a mention of the country's capital city."""
    text = sentence.text
    out = []
    if language == "ko":
        for m in found:
            if m.kind == "Place" and m.entity in CAPITALS and re.match(r"\s*수도", text[m.end :]):
                end = m.end + text[m.end :].index("수도") + 2
                role = particle_role(text, end)
                out.append(Mention(sentence.index, m.start, end, CAPITALS[m.entity], "Place",
                                   "capital-of", role))  # fmt: skip
        return out
    for match in _EN_CAPITAL.finditer(text):
        country = DEMONYMS[match["demonym"]]
        if country in CAPITALS:
            role = _en_role(text, match.start(), match.end())
            out.append(Mention(sentence.index, *match.span(), CAPITALS[country], "Place",
                               "capital-of", role))  # fmt: skip
    return out


def modifiers(text: str, found: list[Mention]) -> list[Mention]:
    """A place written right before an organization (``태국 시암 AI 클라우드``, ``Thailand's
    Siam AI Cloud``) or inside a capital's mention says where the organization is, not
    where something happens: its role becomes ``modifier``."""
    out = []
    for i, m in enumerate(found):
        if m.kind == "Place" and m.rule == "name":
            nxt = found[i + 1] if i + 1 < len(found) else None
            gap = text[m.end : nxt.start] if nxt else None
            inside = any(o.rule == "capital-of" and o.start <= m.start and m.end <= o.end
                         for o in found if o is not m)  # fmt: skip
            if inside or (
                nxt is not None
                and nxt.kind == "Organization"
                and gap is not None
                and re.fullmatch(r"\s?|['’]s\s", gap)
            ):
                m = replace(m, role="modifier")
        out.append(m)
    return out


def _en_role(text: str, start: int, end: int) -> str:
    before = text[:start].rstrip().lower()
    if before.endswith((" with", " and")):
        return "with"
    if before.endswith((" in", " at", " on")):
        return "at"
    if before.endswith((" into", " to")):
        return "toward"
    return "neutral"


def short_forms(
    sentences: list[Sentence],
    mentions: list[list[Mention]],
    ents: Entities,
    language: str,
) -> None:
    """Add the mentions that short forms, pronouns and group words make (in place)."""
    people_so_far: list[str] = []
    for s, sentence in enumerate(sentences):
        found = mentions[s]
        taken = [(m.start, m.end) for m in found]
        extra: list[Mention] = []

        def free(a: int, b: int, taken: list[tuple[int, int]] = taken) -> bool:
            return not any(x < b and a < y for x, y in taken)

        if language == "ko":
            for match in _KO_SHORT.finditer(sentence.text):
                word, title = match[1], match[2]
                if not free(match.start(1), match.end(1)):
                    continue
                person = _person_by_part(word, title, people_so_far, ents)
                if person:
                    extra.append(
                        Mention(
                            s,
                            match.start(1),
                            match.end(2),
                            person,
                            "Person",
                            "short-form",
                            particle_role(sentence.text, match.end(2)),
                        )
                    )
                    taken.append((match.start(1), match.end(2)))
        else:
            for match in re.finditer(r"\b[A-Z][\w'’-]+\b", sentence.text):
                if not free(*match.span()):
                    continue
                person = _person_by_part(
                    match[0].removesuffix("'s").removesuffix("’s"), None, people_so_far, ents
                )
                if person:
                    extra.append(Mention(s, *match.span(), person, "Person", "surname", "neutral"))
                    taken.append(match.span())
            pronoun = _EN_PRONOUN.match(sentence.text)
            if pronoun and s > 0:
                before = [m for m in mentions[s - 1] if m.kind == "Person"]
                if before:
                    extra.append(
                        Mention(
                            s, *pronoun.span(), before[0].entity, "Person", "pronoun", "subject"
                        )
                    )
            company = _EN_COMPANY.search(sentence.text)
            if company and free(*company.span()):
                org = _recent_org(mentions, s)
                if org:
                    extra.append(
                        Mention(s, *company.span(), org, "Organization", "the-company", "subject")
                    )
        for word in GROUP_WORDS["ko" if language == "ko" else "en"]:
            for match in re.finditer(
                re.escape(word), sentence.text, 0 if language == "ko" else re.I
            ):
                if not free(*match.span()):
                    continue
                kind = "Person" if word in _PEOPLE_WORDS else "Organization"
                group = _group(mentions, s, kind, ents)
                if kind == "Person":
                    group = _salient_pair(mentions, s) or group
                role = particle_role(sentence.text, match.end()) if language == "ko" else "subject"
                for ident in group:
                    extra.append(Mention(s, *match.span(), ident, kind, "group-word", role))
                if group:
                    taken.append(match.span())
        found.extend(extra)
        found.sort(key=lambda m: (m.start, m.end))
        for m in found:
            if m.kind == "Person" and m.entity not in people_so_far:
                people_so_far.append(m.entity)


def _person_by_part(word: str, title: str | None, people: list[str], ents: Entities) -> str | None:
    """The one person of the article so far whose name has ``word`` as a part (a Korean
    surname, a name word, an English surname)."""
    word = word.strip("\"'“”‘’(),.")
    if not word or (title is None and word in EN_TITLES):
        return None
    hits = []
    for ident in people:
        entity = ents.get(ident)
        for name in entity.surfaces():
            parts = name.split()
            if word in parts or (
                len(word) == 1 and _is_hangul(word) and len(name) == 3 and name.startswith(word)
            ):
                hits.append(ident)
                break
    unique = list(dict.fromkeys(hits))
    return unique[-1] if len(unique) == 1 else None


def _recent_org(mentions: list[list[Mention]], s: int) -> str | None:
    for k in range(s - 1, max(-1, s - 4), -1):
        orgs = [m for m in mentions[k] if m.kind == "Organization"]
        if orgs:
            subject = [m for m in orgs if m.role == "subject"]
            return (subject or orgs)[0].entity
    return None


def _salient_pair(mentions: list[list[Mention]], s: int) -> list[str]:
    """``두 사람``, ``the pair``: the article's two main people when it has them (each named
    at least twice so far, and more often than anyone else), whoever the sentence before
    happens to name (… 최수연 대표와 정소영 대표도 함께했다. 두 사람의 만남은 …)."""
    counts: dict[str, int] = {}
    for k in range(s):
        for ident in {
            m.entity for m in mentions[k] if m.kind == "Person" and m.rule != "group-word"
        }:
            counts[ident] = counts.get(ident, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if len(ranked) >= 2 and ranked[1][1] >= 2 and (len(ranked) == 2 or ranked[2][1] < ranked[1][1]):
        return [ranked[0][0], ranked[1][0]]
    return []


def _group(
    mentions: list[list[Mention]], s: int, kind: str, ents: Entities | None = None
) -> list[str]:
    """The two entities of ``kind`` of the nearest sentence (this one first) naming two;
    for organizations, a sentence naming two people of two organizations names those
    (Tan met Han …. The two companies …)."""
    for k in range(s, max(-1, s - 6), -1):
        distinct = list(
            dict.fromkeys(
                m.entity for m in mentions[k] if m.kind == kind and m.rule != "group-word"
            )
        )
        if kind == "Organization" and len(distinct) < 2 and ents is not None:
            people = [m.entity for m in mentions[k] if m.kind == "Person"]
            held = [
                org
                for person in people
                for org in [p.organization for p in ents.posts if p.person == person]
                or [o for o, _ in ents.background.posts_of(person)][:1]
            ]
            distinct = list(dict.fromkeys(distinct + held))
        if k == s:
            if len(distinct) >= 2:
                return []  # the sentence names them itself
            continue
        if len(distinct) >= 2:
            return distinct[:2]
    return []
