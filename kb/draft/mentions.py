"""Steps 4 and 5, new entities and short forms: who and what the article names that the
KB does not know, and which words of a sentence refer to which entity.

New entities come from the apposition patterns of news copy, in the orders it uses
(``정소영 엔비디아코리아 대표``, ``엔비디아의 박영희 CTO``, ``ORG를 이끄는 NAME 대표``,
``ORG TITLE인 NAME``, ``NVIDIA CEO Jensen Huang``, ``Yui Nakamura, Sakura Compute's chief technology
officer``, ``NAME, who heads ORG``, ``NAME, the chief executive of ORG``), which give a
Person, an Organization and a Post at once; from descriptors (``태국 AI·클라우드 플랫폼 기업
'시암 AI 클라우드'``, ``스타트업 딥코어가``, ``chip start-up DeepCore``); from sites (``엔비디아
미국 본사``, ``NVIDIA's office in Taiwan``); from offices of state (``태국 총리``, ``former
prime minister X``); and from proper-noun runs (kiwipiepy's NNP tags, capitalised runs in
English) with an organization suffix. A name the KB knows in the other script or another
romanisation links to it (``Entities.lookup``, ``transliteration``). Short forms (``이
의장``, ``황 CEO``, ``Tanaka``) resolve to a person the article introduced, by surname or
name part and title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.draft.lexicon import (
    AGREEMENT,
    COOPERATION,
    DEMONYMS,
    EN_NOT_NAMES,
    EN_ORG_SUFFIXES,
    EN_TITLES,
    KO_ORG_SUFFIXES,
    KO_SURNAMES,
    KO_TITLES,
    ROLES,
)
from kb.draft.names import KnownName, KnownNames, _is_hangul, korean_person_name
from kb.draft.sentences import Sentence
from kb.draft.transliteration import CrossScriptIndex


@dataclass
class Entity:
    """An entity of the draft: known (an id of the KB) or new (defined by the draft)."""

    id: str
    kind: str
    names: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    known: bool = False
    rule: str = "kb"
    confidence: float = 1.0
    checks: list[str] = field(default_factory=list)
    quote: str | None = None
    fields: dict[str, object] = field(default_factory=dict)
    used: bool = False

    def surfaces(self) -> list[str]:
        out = list(self.names.values())
        for values in self.aliases.values():
            out.extend(values)
        return out


@dataclass(frozen=True)
class Mention:
    sentence: int
    start: int
    end: int
    entity: str
    kind: str
    rule: str
    role: str = "neutral"  # subject, with, of, at, object, to, neutral (Korean particles)


@dataclass(frozen=True)
class PostCandidate:
    sentence: int
    person: str
    organization: str
    role: str
    former: bool
    rule: str
    confidence: float
    role_name: str | None = None  # the title as written when it is a new role
    end_word: int = -1  # Korean: the index of the title's word in the sentence


@dataclass
class Background:
    """What the KB already says that helps read an article: who holds which post, and which
    organization belongs to which and is based where (ids)."""

    posts: list[tuple[str, str, str | None]] = field(default_factory=list)  # person, org, role
    parents: dict[str, set[str]] = field(default_factory=dict)
    based_in: dict[str, set[str]] = field(default_factory=dict)
    sites: dict[str, set[str]] = field(default_factory=dict)  # operator -> its sites

    def holders(self, organization: str) -> list[str]:
        return [p for p, o, _ in self.posts if o == organization]

    def posts_of(self, person: str, role: str | None = None) -> list[tuple[str, str | None]]:
        """(organization, role) of the person's posts, in ``role`` only if given."""
        return [(o, r) for p, o, r in self.posts if p == person and (role is None or r == role)]

    def unit(self, parent: str, place: str) -> str | None:
        """The one organization part of ``parent`` and based in ``place`` (NVIDIA's Korean
        unit: NVIDIA Korea)."""
        found = [
            o
            for o, ps in self.parents.items()
            if parent in ps and place in self.based_in.get(o, ())
        ]
        return found[0] if len(found) == 1 else None


class Entities:
    """The entities of one draft, and the new ones' names for matching."""

    def __init__(
        self,
        known: KnownNames,
        language: str,
        cross: CrossScriptIndex | None = None,
        romanised: dict[str, str] | None = None,
        background: Background | None = None,
    ) -> None:
        self.known = known
        self.language = language
        self.background = background or Background()
        self.cross = cross
        self.romanised = romanised or {}
        self.respelled: dict[str, list[tuple[str, str]]] = {}  # known id -> (surface, why)
        self.described: dict[str, str] = {}  # "joint venture" -> the one the article described
        self.new: dict[str, Entity] = {}  # by surface
        self.all: dict[str, Entity] = {}  # by id
        self.posts: list[PostCandidate] = []
        self.unlinked: dict[str, str] = {}  # proper nouns seen, neither known nor typed
        self._by_text: dict[str, list[KnownName]] = {}
        for entry in known.entries:  # longest first, as the matcher reads them
            self._by_text.setdefault(entry.text.replace(" ", ""), []).append(entry)

    def get(self, ident: str) -> Entity:
        if ident not in self.all:
            kind = self.known.kinds.get(ident, "Entity")
            names = sorted(self.known.names.get(ident, []))
            entity = Entity(ident, kind, {"": names[0]} if names else {}, known=True)
            entity.aliases[""] = names[1:]
            self.all[ident] = entity
        return self.all[ident]

    def lookup(self, surface: str, kind: str | None = None) -> str | None:
        """The id of an entity (known or new) whose name is exactly ``surface``."""
        surface = " ".join(surface.split())
        if surface in self.new and (kind is None or self.new[surface].kind == kind):
            return self.new[surface].id
        for entry in self._by_text.get(surface.replace(" ", ""), []):
            if kind is None or entry.kind == kind or (kind == "Place" and entry.kind == "Site"):
                return entry.entity
        return self._respelled(surface, kind)

    def _respelled(self, surface: str, kind: str | None) -> str | None:
        """A person or organization the KB knows under another spelling: in the other
        script by sound (사쿠라컴퓨트, Sakura Compute), or in English by the Revised
        Romanization of its Korean name. The spelling becomes an alias for this draft."""
        if kind not in (None, "Person", "Organization"):
            return None
        ident = why = None
        if self.cross:
            found = self.cross.find(surface, (kind,) if kind else ("Person", "Organization"))
            if found:
                ident, why = found.entity, f"sounds like the KB's {found.name!r}"
        if ident is None and self.language == "en" and kind in (None, "Person"):
            from kb.names import normalise

            ident = self.romanised.get(normalise(surface))
            why = "the Revised Romanization of the KB's Korean name"
        if ident is None:
            return None
        entity = self.get(ident)
        entity.aliases.setdefault(self.language, []).append(surface)
        self.new[surface] = entity
        self.respelled.setdefault(ident, []).append((surface, why or ""))
        return ident

    def add_new(
        self,
        surface: str,
        kind: str,
        rule: str,
        confidence: float,
        sentence: Sentence,
        ids: object,
        english: str | None = None,
    ) -> str:
        """The id of the entity named ``surface``: known, already new, or new now."""
        surface = " ".join(surface.strip(" '\"‘’“”").split())
        found = self.lookup(surface, kind) or self.lookup(surface)
        if found:
            self.get(found)  # a known entity the article names: its short forms resolve too
            return found
        lang = self.language
        names = {lang: surface}
        checks = []
        if lang == "ko" and kind == "Person":
            english = english or korean_person_name(surface)
            if english and not any(c.isupper() for c in surface):
                checks.append(
                    f"English name {english!r} romanised by rule; check the person's own spelling"
                )
        if english and english != surface:
            names["en"] = english
        elif lang == "ko" and kind in ("Person", "Organization"):
            checks.append("no English name: add one")
        wanted = names.get("en") or surface
        ident = ids.take(wanted)  # type: ignore[attr-defined]
        entity = Entity(
            ident,
            kind,
            names,
            rule=rule,
            confidence=confidence,
            checks=checks,
            quote=sentence.quote,
        )
        self.new[surface] = entity
        self.all[ident] = entity
        return ident

    def matcher_names(self) -> list[tuple[str, str, str]]:
        """(surface, id, kind) of the new entities, for matching their later mentions."""
        out = []
        for surface, entity in self.new.items():
            out.append((surface, entity.id, entity.kind))
            for values in entity.aliases.values():
                out.extend((v, entity.id, entity.kind) for v in values)
        return out


# -- Korean --------------------------------------------------------------------------------

_KO_TITLE_WORDS = sorted(KO_TITLES, key=len, reverse=True)
_NOUN_TAGS = ("NNP", "NNG", "SL", "SN", "SH", "XSN", "NNB", "XPN", "W_SERIAL")
_KO_DESCRIPTORS = re.compile(
    r"(?:기업|업체|회사|스타트업|법인|합작법인|플랫폼 기업|기관|그룹|은행|펀드)\s*'([^']{2,30})'"
)
_KO_EVENTS = re.compile(
    r"(?:행사|대회|포럼|서밋|회의|콘퍼런스|컨퍼런스|박람회)\s*'([^']{2,30})'|"
    r"'([^']{2,30}(?:서밋|포럼|정상회의|회의|콘퍼런스|컨퍼런스|엑스포|박람회))'"
)
_KO_SITE_HEADS = ("본사", "오피스", "사옥", "캠퍼스", "연구소", "공장")
_PARTICLES = [
    ("와의", "with"), ("과의", "with"), ("와", "with"), ("과", "with"), ("하고", "with"),
    ("에서", "at"), ("에게", "to"), ("에", "to"), ("으로", "toward"), ("로", "toward"),
    ("의", "of"), ("가", "subject"), ("이", "subject"), ("는", "subject"), ("은", "subject"),
    ("도", "subject"), ("를", "object"), ("을", "object"),
]  # fmt: skip


def particle_role(text: str, end: int) -> str:
    rest = text[end:].lstrip("'’\")")
    for particle, role in _PARTICLES:
        if rest.startswith(particle):
            after = rest[len(particle) : len(particle) + 1]
            if not after or not _is_hangul(after) or particle in ("와의", "과의", "에서", "으로"):
                return role
    return "neutral"


@dataclass(frozen=True)
class _Word:
    text: str
    start: int
    end: int
    bare: bool  # only nouns (no particle, no verb ending): part of a name


def _name_spans(text: str, ents: Entities) -> list[tuple[int, int]]:
    """Where the people and organizations the KB or this draft knows are named."""
    spans = [(a, b) for a, b, e in ents.known.find(text) if e.kind in ("Person", "Organization")]
    for surface, entity in ents.new.items():
        if entity.kind in ("Person", "Organization") and len(surface) > 1:
            spans += [m.span() for m in re.finditer(re.escape(surface), text)]
    return spans


def _words(sentence: Sentence, names: list[tuple[int, int]] | None = None) -> list[_Word]:
    """The sentence's words; a word is bare when kiwipiepy tags it nouns only and it does
    not end in the genitive 의 (kiwipiepy reads 컴퓨트의 as one proper noun), or when it
    lies inside a name the KB or the draft knows (kiwipiepy splits 라따나폰 at a sentence
    start into 라, 따, 나 (a particle), 폰, and reads 탄 as a verb)."""
    words = []
    for match in re.finditer(r"[^\s(]*\([^)]*\)\S*|\S+", sentence.text):
        start, end = match.span()
        tokens = [t for t in sentence.tokens if t.start < end and t.end > start]
        tags = [t.tag for t in tokens]
        text = match[0]
        bare = bool(tags) and all(t.startswith(_NOUN_TAGS) or t in ("SSO", "SSC") for t in tags)
        if bare and text.endswith("의") and len(text) > 2 and tokens[-1].form.endswith("의"):
            bare = False  # a genitive glued to the noun by the tagger
        bare = bare or any(a <= start and end <= b for a, b in names or [])
        if re.search(r"[,.·…\"“”]$", text):
            bare = False
        words.append(_Word(text, start, end, bare))
    return words


def _title_at(words: list[_Word], i: int) -> tuple[str, int] | None:
    """The title that starts at word ``i`` and how many words it spans."""
    for title in _KO_TITLE_WORDS:
        parts = title.split()
        chunk = words[i : i + len(parts)]
        if len(chunk) < len(parts):
            continue
        texts = [w.text for w in chunk]
        if texts[:-1] != parts[:-1]:
            continue
        last = texts[-1]
        if last == parts[-1] or (
            last.startswith(parts[-1]) and _is_particle_tail(last[len(parts[-1]) :])
        ):
            return title, len(parts)
    return None


def _is_particle_tail(tail: str) -> bool:
    tail = tail.rstrip(",.")
    return (
        tail == ""
        or tail in {p for p, _ in _PARTICLES}
        or tail in ("이었던", "으로", "인", "과", "와", "께서", "에게", "이자", "이며", "이던")
    )


def korean_entities(sentence: Sentence, ents: Entities, ids: object) -> None:
    """Register the new entities and post candidates of one Korean sentence."""
    text = sentence.text
    for match in _KO_DESCRIPTORS.finditer(text):
        ents.add_new(match[1], "Organization", "ko-descriptor-quoted", 0.85, sentence, ids)
    for match in _KO_EVENTS.finditer(text):
        ents.add_new(match[1] or match[2], "Conference", "ko-event-quoted", 0.7, sentence, ids)
    if ents.cross:
        _cross_script_names(sentence, _words(sentence), ents)
    words = _words(sentence, _name_spans(text, ents))
    _korean_described(sentence, words, ents, ids)
    _korean_sites(sentence, words, ents, ids)
    i = 0
    while i < len(words):
        found = _title_at(words, i)
        if not found or (i > 0 and words[i - 1].text in ("출신인",)):
            i += 1
            continue
        title, span = found
        _korean_apposition(sentence, words, i, title, ents, ids)
        i += span
    deal = any(w in text for w in AGREEMENT["ko"] + COOPERATION["ko"])
    named = [(a, b) for a, b, _ in ents.known.find(text)]
    for run, start in _nnp_runs(sentence):
        parts = run.split()
        if any(a < start + len(run) and start < b for a, b in named) or run in KO_ORG_SUFFIXES:
            continue  # part of a name the KB knows (태국 시암 AI 클라우드), or a common noun
        role = particle_role(text, start + len(run))
        if deal and role in ("subject", "with") and ents.lookup(run) is None:
            # the parties of an agreement or a cooperation: 애크미는 … 글로벡스와 … 체결했다
            ents.add_new(run, "Organization", "ko-party-of-agreement", 0.6, sentence, ids)
            continue
        if (
            ents.lookup(run) is None
            and not any(ents.lookup(p) for p in parts)
            and not any(run in s for s in ents.new)
        ):
            if run.endswith(KO_ORG_SUFFIXES) and len(run) > 3:
                ents.add_new(run, "Organization", "ko-nnp-org-suffix", 0.6, sentence, ids)
            else:
                ents.unlinked.setdefault(run, sentence.quote)


_KO_DESCRIPTOR_HEADS = ("기업", "업체", "회사", "스타트업", "운영사", "제조사", "개발사")


def _korean_described(sentence: Sentence, words: list[_Word], ents: Entities, ids: object) -> None:
    """``일본 GPU 클라우드 기업 사쿠라컴퓨트와``, ``스타트업 딥코어가``: the name after a
    descriptor, up to the word that carries its particle, when kiwipiepy tags part of it a
    proper noun or foreign word, or it ends like an organization (컴퓨트), so ``기업 고객``
    is no name."""
    for i, word in enumerate(words[:-1]):
        if word.text not in _KO_DESCRIPTOR_HEADS:
            continue
        name: list[str] = []
        for nxt in words[i + 1 : i + 4]:
            if nxt.text.startswith(("'", "‘", '"', "“")):
                break  # quoted: the quoted-descriptor rule reads it
            if nxt.bare:
                name.append(nxt.text)
                continue
            part = _noun_part(sentence, nxt)
            if part:
                name.append(part)
            break
        surface = " ".join(name)
        if not name or surface in KO_TITLES or any(t in surface for t in _KO_TITLE_WORDS):
            continue
        if in_quotes(sentence.text, word.start) or (
            len(name) > 1 and ents.lookup(surface) is None and any(ents.lookup(n) for n in name)
        ):
            continue  # in quoted speech, or a phrase around another name (가운데 엔비디아 생태계)
        span_start = words[i + 1].start
        span_end = span_start + len(surface)
        tags = {t.tag for t in sentence.tokens if span_start <= t.start < span_end}
        if not (tags & {"NNP", "SL"} or surface.endswith(KO_ORG_SUFFIXES)) or ents.lookup(
            surface, "Place"
        ):
            continue
        ents.add_new(surface, "Organization", "ko-descriptor", 0.75, sentence, ids)


SPEECH = re.compile(r"[\"“]([^\"”]{8,})[\"”]")
"""Quoted speech: eight characters or more between double quotes."""


def in_quotes(text: str, at: int) -> bool:
    """Offset ``at`` lies inside quoted speech."""
    return any(m.start() <= at < m.end() for m in SPEECH.finditer(text))


def _noun_part(sentence: Sentence, word: _Word) -> str:
    """The nouns a word starts with (사쿠라컴퓨트와 → 사쿠라컴퓨트, 홀딩스다 → 홀딩스)."""
    start = word.start + len(word.text) - len(word.text.lstrip("'‘\"“("))
    end = start
    for token in sorted(sentence.tokens, key=lambda t: t.start):
        if token.start < start or token.start >= word.end:
            continue
        if token.start != end or not token.tag.startswith(_NOUN_TAGS):
            break
        end = token.end
    return sentence.text[start:end]


def _name_word(sentence: Sentence, word: _Word) -> bool:
    """A word that can stand inside a foreign name: bare, or all Hangul with no particle
    at its end (kiwipiepy reads some transliterated syllables as verbs: 탄, 타 + ᆫ)."""
    if word.bare:
        return True
    if not all(_is_hangul(c) for c in word.text):
        return False
    last = [t for t in sentence.tokens if word.start <= t.start < word.end][-1:]
    return bool(last) and not last[0].tag.startswith("J")


def _cross_script_names(sentence: Sentence, words: list[_Word], ents: Entities) -> None:
    """Runs of one to three nouns that sound like a person or organization the KB knows
    only in Latin letters (미츠하마 홀딩스 for Mitsuhama Holdings): linked, whatever rule
    later reads them."""
    for i in range(len(words)):
        for n in (3, 2, 1):
            window = words[i : i + n]
            if len(window) < n or not all(_name_word(sentence, w) for w in window[:-1]):
                continue
            last = _noun_part(sentence, window[-1]) or (
                window[-1].text if _name_word(sentence, window[-1]) else ""
            )
            if not last:
                continue
            surface = " ".join([*(w.text.strip("'‘’\"“”(") for w in window[:-1]), last])
            if ents.lookup(surface) is not None:
                break


def _korean_apposition(
    sentence: Sentence, words: list[_Word], t: int, title: str, ents: Entities, ids: object
) -> None:
    """A post from the words around title ``t``, in the orders of Korean news copy:
    ``NAME ORG TITLE`` (정소영 엔비디아코리아 대표), ``ORG NAME TITLE`` (애크미 제인 로 대표),
    ``ORG의 NAME TITLE``, ``ORG를 이끄는 NAME TITLE``, ``ORG 출신인 NAME TITLE``, ``ORG TITLE인
    NAME``; a title with no organization takes the one of the title it is coordinated with
    (``A사 B 대표와 C 최고기술책임자``) or the one the KB gives the person in that role."""
    chunk: list[_Word] = []
    k = t - 1
    former = k >= 0 and words[k].text == "전"  # 탁신 친나왓 전 총리: a former holder
    if former:
        k -= 1
    while (
        k >= 0
        and words[k].bare
        and not _is_date_word(words[k].text)
        and words[k].text not in _NOT_NAME_WORDS
    ):
        chunk.insert(0, words[k])
        k -= 1
    while chunk and ents.lookup(chunk[0].text, "Place") and len(chunk) > 2:
        chunk = chunk[1:]  # 태국 시암 AI 클라우드 대표: the country is not part of the name
    texts = [w.text for w in chunk]
    after = _name_after_title(words, t, title)
    if not texts and not after:
        return
    # the organization: the longest run of chunk words that is a known or new organization
    org_at: tuple[int, int, str] | None = None
    for a in range(len(texts)):
        for b in range(len(texts), a, -1):
            surface = " ".join(texts[a:b])
            ident = ents.lookup(surface, "Organization")
            if ident and (org_at is None or b - a > org_at[1] - org_at[0]):
                org_at = (a, b, ident)
        if org_at:
            break
    person_words: list[str]
    qualifier: list[str] = []
    org: str | None = None
    rule = "ko-name-org-title"
    if org_at:
        a, b, org = org_at
        person_words, qualifier = texts[:a], texts[b:]
        if not person_words and qualifier and _is_name(qualifier, ents):
            person_words, qualifier, rule = qualifier, [], "ko-org-name-title"
        if not person_words and after:
            person_words, rule = after, "ko-org-title-name"
    elif (before := _org_before(words, k, ents)) is not None:
        org, rule = before
        person_words = texts
    else:
        org, person_words = _org_in_chunk(sentence, texts, title, ents, ids)
    person = _short_form(person_words, ents) or _korean_person(person_words, sentence, ents, ids)
    if person is None and org and title in ("총리", "장관", "대통령") and org_at is None:
        # "태국 총리": a person the article does not name
        label = " ".join([*texts, title])
        person = ents.add_new(label, "Person", "ko-unnamed-office-holder", 0.5, sentence, ids)
        unnamed = ents.get(person)
        if not unnamed.known and "the article does not name this person" not in unnamed.checks:
            unnamed.checks.append("the article does not name this person")
    role = KO_TITLES[title]
    if person and not org:
        short = _short_form(person_words, ents) is not None
        org, rule = _org_for_untitled(sentence, words, k, person, role, ents, short=short)
    if person and org:
        role_name = " ".join([*qualifier, title]) if qualifier else None
        if qualifier and all(q in ("이사회",) for q in qualifier):
            role, role_name = "board-chair", None
        ents.posts.append(
            PostCandidate(
                sentence.index,
                person,
                org,
                role,
                former,
                rule,
                0.8 if org_at and rule == "ko-name-org-title" else 0.65,
                role_name,
                end_word=t,
            )
        )


def _org_in_chunk(
    sentence: Sentence, texts: list[str], title: str, ents: Entities, ids: object
) -> tuple[str | None, list[str]]:
    """No known organization among the words before the title: which of them name a new
    one, and which the person."""
    if not texts:
        return None, []
    place = ents.lookup(texts[-1], "Place")
    if place and title in ("총리", "장관", "대통령") and len(texts) <= 3:
        org = ents.add_new(
            f"{texts[-1]} 정부", "Organization", "ko-government-of", 0.7, sentence, ids
        )
        return org, texts[:-1]
    if (
        len(texts) == 3
        and texts[2].endswith(KO_ORG_SUFFIXES)
        and not texts[1].endswith(KO_ORG_SUFFIXES)
    ):  # 나타퐁 쑤완나랏 디지털경제사회부: a two-word name, a one-word organization
        org = ents.add_new(
            texts[2], "Organization", "ko-apposition-org-suffix", 0.65, sentence, ids
        )
        return org, texts[:2]
    if _korean_name_word(texts[0]):
        rest = texts[1:]
        org = (
            ents.add_new(" ".join(rest), "Organization", "ko-apposition-org", 0.75, sentence, ids)
            if rest
            else None
        )
        return org, texts[:1]
    if len(texts) >= 3:
        org = ents.add_new(
            " ".join(texts[2:]), "Organization", "ko-apposition-org", 0.65, sentence, ids
        )
        return org, texts[:2]
    if len(texts) == 2 and texts[1].endswith(KO_ORG_SUFFIXES):
        org = ents.add_new(
            texts[1], "Organization", "ko-apposition-org-suffix", 0.65, sentence, ids
        )
        return org, texts[:1]
    if title in ("총리", "장관", "대통령"):  # the government the sentence named
        org = next(
            (
                ents.new[n].id
                for n in reversed(list(ents.new))
                if ents.new[n].rule == "ko-government-of" and n.split()[0] in sentence.text
            ),
            None,
        )
        return org, texts
    return None, texts


def _is_name(texts: list[str], ents: Entities) -> bool:
    """Words that name a person (a Korean name, or a person the article or KB knows)."""
    if len(texts) == 1 and _korean_name_word(texts[0]):
        return True
    return ents.lookup(" ".join(texts), "Person") is not None


def _name_after_title(words: list[_Word], t: int, title: str) -> list[str]:
    """``사쿠라컴퓨트 최고기술책임자(CTO)인 나카무라 유이가``: the name after a title in
    ``인``, one or two words, the last with its particle cut off."""
    span = len(title.split())
    last = words[t + span - 1].text if t + span - 1 < len(words) else ""
    if not last.endswith("인"):
        return []
    out: list[str] = []
    for word in words[t + span : t + span + 2]:
        text = word.text.rstrip(",.")
        if word.bare:
            out.append(text)
            continue
        stem = re.sub(r"(?:이|가|은|는|와|과|을|를|의|도|에게)$", "", text)
        if stem and all(_is_hangul(c) for c in stem):
            out.append(stem)
        break
    return out if out and all(all(_is_hangul(c) for c in w) for w in out) else []


_ORG_MARKERS = (
    # (the word before the name, how the organization is written before it, rule)
    (re.compile(r"^(?P<stem>.+)의$"), 0, "ko-org-of-name-title"),
    (re.compile(r"^이끄는$"), 1, "ko-org-leads-name-title"),
    (re.compile(r"^출신인$"), 1, "ko-org-alumni-name-title"),
)


def _org_before(words: list[_Word], k: int, ents: Entities) -> tuple[str, str] | None:
    """The organization a marker word before the name points to: ``ORG의``, ``ORG를
    이끄는``, ``ORG 출신인`` (the word ``k`` and the ones before it)."""
    if k < 0:
        return None
    for pattern, back, rule in _ORG_MARKERS:
        match = pattern.match(words[k].text)
        if not match:
            continue
        j = k - back
        if j < 0:
            return None
        last = match.group("stem") if back == 0 else re.sub(r"(?:를|을)$", "", words[j].text)
        if back == 1 and words[k].text == "이끄는" and last == words[j].text:
            return None  # 이끄는 needs its object: ORG를 이끄는
        for n in range(3, 0, -1):  # the organization's name may take several words
            lead = [w.text for w in words[max(0, j - n + 1) : j]]
            if len(lead) != n - 1 or not all(w.bare for w in words[j - n + 1 : j]):
                continue
            org = ents.lookup(" ".join([*lead, last]), "Organization")
            if org:
                return org, rule
    return None


_NAMED_ORG_RULES = (
    "ko-name-org-title", "ko-org-name-title", "ko-org-title-name", "ko-org-of-name-title",
    "ko-org-leads-name-title", "ko-org-alumni-name-title",
)  # fmt: skip
"""Posts whose organization the apposition names, so a title coordinated with them shares it."""


def _org_for_untitled(
    sentence: Sentence,
    words: list[_Word],
    k: int,
    person: str,
    role: str,
    ents: Entities,
    *,
    short: bool,
) -> tuple[str | None, str]:
    """A person with a title but no organization: the organization of the post the title is
    coordinated with when that one names it (``… 시암 AI 클라우드 대표와 솜차이 분미
    최고기술책임자``), else, for a full name, the one the KB gives this person in this role
    (a short form such as ``윤 대표`` says no more than the article said before)."""
    if k >= 0 and re.search(r"(?:와|과|,)$", words[k].text):
        before = [
            p
            for p in ents.posts
            if p.sentence == sentence.index and p.end_word == k and p.rule in _NAMED_ORG_RULES
        ]
        if before:
            return before[-1].organization, "ko-coordinated-title"
    held = {o for o, _ in ents.background.posts_of(person, role)}
    if len(held) == 1 and ents.get(person).known and not short:
        return held.pop(), "ko-title-kb-post"
    return None, ""


_NOT_NAME_WORDS = frozenset(
    "날 직후 이후 직전 당시 현재 당일 이날 오전 오후 행사 자리 사진 함께 또한 특히 한편 "
    "최근 앞서 이어 역시 모두 각각 신임 초대 전임 차기 현직 그룹 계열사 후 뒤 개소식 계약식 "
    "협약식 기념식 간담회".split()
)
"""Nouns that stand before a name in news copy without being part of it (같은 날 최수연 …)."""


def _is_date_word(word: str) -> bool:
    return bool(re.search(r"\d|지난|올해|내년|작년|이날|당시", word))


def _short_form(words: list[str], ents: Entities) -> str | None:
    """``알하르비 CEO``, ``김 대표``: one word that is part of exactly one person's name."""
    if len(words) != 1:
        return None
    word = words[0]
    hits = {
        e.id
        for e in ents.all.values()
        if e.kind == "Person"
        and e.id
        and any(
            (word in name.split() and name != word)
            or (len(word) == 1 and len(name) == 3 and name.startswith(word))
            for name in e.surfaces()
        )
    }
    return hits.pop() if len(hits) == 1 else None


def _korean_name_word(word: str) -> bool:
    return len(word) == 3 and all(_is_hangul(c) for c in word) and word[0] in KO_SURNAMES


def _korean_person(words: list[str], sentence: Sentence, ents: Entities, ids: object) -> str | None:
    if not words or len(words) > 3:
        return None
    english = None
    clean = []
    for w in words:
        paren = re.match(r"^(.*?)\(([A-Za-z][A-Za-z .'-]+)\)$", w)
        if paren:
            clean.append(paren[1])
            english = paren[2]
        else:
            clean.append(w)
    surface = " ".join(clean)
    if not all(_is_hangul(c) or c == " " for c in surface) or len(surface.replace(" ", "")) < 2:
        return None
    if ents.lookup(surface, "Organization") or ents.lookup(surface, "Place"):
        return None
    ident = ents.add_new(
        surface, "Person", "ko-name-org-title", 0.8, sentence, ids, english=english
    )
    if english and not ents.get(ident).known:
        ents.get(ident).names.setdefault("en", english)
    return ident


def _known_site(sentence: Sentence, ents: Entities, head: str) -> str | None:
    """The one site the KB has of the organization the sentence starts with (its subject),
    named with ``head`` (본사)."""
    first = sentence.text.split(" ", 1)[0]
    stem = re.sub(r"(?:은|는|이|가)$", "", first)
    org = ents.lookup(stem, "Organization")
    if not org:
        return None
    found = [
        site
        for site in ents.background.sites.get(org, ())
        if any(head in n for n in ents.known.names.get(site, ()))
    ]
    return found[0] if len(found) == 1 else None


def _korean_sites(sentence: Sentence, words: list[_Word], ents: Entities, ids: object) -> None:
    for i, word in enumerate(words):
        head = next(
            (
                h
                for h in _KO_SITE_HEADS
                if word.text.startswith(h) and _is_particle_tail(word.text[len(h) :])
            ),
            None,
        )
        if not head or i == 0:
            continue
        parts: list[str] = []
        k = i - 1
        org = place = None
        while k >= 0 and words[k].bare and len(parts) < 4 and not _is_date_word(words[k].text):
            surface = words[k].text
            org = org or ents.lookup(surface, "Organization")
            place = place or ents.lookup(surface, "Place")
            if not (org or place or surface.endswith(("구", "시", "동")) or ents.lookup(surface)):
                break
            parts.insert(0, surface)
            k -= 1
        if not parts or not (org or place):
            continue
        name = " ".join([*parts, head])
        if not org and (known := _known_site(sentence, ents, head)):
            # 딥코어는 … 서울 본사에서: the subject's headquarters, which the KB knows
            ents.new.setdefault(name, ents.get(known))
            continue
        ident = ents.add_new(name, "Site", "ko-site", 0.6, sentence, ids)
        entity = ents.get(ident)
        if entity.known:
            continue
        if place and "within" not in entity.fields:
            entity.fields["within"] = place
        if org and "operator" not in entity.fields:
            entity.fields["operator"] = org


def _nnp_runs(sentence: Sentence) -> list[tuple[str, int]]:
    runs: list[tuple[str, int]] = []
    current: list[int] = []
    tokens = sentence.tokens

    def flush() -> None:
        if current:
            a, b = tokens[current[0]].start, tokens[current[-1]].end
            while current and tokens[current[-1]].tag == "SL":
                current.pop()
            if current and any(tokens[j].tag == "NNP" for j in current):
                b = tokens[current[-1]].end
                runs.append((sentence.text[a:b], a))
        current.clear()

    for j, tok in enumerate(tokens):
        if tok.tag == "NNP" or (tok.tag == "SL" and current):
            if current and tok.start - tokens[current[-1]].end > 1:
                flush()
            current.append(j)
        else:
            flush()
    flush()
    return runs


# -- English -------------------------------------------------------------------------------

_CAP = r"(?:[A-Z][\w'’.&-]*|[A-Z]{2,})"
_CAP_RUN = rf"{_CAP}(?: {_CAP}){{0,3}}"
_TITLES_RE = "|".join(sorted((re.escape(t) for t in EN_TITLES), key=len, reverse=True))
_DESCRIPTOR_NOUNS = (
    r"joint venture|venture|company|firm|group|operator|start-?up|maker|provider|developer|"
    r"platform|designer"
)
_EN_BACK_REFERENCE = rf"the (?:{_DESCRIPTOR_NOUNS})"
"""``the joint venture``, ``the company``: an organization the article described before."""
_EN_ORG_TITLE_NAME = re.compile(
    rf"(?P<org>{_CAP_RUN})(?:'s|’s)? (?P<former>former )?(?P<title>{_TITLES_RE})"
    rf"(?: \([^)]{{1,20}}\))? (?P<name>{_CAP}(?: {_CAP}){{1,2}})"
)
_EN_NAME_ORG_TITLE = re.compile(
    rf"(?P<name>{_CAP}(?: {_CAP}){{1,2}}), (?P<org>{_EN_BACK_REFERENCE}|{_CAP_RUN})(?:'s|’s) "
    rf"(?P<former>former )?(?P<title>{_TITLES_RE})\b"
)
_EN_ITS_TITLE_NAME = re.compile(
    rf"\b(?P<org>Its|Their|{_CAP_RUN}(?:'s|’s|s'|s’)) (?:founder and )?(?P<former>former )?"
    rf"(?P<title>{_TITLES_RE}), (?P<name>{_CAP}(?: {_CAP}){{1,2}})"
)
_EN_TITLE_AT = re.compile(
    rf"(?P<name>{_CAP}(?: {_CAP}){{1,2}}), (?:a|an|the) (?P<former>former )?"
    rf"(?P<title>{_TITLES_RE}) at (?P<org>{_CAP_RUN})"
)
_EN_ORG_WHOSE = re.compile(
    rf"(?P<org>{_CAP_RUN}), whose (?P<title>{_TITLES_RE}) (?P<name>{_CAP}(?: {_CAP}){{1,2}})"
)
_EN_NAME = rf"{_CAP}(?: {_CAP}){{0,2}}"
_EN_WHO_HEADS = re.compile(
    rf"(?P<name>{_EN_NAME}), who (?P<verb>heads|leads|runs|chairs|founded|co-founded) "
    r"(?P<org>[^,.;]+?)(?=,|\.|;| and | as | in | since |$)"
)
_EN_OCCUPATIONS = "engineer|executive|researcher|scientist|official|banker|analyst|designer"
_EN_A_ORG_TITLE = re.compile(
    rf"(?P<name>{_EN_NAME}), (?:a|an|the) (?P<former>former )?(?P<org>{_CAP_RUN}) "
    rf"(?P<title>{_TITLES_RE}|{_EN_OCCUPATIONS})\b"
)
_EN_TITLE_OF = re.compile(
    rf"(?P<name>{_EN_NAME}), (?:the |a |an )?(?P<former>former )?(?P<title>{_TITLES_RE}) of "
    r"(?P<org>[^,.;]+?)(?=,|\.|;| in | to | and |$)"
)
_EN_BOARD = re.compile(
    rf"(?P<name>{_EN_NAME}), [^.]*?\b(?:will join|joins|joined|will sit on|sits on) "
    rf"(?P<org>{_CAP_RUN}|the [\w-]+(?: [\w-]+)?)(?:'s|’s) board"
    r"(?: as (?:an? )?(?P<as>observer|director|member))?"
)
_BOARD_ROLES = {"observer": "board-observer", "director": "board-member", "member": "board-member"}
_DEMONYMS_RE = "|".join(sorted(DEMONYMS, key=len, reverse=True))
_UNIT = re.compile(
    rf"^(?P<parent>{_CAP_RUN})(?:'s|’s) (?P<demonym>{_DEMONYMS_RE}) "
    r"(?:unit|arm|subsidiary|division|branch|business|office|affiliate)$"
)
_EN_DESCRIPTOR = re.compile(
    rf"\b(?:company|firm|group|operator|start-?up|maker|provider|house|developer|platform|unit|giant|"
    rf"conglomerate|lab|bank|ministry|agency) (?P<org>{_CAP_RUN})"
)
_EN_APPOSED = re.compile(
    rf"(?P<org>{_CAP_RUN}), (?:the|a|an) (?:[\w-]+ ){{0,4}}?(?P<noun>{_DESCRIPTOR_NOUNS})\b"
    r"(?!['’]s)"
)

_EN_SITE_HEADS = ("headquarters", "office", "campus", "plant", "factory", "data center")
_EN_SITE = re.compile(
    rf"(?P<org>{_CAP_RUN})(?:'s|’s) (?:(?P<region>{_CAP_RUN}) )?"
    rf"(?P<head>{'|'.join(_EN_SITE_HEADS)})(?: in (?P<place>{_CAP_RUN}))?"
)
_EN_EVENT = re.compile(
    r"[\"“](?P<quoted>[A-Z][^\"”]{1,40}?(?:Summit|Forum|Conference|Expo|Show|Week))[\"”]"
    rf"|(?P<name>(?:{_CAP} ){{1,4}}(?:Summit|Forum|Conference|Expo))\b"
)
_EN_OFFICE = re.compile(
    rf"(?:(?P<demonym>{_DEMONYMS_RE}) |(?P<country>{_CAP_RUN})['’]s )?(?P<former>former )?"
    r"(?P<title>prime minister|president|minister)\b"
    rf"(?:,? (?P<name>{_CAP}(?: {_CAP}){{1,2}}))?"
)


def _strip_org(org: str) -> str:
    words = re.sub(r"['’]s$", "", org.strip(".,;:")).split()
    while words and (words[0] in EN_NOT_NAMES or words[0] in DEMONYMS):
        words = words[1:]
    return " ".join(words)


def english_entities(
    sentence: Sentence, ents: Entities, ids: object, subject_org: str | None
) -> None:
    text = sentence.text
    _english_sites(sentence, ents, ids)
    for pattern in (_EN_DESCRIPTOR, _EN_APPOSED):
        for match in pattern.finditer(text):
            org = _strip_org(match["org"])
            if org and not ents.lookup(org, "Place"):
                ident = ents.add_new(org, "Organization", "en-descriptor", 0.8, sentence, ids)
                if "noun" in match.groupdict():  # "the joint venture", "the venture"
                    noun = match["noun"].lower()
                    ents.described[noun] = ents.described[noun.split()[-1]] = ident
    for pattern, rule in (
        (_EN_ORG_TITLE_NAME, "en-org-title-name"),
        (_EN_NAME_ORG_TITLE, "en-name-org-title"),
        (_EN_ORG_WHOSE, "en-org-whose-title-name"),
        (_EN_ITS_TITLE_NAME, "en-its-title-name"),
        (_EN_TITLE_AT, "en-name-title-at-org"),
    ):
        for match in pattern.finditer(text):
            back = match["org"] in ("Its", "Their") or match["org"].startswith("the ")
            org_text = None if back else _strip_org(re.sub(r"['’]$", "", match["org"]))
            qualifier = ""
            name = match["name"].rstrip(".,;:")
            if name.split()[0] in EN_NOT_NAMES or any(w in EN_NOT_NAMES for w in name.split()):
                continue
            if back:  # "the joint venture's", "Its …": described before, or the subject
                org = ents.described.get(match["org"][4:].lower()) or subject_org
            elif org_text:
                org, qualifier = _en_org_and_qualifier(org_text, ents)
                if org is None and not ents.lookup(org_text):
                    org = ents.add_new(org_text, "Organization", rule, 0.7, sentence, ids)
            else:
                org = None
            person = ents.lookup(name, "Person") or ents.add_new(
                name, "Person", rule, 0.8, sentence, ids
            )
            if org and person:
                title = match["title"]
                role = EN_TITLES.get(title) or EN_TITLES.get(title.lower(), "head")
                qualified = f"{qualifier} {title}" if org_text and qualifier else None
                ents.posts.append(
                    PostCandidate(
                        sentence.index,
                        person,
                        org,
                        role,
                        bool(match.groupdict().get("former")),
                        rule,
                        0.8,
                        qualified,
                    )
                )
    _english_posts(sentence, ents, ids)
    _english_offices(sentence, ents, ids)
    for match in _EN_EVENT.finditer(text):
        ents.add_new(match["quoted"] or match["name"], "Conference", "en-event", 0.7, sentence, ids)
    runs = [part for m in re.finditer(_CAP_RUN, text) for part in re.split(r"['’]s\b ?", m[0])]
    for raw in runs:
        run = _strip_org(raw.rstrip(".,'’"))
        if not run or ents.lookup(run):
            continue
        words = run.split()
        if words[-1] in EN_ORG_SUFFIXES and len(words) >= 2:
            ents.add_new(run, "Organization", "en-org-suffix", 0.6, sentence, ids)
        elif run not in EN_NOT_NAMES:
            ents.unlinked.setdefault(run, sentence.quote)


def _en_org_and_qualifier(org_text: str, ents: Entities) -> tuple[str | None, str]:
    """``NVIDIA APAC`` before a title: the known organization the words start with, the rest
    qualifying the title (NVIDIA, APAC head); the whole when it is a name itself."""
    whole = ents.lookup(org_text, "Organization")
    if whole:
        return whole, ""
    words = org_text.split()
    if words[-1] in EN_ORG_SUFFIXES:
        return None, ""  # NVIDIA Korea, Acme Labs: a name of its own
    for k in range(len(words) - 1, 0, -1):
        found = ents.lookup(" ".join(words[:k]), "Organization")
        if found:
            return found, " ".join(words[k:])
    return None, ""


def _english_offices(sentence: Sentence, ents: Entities, ids: object) -> None:
    """Offices of state: ``the Thai prime minister`` (a person the article does not name),
    ``former prime minister Thaksin Shinawatra``: a post at the government of the country
    named (Government of Thailand), else of the one the article named last, else of the
    one the KB gives this person in that role."""
    for match in _EN_OFFICE.finditer(sentence.text):
        country = DEMONYMS.get(match["demonym"] or "") or (
            ents.lookup(match["country"], "Place") if match["country"] else None
        )
        role = EN_TITLES[match["title"]]
        government = None
        if country:
            label = f"Government of {_english_name(ents, country)}"
            government = ents.lookup(label, "Organization") or ents.add_new(
                label, "Organization", "en-government-of", 0.7, sentence, ids
            )
        name = match["name"]
        if name and name.split()[0] in EN_NOT_NAMES:
            name = None
        if name:
            person = _en_person(name, ents, sentence, ids, "en-office-holder")
        elif government:
            person = ents.add_new(
                f"{match['demonym'] or match['country']} {match['title']}".strip(),
                "Person", "en-unnamed-office-holder", 0.5, sentence, ids,
            )  # fmt: skip
            unnamed = ents.get(person)
            if not unnamed.known and "the article does not name this person" not in unnamed.checks:
                unnamed.checks.append("the article does not name this person")
        else:
            continue
        if not person:
            continue
        if government is None:
            governments = [e.id for e in ents.all.values() if e.rule == "en-government-of"]
            held = {o for o, _ in ents.background.posts_of(person, role)}
            government = (
                governments[-1] if governments else (held.pop() if len(held) == 1 else None)
            )
        if government:
            ents.posts.append(
                PostCandidate(
                    sentence.index,
                    person,
                    government,
                    role,
                    bool(match["former"]),
                    "en-office",
                    0.6,
                )
            )


def _english_name(ents: Entities, ident: str) -> str:
    names = sorted(n for n in ents.known.names.get(ident, ()) if n.isascii())
    return names[0] if names else ident


def _english_posts(sentence: Sentence, ents: Entities, ids: object) -> None:
    """Posts written other than ``ORG TITLE NAME``: ``NAME, who heads ORG``, ``NAME, a
    former ORG engineer``, ``NAME, the chief executive of ORG``, ``NAME … will join ORG's
    board as an observer``; ORG may be a paraphrase the KB can resolve (``NVIDIA's Korean
    unit``: the one part of NVIDIA based in South Korea)."""
    text = sentence.text
    for pattern, rule in (
        (_EN_WHO_HEADS, "en-name-who-heads-org"),
        (_EN_A_ORG_TITLE, "en-name-a-org-title"),
        (_EN_TITLE_OF, "en-name-title-of-org"),
        (_EN_BOARD, "en-name-joins-board"),
    ):
        for match in pattern.finditer(text):
            person = _en_person(match["name"], ents, sentence, ids, rule)
            org = _en_organization(match["org"], ents, sentence, ids, rule)
            if not person or not org:
                continue
            groups = match.groupdict()
            role_name = None
            if rule == "en-name-joins-board":
                role = _BOARD_ROLES.get(groups.get("as") or "member", "board-member")
            elif rule == "en-name-who-heads-org":
                role = {"chairs": "chair", "founded": "founder", "co-founded": "founder"}.get(
                    match["verb"], "head"
                )
            else:
                title = match["title"]
                role = EN_TITLES.get(title) or EN_TITLES.get(title.lower()) or ""
                if not role:
                    role, role_name = title.lower(), title.lower()
            ents.posts.append(
                PostCandidate(
                    sentence.index,
                    person,
                    org,
                    role,
                    bool(groups.get("former")),
                    rule,
                    0.7,
                    role_name,
                )
            )


def _en_person(name: str, ents: Entities, sentence: Sentence, ids: object, rule: str) -> str | None:
    """The person a name in an English pattern is: known, new, or for one word (``Yoon``)
    the one person of the article or KB with that name part."""
    name = name.strip(" ,.")
    words = name.split()
    if not words or words[0] in EN_NOT_NAMES:
        return None
    found = ents.lookup(name, "Person")
    if found or len(words) > 1:
        return found or ents.add_new(name, "Person", rule, 0.7, sentence, ids)
    hits = {
        e.id
        for e in ents.all.values()
        if e.kind == "Person" and any(name in n.split() for n in e.surfaces())
    } or {
        e.entity
        for e in ents.known.entries
        if e.kind == "Person" and name in e.text.replace("-", " ").split()
    }
    return hits.pop() if len(hits) == 1 else None


def _en_organization(
    phrase: str, ents: Entities, sentence: Sentence, ids: object, rule: str
) -> str | None:
    """The organization an English phrase names: a name, ``X's Korean unit``, or the last
    capitalised run of a description (``the South Korean model developer PulseMind``)."""
    phrase = phrase.strip(" ,.")
    if phrase.startswith("the ") and (described := ents.described.get(phrase[4:].lower())):
        return described  # the venture's board: the joint venture described before
    unit = _UNIT.match(phrase)
    if unit:
        parent = ents.lookup(_strip_org(unit["parent"]), "Organization")
        place = DEMONYMS[unit["demonym"]]
        found = parent and ents.background.unit(parent, place)
        if found:
            ents.get(found)
            return found
        return None
    runs = [_strip_org(m[0]) for m in re.finditer(_CAP_RUN, phrase)]
    runs = [r for r in runs if r and not ents.lookup(r, "Place")]
    if not runs:
        return None
    org_text = runs[-1]
    found = ents.lookup(org_text, "Organization")
    if found:
        ents.get(found)
        return found
    if ents.lookup(org_text) or org_text in EN_NOT_NAMES:
        return None
    return ents.add_new(org_text, "Organization", rule, 0.6, sentence, ids)


def _english_sites(sentence: Sentence, ents: Entities, ids: object) -> None:
    """``NVIDIA's headquarters in Santa Clara``, ``NVIDIA's US headquarters``: a site the KB
    has (operated by the organization, named by it and the head word), else a new one when
    a place is named."""
    for match in _EN_SITE.finditer(sentence.text):
        org = ents.lookup(match["org"], "Organization")
        if not org:
            continue
        region = ents.lookup(match["region"], "Place") if match["region"] else None
        prefix = f"{match['org']} {match['head']}".lower()
        known = next(
            (
                e.entity
                for e in ents.known.entries
                if e.kind == "Site" and e.text.lower().startswith(prefix)
            ),
            None,
        )
        if known:
            ents.new.setdefault(match[0], Entity(known, "Site", {"en": match[0]}, known=True))
            continue
        where = (match["place"] or "").rstrip(".,;:")
        located = ents.lookup(where, "Place") if where else None
        place = located or region
        if place:  # named without the possessive: NVIDIA office in Taiwan
            name = " ".join(p for p in (match["org"], match["region"], match["head"]) if p)
            name += f" in {where}" if located else ""
            ident = ents.add_new(name, "Site", "en-site", 0.6, sentence, ids)
            ents.new.setdefault(match[0], ents.get(ident))
            if not ents.get(ident).known:
                ents.get(ident).fields.update({"within": place, "operator": org})


def role_word(role: str) -> tuple[str, str]:
    word = ROLES.get(role)
    return (word.en, word.ko) if word else (role.replace("-", " "), role)
