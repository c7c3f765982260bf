"""Step 7, facts: trigger words and their arguments in the same sentence (or the next).

만나/회동/met → Meeting; MOU/협약/계약/signed → Agreement (parties may be named in the next
sentences: "Its supplier is Y", "Y also joined the round"; purposes from the sentences that
follow); 협력/제휴/partnership/supplies → Cooperation (not between the parties of an
agreement); 진출/확장/expand/enter → Expansion (``present_in`` where the article says the
organization is from); titles → Post (found by the apposition step, plus ``초대 대표는 … 가
맡는다`` and ``… 출신이다``); 조카/사촌/nephew → Kinship; quoted speech → Remark (with what it
is about). Dates the article leaves implicit: ``같은 날``, an occasion (``행사 직후``), the
meeting told the sentence before, the day the article reports the news, the day of the
partner's agreement. Facts of one kind that are the same event told twice (one meeting in
three sentences) are merged. Each fact keeps the sentences it came from as its quotes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from kb.draft.dates import DateMention
from kb.draft.lexicon import (
    AGREEMENT,
    AGREEMENT_KINDS,
    AGREEMENT_VERBS,
    COOPERATION,
    DEMONYMS,
    EN_TITLES,
    EXPANSION,
    KINSHIP,
    KO_TITLES,
    MEETING,
    PLANNED,
    UNDERWAY,
)
from kb.draft.mentions import SPEECH, Entities, Mention, PostCandidate, in_quotes
from kb.draft.sentences import Sentence

PLACE_KINDS = ("Place", "Site")


@dataclass
class Fact:
    type: str
    fields: dict[str, Any]
    sentences: list[int]
    rule: str
    confidence: float
    checks: list[str] = field(default_factory=list)
    place_is_site: bool = False
    reported: str | None = None  # the day the article reports the event by, if it says


@dataclass
class Context:
    sentences: list[Sentence]
    mentions: list[list[Mention]]
    dates: list[list[DateMention]]
    ents: Entities
    language: str
    within: dict[str, set[str]]  # place -> the places it lies within

    def words(self, table: dict[str, Any]) -> Any:
        return table["ko" if self.language == "ko" else "en"]

    def has(self, s: int, table: dict[str, Any]) -> int | None:
        """Position of the first trigger word of ``table`` in sentence ``s`` outside quotes."""
        text = _outside_quotes(self.sentences[s].text)
        positions = [text.find(w) for w in self.words(table)]
        found = [p for p in positions if p >= 0]
        return min(found) if found else None

    def of_kind(self, s: int, *kinds: str) -> list[Mention]:
        return [m for m in self.mentions[s] if m.kind in kinds]


def _outside_quotes(text: str) -> str:
    """``text`` with quoted speech blanked out (same length), so triggers inside a remark
    do not make facts of their own."""
    return SPEECH.sub(lambda m: " " * len(m[0]), text)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def extract(ctx: Context) -> list[Fact]:
    organization_links(ctx)
    facts: list[Fact] = []
    facts += posts(ctx)
    facts += meetings(ctx)
    facts += agreements(ctx)
    facts += expansions(ctx, [f for f in facts if f.type == "Agreement"])
    facts += cooperations(ctx, facts)
    facts += kinships(ctx)
    facts += remarks(ctx)
    return facts


# -- what the article says of its new organizations -------------------------------------

_EN_PARENT_AFTER = re.compile(
    r"\b(?:(?:is|was|became|as) (?:a|an|the) (?:[\w-]+ ){0,2}?"
    r"(?:subsidiary|unit|division|arm|affiliate) of|owned by)\b"
)
_KO_PARENT_AFTER = re.compile(r"의\s*(?:모회사|지주회사)")  # X의 모회사인 Y: Y owns X
_KO_PARENT_BEFORE = re.compile(r"의\s*(?:자회사|계열사|손자회사)")  # Y의 자회사인 X


def organization_links(ctx: Context) -> None:
    """``based_in`` and ``part_of`` of the article's new organizations: where its
    description says it is from, and ``a subsidiary of Y``, ``owned by Y``, ``X의 모회사인
    Y``, ``Y의 자회사인 X``. Known organizations keep what the KB says."""
    homes, _ = home_places(ctx)
    for org, place in homes.items():
        entity = ctx.ents.get(org)
        if not entity.known:
            entity.fields.setdefault("based_in", [place])
    patterns = [(_EN_PARENT_AFTER, True)] if ctx.language != "ko" else [
        (_KO_PARENT_AFTER, True),
        (_KO_PARENT_BEFORE, False),
    ]  # fmt: skip
    for s, sentence in enumerate(ctx.sentences):
        orgs = [m for m in ctx.of_kind(s, "Organization") if m.rule != "group-word"]
        for pattern, parent_after in patterns:
            for match in pattern.finditer(sentence.text):
                before = [m for m in orgs if m.end <= match.start() + 1]
                after = [m for m in orgs if m.start >= match.end()]
                if not before or not after:
                    continue
                child, parent = (before[-1], after[0]) if parent_after else (after[0], before[-1])
                entity = ctx.ents.get(child.entity)
                if not entity.known and child.entity != parent.entity:
                    entity.fields.setdefault("part_of", parent.entity)


# -- dates ---------------------------------------------------------------------------------


def event_date(
    ctx: Context, s: int, trigger: int | None, previous: list[Fact], *, quoted: bool = True
) -> tuple[str | None, str | None]:
    """The date of an event told in sentence ``s``: (value, rule); with ``quoted`` False,
    a date inside quoted speech does not count (a remark is not dated by what it says)."""
    text = ctx.sentences[s].text
    dates = [
        d
        for d in ctx.dates[s]
        if d.kind in ("date", "same-day") and (quoted or not in_quotes(text, d.start))
    ]
    if not dates:
        day = occasion_day(ctx, s)
        return (day, "the day of the occasion it names") if day else (None, None)
    if trigger is not None:
        before = [d for d in dates if d.start <= trigger]
        chosen = before[-1] if before else dates[0]
    else:
        chosen = dates[0]
    if chosen.kind == "same-day":
        day = previous_day(ctx, s) or next(
            (
                f.fields["date"]
                for f in reversed(previous)
                if f.fields.get("date") and min(f.sentences) < s
            ),
            None,
        )
        if day and chosen.offset and len(day) == 10:
            day = (dt.date.fromisoformat(day) + dt.timedelta(days=chosen.offset)).isoformat()
        return (day, chosen.rule) if day else (None, None)
    return chosen.value, chosen.rule


_OCCASION = {
    "ko": re.compile(
        r"(?P<noun>행사|포럼|서밋|회의|박람회|콘퍼런스|컨퍼런스|전시회|기념식|협약식|계약식)\s*"
        r"(?:직후|직전|당일|도중|중에|현장에서|에서|이후)"
    ),
    "en": re.compile(
        r"\b(?:after|before|during|at|on the sidelines of) the "
        r"(?P<noun>event|summit|forum|conference|ceremony|signing|launch)\b",
        re.I,
    ),
}


def occasion_day(ctx: Context, s: int) -> str | None:
    """A sentence dated by the occasion it names (``행사 직후``, ``on the sidelines of the
    summit``): the day of the last sentence before that names the same occasion with a
    date to the day."""
    lang = "ko" if ctx.language == "ko" else "en"
    match = _OCCASION[lang].search(_outside_quotes(ctx.sentences[s].text))
    if not match:
        return None
    noun = match["noun"].lower()
    for k in range(s - 1, -1, -1):
        if noun not in ctx.sentences[k].text.lower():
            continue
        days = [
            d.value for d in ctx.dates[k] if d.kind == "date" and d.value and len(d.value) == 10
        ]
        if days:
            return days[0]
    return None


def previous_day(ctx: Context, s: int) -> str | None:
    """The day ``같은 날`` or ``the same day`` refers to: the last date to the day that an
    earlier sentence gives an event (not a month it recalls, not the day of a report)."""
    for k in range(s - 1, -1, -1):
        days = [
            d.value for d in ctx.dates[k] if d.kind == "date" and d.value and len(d.value) == 10
        ]
        if days:
            return days[-1]
        if any(d.kind == "same-day" for d in ctx.dates[k]):
            resolved = event_date(ctx, k, None, [])[0]
            if resolved and len(resolved) == 10:
                return resolved
    return None


_ANNOUNCED = {
    # the event is the news itself: "X has signed …, X said on Tuesday",
    # "X는 …을 체결했다고 3일 밝혔다"
    "en": re.compile(r"\b(?:has|have)\s+(?:\w+\s+)?(?:signed|raised|agreed|inked|struck|formed)\b"),
    "ko": re.compile(r"(?:체결|맺었|맺|설립|유치)[^.]{0,6}다고\s*\d{1,2}일\s*(?:밝혔|발표했)"),
}


def report_date(ctx: Context, s: int, trigger: int | None) -> str | None:
    """The day sentence ``s`` reports by (``the company said on Tuesday``, ``…했다고 3일
    밝혔다``), when what it reports is the event of its trigger itself, not an earlier one
    it mentions (``weeks after it signed``)."""
    text = ctx.sentences[s].text
    pattern = _ANNOUNCED["ko" if ctx.language == "ko" else "en"]
    if not pattern.search(text[trigger or 0 :] if ctx.language == "ko" else text):
        return None
    found = [d.value for d in ctx.dates[s] if d.kind == "report" and d.value]
    return found[0] if found else None


def deadline(ctx: Context, s: int) -> str | None:
    found = [d.value for d in ctx.dates[s] if d.kind == "deadline" and d.value]
    return found[0] if found else None


# -- posts ---------------------------------------------------------------------------------


def posts(ctx: Context) -> list[Fact]:
    by_key: dict[tuple[str, str, bool], Fact] = {}
    candidates = list(ctx.ents.posts)
    if ctx.language == "ko":
        candidates += posts_taken(ctx) + former_posts(ctx)
    for post in candidates:
        key = (post.person, post.organization, post.former)
        if key in by_key:
            if post.sentence not in by_key[key].sentences:
                by_key[key].sentences.append(post.sentence)
            continue
        fields = _post_fields(post, ctx)
        fact = Fact("Post", fields, [post.sentence], post.rule, post.confidence)
        if post.role_name and fields["role"] == post.role:
            fact.fields["role_name"] = post.role_name
        by_key[key] = fact
    found = list(by_key.values())
    post_starts(ctx, found)
    return found


_TAKEN = re.compile(
    r"^(?:(?P<of>\S+(?:\s\S+){0,2})의\s+)?(?:초대|신임|차기|새|첫)\s*"
    r"(?P<title>대표이사|대표|CEO|사장|회장|의장)(?:은|는)\s"
)
_TAKES = re.compile(r"(?:이|가)\s+(?:맡는다|맡기로|맡았|맡게|맡을|겸임)")


def posts_taken(ctx: Context) -> list[PostCandidate]:
    """``(ORG의) 초대 대표는 … NAME 상무가 맡는다``: the person takes the post named at the
    start, at that organization or, when none is named, the one the sentence before is about."""
    from kb.draft.lexicon import KO_TITLES

    found = []
    for s, sentence in enumerate(ctx.sentences):
        head = _TAKEN.match(sentence.text)
        takes = _TAKES.search(sentence.text)
        if not head or not takes:
            continue
        people = [m for m in ctx.of_kind(s, "Person") if m.end <= takes.start() + 1]
        if not people:
            continue
        orgs = [m for m in ctx.of_kind(s, "Organization") if head["of"] and m.end <= head.end("of")]
        if not orgs and s > 0:
            orgs = [m for m in ctx.of_kind(s - 1, "Organization") if m.role == "subject"]
        if not orgs:
            continue
        found.append(
            PostCandidate(
                s,
                people[-1].entity,
                orgs[0].entity,
                KO_TITLES[head["title"]],
                False,
                "ko-post-taken",
                0.6,
            )
        )
    return found


_ALUMNI = re.compile(r"(?P<what>\S+)\s*출신(?:이다|으로|이며|이고|이었)")


def former_posts(ctx: Context) -> list[PostCandidate]:
    """``윤 대표는 삼성전자에서 … 엔지니어 출신이다``, ``삼성전자 엔지니어 출신으로``: a former
    post of the sentence's subject at the organization before 출신, in the title or
    occupation written there."""
    from kb.draft.lexicon import KO_TITLES

    found = []
    for s, sentence in enumerate(ctx.sentences):
        text = _outside_quotes(sentence.text)
        alumni = _ALUMNI.search(text)
        if not alumni:
            continue
        subjects = [m for m in ctx.of_kind(s, "Person") if m.role == "subject"]
        orgs = [
            m
            for m in ctx.of_kind(s, "Organization")
            if m.end <= alumni.start("what") + 1 and m.role in ("at", "neutral")
        ]
        if not subjects or not orgs:
            continue
        what = alumni["what"]
        role = KO_TITLES.get(what)
        found.append(
            PostCandidate(
                s,
                subjects[0].entity,
                orgs[-1].entity,
                role or what,
                True,
                "ko-former-post",
                0.55,
                None if role else what,
            )
        )
    return found


_STARTS = {
    "ko": re.compile(r"취임|복귀|선임|임명|부임|맡게|합류"),
    "en": re.compile(r"\b(?:appointed|named|joined|took over|became|returned)\b"),
}


def post_starts(ctx: Context, found: list[Fact]) -> None:
    """``start`` of a post from a sentence saying when its holder took it (지난 3월 이사회에
    복귀, appointed in March)."""
    pattern = _STARTS["ko" if ctx.language == "ko" else "en"]
    for s, sentence in enumerate(ctx.sentences):
        if not pattern.search(_outside_quotes(sentence.text)):
            continue
        dates = [d for d in ctx.dates[s] if d.kind == "date" and d.value]
        people = {m.entity for m in ctx.of_kind(s, "Person")}
        if not dates or not people:
            continue
        for fact in found:
            if (
                fact.fields["person"] in people
                and not fact.fields.get("former")
                and "start" not in fact.fields
            ):
                fact.fields["start"] = dates[0].value
                fact.sentences.append(s)
                fact.checks.append(f"start by {dates[0].rule} from a sentence on taking the post")
                break


def _post_fields(post: PostCandidate, ctx: Context) -> dict[str, Any]:
    """The post's fields; its role is the one the KB gives this person's post at this
    organization when it has one (the KB's ``country-head``, not a title's ``ceo``)."""
    kb_roles = {r for o, r in ctx.ents.background.posts_of(post.person) if o == post.organization}
    role = kb_roles.pop() if len(kb_roles) == 1 and None not in kb_roles else post.role
    fields: dict[str, Any] = {
        "person": post.person,
        "organization": post.organization,
        "role": role,
    }
    if post.former:
        fields["former"] = True
    return fields


# -- meetings ------------------------------------------------------------------------------


def _meeting_trigger(ctx: Context, s: int) -> int | None:
    text = _outside_quotes(ctx.sentences[s].text)
    if ctx.language == "ko":
        return ctx.has(s, MEETING)
    # the verb when there is one ("their second meeting, after they met at …"), else the noun
    match = re.search(r"\b(?:met|meet|meets|talks with)\b", text) or re.search(r"\bmeeting\b", text)
    return match.start() if match else None


def meetings(ctx: Context) -> list[Fact]:
    found: list[Fact] = []
    for s in range(len(ctx.sentences)):
        trigger = _meeting_trigger(ctx, s)
        if trigger is None:
            continue
        people = _unique([m.entity for m in ctx.of_kind(s, "Person")])
        used = [s]
        rule = "meeting-trigger"
        if len(people) < 2 and s + 1 < len(ctx.sentences):
            following = _unique([m.entity for m in ctx.of_kind(s + 1, "Person")])
            if len(following) >= 2 and _meeting_trigger(ctx, s + 1) is None:
                people = _unique(people + following)
                used.append(s + 1)
                rule = "meeting-trigger+next-sentence"
        if len(people) < 2:
            continue
        date, date_rule = event_date(ctx, s, trigger, found)
        fields: dict[str, Any] = {"participants": people}
        if date:
            fields["date"] = date
        place = _place(ctx, used, trigger)
        fact = Fact("Meeting", fields, used, rule, 0.7 if date else 0.55)
        if place:
            fields["place"] = place
            fact.place_is_site = ctx.ents.get(place).kind == "Site"
        topics = _unique([m.entity for k in used for m in ctx.of_kind(k, "Topic")])
        if topics:
            fields["topics"] = topics
        occasion = [m.entity for k in used for m in ctx.of_kind(k, "Conference", "Event")]
        if occasion:
            fields["occasion"] = occasion[0]
        if date_rule:
            fact.checks.append(f"date by {date_rule}")
        found.append(fact)
    return _merge_meetings(found)


def _place(ctx: Context, sentences: list[int], trigger: int | None = None) -> str | None:
    """The most specific place where something happened: a site, else a place marked as
    the location (에서; in English "in" or "at" in the clause of the trigger, not after a
    participle: "companies operating in Southeast Asia" is not where a deal was signed),
    the city before its country."""
    candidates = [m for k in sentences for m in ctx.mentions[k] if m.kind in PLACE_KINDS]
    if ctx.language != "ko" and trigger is not None and sentences:
        text = ctx.sentences[sentences[0]].text
        start, end = _clause(text, trigger)
        candidates = [
            m
            for m in candidates
            if m.sentence != sentences[0]
            or (start <= m.start < end and not _PARTICIPLE_BEFORE.search(text[: m.start]))
        ]
    sites = [m for m in candidates if m.kind == "Site"]
    if sites:
        return sites[0].entity
    located = [m for m in candidates if m.role == "at"]
    if not located:
        return None
    ids = _unique([m.entity for m in located])
    for ident in ids:  # the one within the others
        if any(other in ctx.within.get(ident, set()) for other in ids if other != ident):
            return ident
    return ids[0]


_PARTICIPLE_BEFORE = re.compile(
    r"\b(?!(?:meeting|briefing|signing|opening|gathering|building|ceremony)\b)\w+ing\s+(?:in|at)\s+$"
)
"""``companies operating in Southeast Asia``: where they operate, not where the event was
(``a meeting at``, ``the signing in`` are events)."""
_CLAUSE_STARTS = re.compile(
    r",\s+(?:as|while|which|after|before|when|whereas|although|but|and|according|said|says|"
    r"its|it|weeks|days|months|years|the (?:company|companies|two \w+|firm|firms) said)\b",
    re.I,
)
_PURPOSE_CLAUSE = re.compile(r"\bto (?:discuss|talk about|explore|review|plan)\b", re.I)


def _clause(text: str, at: int) -> tuple[int, int]:
    """The clause around offset ``at``: from the comma before it to the next comma that
    starts a new clause (``, as``, ``, which``, ``, the company said``) or the purpose of a
    meeting (``to discuss …``: what it was about, not where); an apposition in between
    (``Han Ji-soo, the chief executive of PulseMind, in Seoul``) is part of it."""
    start = text.rfind(",", 0, at) + 1
    ends = [m.start() for m in _CLAUSE_STARTS.finditer(text, at)]
    ends += [m.start() for m in _PURPOSE_CLAUSE.finditer(text, at)]
    return start, min(ends) if ends else len(text)


def _merge_meetings(found: list[Fact]) -> list[Fact]:
    """One meeting told in several sentences: an undated telling joins the nearest dated
    meeting sharing two participants; tellings with the same date and people join."""
    dated = [f for f in found if f.fields.get("date")]
    undated = [f for f in found if not f.fields.get("date")]
    merged: list[Fact] = []
    for fact in dated:
        same = next(
            (
                m
                for m in merged
                if m.fields["date"] == fact.fields["date"]
                and len(set(m.fields["participants"]) & set(fact.fields["participants"])) >= 2
            ),
            None,
        )
        if same:
            _absorb(same, fact)
        else:
            merged.append(fact)
    for fact in undated:
        people = set(fact.fields["participants"])
        hosts = [m for m in merged if len(people & set(m.fields["participants"])) >= 2]
        if hosts:
            host = min(
                hosts, key=lambda m: min(abs(a - b) for a in m.sentences for b in fact.sentences)
            )
            _absorb(host, fact)
        else:
            merged.append(fact)
    return sorted(merged, key=lambda f: min(f.sentences))


def _absorb(host: Fact, other: Fact) -> None:
    for key, value in other.fields.items():
        if key == "purposes":
            host.fields[key] = list(host.fields.get(key, [])) + [
                p for p in value if p not in host.fields.get(key, [])
            ]
        elif isinstance(value, list):
            host.fields[key] = _unique(list(host.fields.get(key, [])) + value)
        elif key == "place" and "place" in host.fields:
            if other.place_is_site and not host.place_is_site:
                host.fields["place"], host.place_is_site = value, True
            continue
        else:
            host.fields.setdefault(key, value)
    host.sentences = sorted(set(host.sentences) | set(other.sentences))
    host.reported = host.reported or other.reported
    host.checks.append(
        f"merged {len(other.sentences)} more sentence(s) telling the same {host.type.lower()}"
    )


# -- agreements ----------------------------------------------------------------------------


def _agreement_trigger(ctx: Context, s: int) -> int | None:
    """Where sentence ``s`` names an agreement (a noun of the lexicon and a verb of
    signing), not counting a noun that names a company (``the joint venture's chief``)."""
    text = _outside_quotes(ctx.sentences[s].text)
    nouns = [
        m.start()
        for w in ctx.words(AGREEMENT)
        for m in re.finditer(re.escape(w), text)
        if not text.startswith(("'s", "’s"), m.end())
    ]
    if not nouns:
        return None
    lowered = text.lower()
    if not any(v.lower() in lowered for v in ctx.words(AGREEMENT_VERBS)):
        return None
    return min(nouns)


def _kind(ctx: Context, s: int) -> str:
    text = ctx.sentences[s].text
    for word, kind in ctx.words(AGREEMENT_KINDS):
        if word in text:
            return kind
    return "MOU"


_CREATED_BEFORE = re.compile(r"(?:합작법인|법인|joint venture|JV)\s*['‘\"“]?$", re.I)
_CREATED_AFTER = re.compile(r"^['’\"”]?\s*(?:을|를)?\s*설립")


def _created(ctx: Context, s: int, m: Mention) -> bool:
    """The organization an agreement sets up (합작법인 '링가 아시아' 설립 계약), no party to it."""
    text = ctx.sentences[s].text
    return bool(_CREATED_BEFORE.search(text[: m.start]) or _CREATED_AFTER.match(text[m.end :]))


def _parties(ctx: Context, s: int) -> list[str]:
    orgs = [m for m in ctx.of_kind(s, "Organization") if not _created(ctx, s, m)]
    if ctx.language == "ko":
        core = [m for m in orgs if m.role in ("subject", "with")]
        chosen = core if len({m.entity for m in core}) >= 2 else orgs
    else:
        text = ctx.sentences[s].text
        verb = re.search(r"\b(?:signed|signs|sign|agreed|inked|struck)\b", text)
        partner = re.search(r"\bwith\b", text[verb.end() :]) if verb else None
        if verb and partner:  # "X signed an agreement with Y": X before the verb, Y after "with"
            at = verb.end() + partner.end()
            before = [m for m in orgs if m.start < verb.start()]
            if re.search(r"\b(?:it|the company|they)\s+(?:\w+\s+)?$", text[: verb.start()], re.I):
                before = before[:1]  # "X said ..., after it signed": the sentence's subject
            subject = before[-1:]
            chosen = subject + [m for m in orgs if m.start >= at]
        else:
            chosen = orgs
    parties = _unique([m.entity for m in chosen])
    if len(parties) < 2:  # "X president A and Y CEO B signed": the people's organizations
        people = {m.entity for m in ctx.of_kind(s, "Person")}
        for post in ctx.ents.posts:
            if post.person in people and post.organization not in parties:
                parties.append(post.organization)
    return parties


_JOINED = {
    # a party named after the agreement: "Y also joined the round", "Y도 투자에 참여했다"
    "en": re.compile(
        r"\b(?:also|too)\s+(?:joined|took part in|participated in|invested in|backed)\b"
        r"|\b(?:joined|took part in|participated in) (?:the|this) (?:round|deal|agreement)\b"
    ),
    "ko": re.compile(r"도\s+(?:이번\s+)?(?:투자|협약|계약|라운드)?에?\s*참여"),
}


_DEFINITE = {
    "en": re.compile(r"\b(?:the|this|that|its)\s+(?:[\w-]+\s+){0,2}$", re.I),
    "ko": re.compile(r"(?:이번|해당|이|같은|양사의)\s+(?:[^\s]+\s+){0,1}$"),
}


def _group_day(ctx: Context, s: int, parties: list[str]) -> str | None:
    """``The two companies signed a contract`` after a sentence telling their meeting on
    Monday: read as the same day (the sentence before names both parties and a day)."""
    grouped = [m for m in ctx.of_kind(s, "Organization") if m.rule == "group-word"]
    if not grouped or s == 0:
        return None
    before = {m.entity for m in ctx.of_kind(s - 1, "Organization")}
    if not set(parties) <= before:
        return None
    days = [
        d.value for d in ctx.dates[s - 1] if d.kind == "date" and d.value and len(d.value) == 10
    ]
    return days[-1] if days else None


def _definite(ctx: Context, s: int, trigger: int) -> bool:
    """The agreement noun refers to one told before (the June agreement, 이번 협약)."""
    before = ctx.sentences[s].text[:trigger]
    return bool(_DEFINITE["ko" if ctx.language == "ko" else "en"].search(before))


def _parties_after(ctx: Context, s: int, parties: list[str]) -> tuple[list[str], list[int]]:
    """Parties the sentences after an agreement's name: any organization that "also
    joined" in the two sentences after; with fewer than two parties, the one a sentence
    names as the other party ("Its supplier is Y", "협약 상대는 … Y다", "signed for Y"),
    else the organization of the next sentence (when it is not an agreement of its own)."""
    more: list[str] = []
    told: list[int] = []
    lang = "ko" if ctx.language == "ko" else "en"
    for k in range(s + 1, min(s + 3, len(ctx.sentences))):
        if _agreement_trigger(ctx, k) is not None:
            break
        orgs = [
            m.entity
            for m in ctx.of_kind(k, "Organization")
            if m.entity not in parties and m.entity not in more and m.rule != "group-word"
        ]
        if not orgs:
            continue
        text = _outside_quotes(ctx.sentences[k].text)
        if _JOINED[lang].search(text):
            more.append(orgs[0])
            told.append(k)
            continue
        if len(parties) + len(more) >= 2:
            continue
        named = _named_party(ctx, k, parties + more)
        if named:  # "Its supplier is Y", "상대는 … Y다", "signed for Y"
            more.append(named)
            told.append(k)
        elif k == s + 1 and len(parties) == 1 and not ctx.of_kind(k, "Person"):
            more.append(orgs[0])
            told.append(k)
    return more, told


_EN_NAMED_PARTY = re.compile(
    r"\b(?:(?:supplier|customer|partner|investor|buyer|seller|counterparty|other party|"
    r"client|backer) (?:is|was)|signed for|on behalf of)\s+(?:the\s+|[A-Z][\w ]*['’]s\s+)?$",
    re.I,
)


def _named_party(ctx: Context, k: int, parties: list[str]) -> str | None:
    """The organization a sentence names as the other party: the predicate of ``상대는 …
    Y다`` (the organization right before the sentence's final 다), or ``The customer is
    Y``, ``signed for Y``."""
    text = ctx.sentences[k].text
    for m in ctx.of_kind(k, "Organization"):
        if m.entity in parties or m.rule == "group-word":
            continue
        if ctx.language == "ko":
            if re.match(r"^['’]?(?:이)?다[.]?\s*$", text[m.end :]):
                return m.entity
        elif _EN_NAMED_PARTY.search(text[: m.start]):
            return m.entity
    return None


def agreements(ctx: Context) -> list[Fact]:
    found: list[Fact] = []
    s = 0
    while s < len(ctx.sentences):
        trigger = _agreement_trigger(ctx, s)
        if trigger is None:
            s += 1
            continue
        parties = _parties(ctx, s)
        used = [s]
        rule = "agreement-trigger"
        if len(parties) == 1 and _definite(ctx, s, trigger):
            # "the June agreement": one told before, with this party
            earlier = [f for f in found if parties[0] in f.fields["parties"]]
            if earlier:
                parties = list(earlier[-1].fields["parties"])
        more, told = _parties_after(ctx, s, parties)
        if more:
            parties = parties + more
            used += told
            rule = "agreement-trigger+parties-after"
        if len(parties) < 2:
            s += 1
            continue
        fields: dict[str, Any] = {"kind": _kind(ctx, s), "parties": parties}
        date, date_rule = event_date(ctx, s, trigger, found)
        fact = Fact("Agreement", fields, used, rule, 0.7 if rule == "agreement-trigger" else 0.6)
        if not date and (day := _group_day(ctx, s, parties)):
            date, date_rule = day, "the day of the sentence before, whose parties 'the two' are"
        if date:
            fields["date"] = date
            fact.checks.append(f"date by {date_rule}")
        else:
            fact.reported = report_date(ctx, s, trigger)
        place = _place(ctx, [s], trigger)
        if place:
            fields["place"] = place
        occasion = [m.entity for m in ctx.of_kind(s, "Conference", "Event")]
        if occasion:
            fields["occasion"] = occasion[0]
        present = _unique([m.entity for m in ctx.of_kind(s, "Person")])
        nxt = s + 1
        if nxt < len(ctx.sentences) and re.search(
            r"참석|attended|signed .* by", ctx.sentences[nxt].text
        ):
            present = _unique(present + [m.entity for m in ctx.of_kind(nxt, "Person")])
            used.append(nxt)
        if present:
            fields["present"] = present
        purposes = []
        if due := deadline(ctx, s):  # "signed a contract under which … by the end of the year"
            purposes.append(
                {"description": {ctx.language: ctx.sentences[s].quote}, "deadline": due}
            )
        k = used[-1] + 1
        gap = 1  # one sentence about something else may stand between (a caption, a side note)
        while k < len(ctx.sentences) and len(purposes) < 4:
            if _agreement_trigger(ctx, k) is not None:
                break
            if not _is_purpose(ctx, k, first=not purposes):
                if purposes or gap == 0:
                    break
                gap -= 1
                k += 1
                continue
            purpose: dict[str, Any] = {"description": {ctx.language: ctx.sentences[k].quote}}
            due = deadline(ctx, k)
            if due:
                purpose["deadline"] = due
            purposes.append(purpose)
            used.append(k)
            k += 1
        if purposes:
            fields["purposes"] = purposes
            fact.checks.append(
                f"{len(purposes)} purpose(s) from the sentences that follow; "
                "shorten the descriptions"
            )
        found.append(fact)
        s += 1
    return _merge_agreements(found)


_PURPOSE_START = {
    "ko": re.compile(
        r"^(?:양사|양측|두 회사|이어|더 나아가|이후|또한|또|아울러|이를 통해|이번 협약)"
    ),
    "en": re.compile(
        r"^(?:Under the (?:deal|agreement)|The (?:two )?(?:companies|firms) will"
        r"|They will|The deal)"
    ),
}
_PURPOSE_VERB = {
    "ko": re.compile(r"(?:기로 (?:했|하였|합의)|예정|계획|방침|목표|내용이다|내용을 담)"),
    "en": re.compile(r"\b(?:will|plan|aim)\b"),
}
_CONTENT = {"ko": re.compile(r"내용이다|내용을 담"), "en": re.compile(r"(?!)")}
"""A sentence that says what an agreement holds (…을 공급하는 내용이다): a purpose."""


def _is_purpose(ctx: Context, k: int, *, first: bool) -> bool:
    """A sentence that says what the parties will do: the first starts with the parties
    (양사는, Under the deal); the ones after it only need to say what is planned."""
    lang = "ko" if ctx.language == "ko" else "en"
    text = ctx.sentences[k].text
    if '"' in text or "“" in text:
        return False
    if not _PURPOSE_VERB[lang].search(text):
        return False
    return bool(_PURPOSE_START[lang].search(text) or _CONTENT[lang].search(text)) or (
        not first and not ctx.of_kind(k, "Person")
    )


def _merge_agreements(found: list[Fact]) -> list[Fact]:
    merged = _merge_tellings(found)
    for fact in merged:  # still no date: the day the article reports it, if that is the news
        if not fact.fields.get("date") and fact.reported:
            fact.fields["date"] = fact.reported
            fact.checks.append("date: the day the article reports it; it gives no other")
    return merged


def _merge_tellings(found: list[Fact]) -> list[Fact]:
    merged: list[Fact] = []
    for fact in found:
        same = next(
            (
                m
                for m in merged
                if set(m.fields["parties"]) == set(fact.fields["parties"])
                and (
                    not m.fields.get("date")
                    or not fact.fields.get("date")
                    or m.fields["date"] == fact.fields["date"]
                )
            ),
            None,
        )
        if same:
            _absorb(same, fact)
        else:
            merged.append(fact)
    return merged


# -- expansions ----------------------------------------------------------------------------


def _expansion_trigger(ctx: Context, s: int) -> int | None:
    text = ctx.sentences[s].text
    if ctx.language == "ko":
        found = [text.find(w) for w in ctx.words(EXPANSION)]
    else:
        found = [
            m.start()
            for w in ctx.words(EXPANSION)
            for m in re.finditer(r"\b" + re.escape(w), text, re.I)
        ]
        found += [m.start() for m in re.finditer(r"\bexpand(?:s|ing)?\b", text, re.I)]
    found = [p for p in found if p >= 0]
    return min(found) if found else None


def expansions(ctx: Context, agreements: list[Fact] | None = None) -> list[Fact]:
    """Expansions: an organization going into places (the places after the trigger in
    English, those not marked as where it is in Korean). The organization is the sentence's
    subject, or the speaker's when the trigger is in quoted speech; ``present_in`` is
    where the article says the organization is from (``Japanese operator Sakura Compute``,
    ``태국 … 기업 시암 AI 클라우드``); the date is the sentence's (a deadline too), else that
    of the agreement with the partner it expands with."""
    found: list[Fact] = []
    homes, home_mentions = home_places(ctx)
    for s in range(len(ctx.sentences)):
        trigger = _expansion_trigger(ctx, s)
        if trigger is None or _agreement_trigger(ctx, s) is not None:
            continue  # a sentence telling an agreement says what was signed, not where to go
        text = ctx.sentences[s].text
        places = [m for m in ctx.of_kind(s, "Place") if m.role not in ("at", "modifier")]
        if ctx.language == "en":  # the places after the trigger, in its clause
            clause = text.find(",", trigger)
            clause = len(text) if clause < 0 else clause
            places = [
                m
                for m in ctx.of_kind(s, "Place")
                if trigger < m.start < clause and m.role != "modifier"
            ]
        places = [m for m in places if (s, m.start) not in home_mentions]
        present = []
        into = []
        for m in places:
            rest = text[m.end : m.end + 8]
            if re.match(r"\s*뿐", rest) or re.match(r"\s*(?:에서|현지)", rest):
                (present if "뿐" in rest else []).append(m.entity)
                continue
            if _EN_ALREADY.search(text[: m.start]):  # beyond Southeast Asia into …
                present.append(m.entity)
                continue
            into.append(m.entity)
        if ctx.language == "en":  # where it already is: "outside Singapore", "which built … in"
            present += [
                m.entity
                for m in ctx.of_kind(s, "Place")
                if m.role != "modifier"
                and (
                    _EN_ALREADY.search(text[: m.start])
                    or (m.start < trigger and _EN_EXISTING.search(text[: m.start]))
                )
            ]
        into = [p for p in _unique(into) if p not in present]
        told = [s]
        if into and (more := _follow_up_places(ctx, s)):  # "The office will serve … in Qatar"
            into += [p for p in more if p not in into and p not in present]
            told.append(s + 1)
        if not into:
            continue
        org = _expanding_org(ctx, s, trigger)
        if org is None:
            continue
        named_here = any(m.entity == org for m in ctx.mentions[s])
        fields: dict[str, Any] = {"organization": org, "into": into}
        home = homes.get(org)
        if home and home not in into:
            present.append(home)
        if present:
            fields["present_in"] = _unique(present)
        topics = _unique([m.entity for m in ctx.of_kind(s, "Topic")])
        if topics:
            fields["areas"] = topics
        partners = [
            m.entity for m in ctx.of_kind(s, "Organization") if m.entity != org and m.role == "with"
        ]
        if partners:
            fields["partners"] = _unique(partners)
        fields["status"] = _status(ctx, s)
        date, date_rule = event_date(ctx, s, None, found) if named_here else (None, None)
        if not date and named_here and (due := deadline(ctx, s)):
            date, date_rule = due, "a deadline of the sentence"
        fact = Fact("Expansion", fields, told, "expansion-trigger", 0.6)
        if date:
            fields["date"] = date
            fact.checks.append(f"date by {date_rule}")
        fact.checks.append(f"status {fields['status']} from the wording; check")
        found.append(fact)
    merged = _merge_expansions(ctx, found)
    for fact in merged:
        if "date" not in fact.fields and fact.fields.get("partners"):
            deal = next(
                (
                    a
                    for a in agreements or []
                    if {fact.fields["organization"], *fact.fields["partners"][:1]}
                    <= set(a.fields["parties"])
                    and len(str(a.fields.get("date", ""))) == 10
                ),
                None,
            )
            if deal:
                fact.fields["date"] = deal.fields["date"]
                fact.checks.append("date: the day of the agreement with its partner")
    return merged


_KO_HOME = re.compile(
    r"^(?:의)?\s+(?:\S+\s+){0,4}?(?:기업|업체|회사|스타트업|그룹|운영사|제조사)\s*['‘]?$"
)
_EN_HOME_BEFORE = re.compile(
    r"\b(?P<demonym>"
    + "|".join(sorted((re.escape(d) for d in DEMONYMS), key=len, reverse=True))
    + r")\s+(?:[\w-]+\s+){0,4}?"
    r"(?:company|firm|group|operator|start-?up|maker|provider|developer|house|platform)\s+$"
)


_EN_EXISTING = re.compile(
    r",\s+(?:which|that|who)\s+(?:already\s+)?(?:built|runs|operates|opened|owns|set up|has)\b"
    r"[^,]*$"
)
"""``Naver Cloud, which built its first data center … in the Saudi capital, plans …``: a
place in a clause about what the organization already has."""
_FOLLOW_UP = {
    "en": re.compile(
        r"^(?:The|This|That|Its) (?:new )?(?:office|facility|center|centre|site|data center|"
        r"lab|plant|hub|branch|unit)\b"
    ),
    "ko": re.compile(
        r"^(?:이|해당|새|신규)?\s*(?:사무소|법인|연구소|센터|데이터센터|지사|공장)(?:은|는)"
    ),
}


def _follow_up_places(ctx: Context, s: int) -> list[str]:
    """The places of the next sentence when it goes on about what the expansion opens
    (``The office will serve customers in the UAE and Qatar``)."""
    if s + 1 >= len(ctx.sentences):
        return []
    nxt = ctx.sentences[s + 1].text
    if not _FOLLOW_UP["ko" if ctx.language == "ko" else "en"].match(nxt):
        return []
    return _unique([m.entity for m in ctx.of_kind(s + 1, "Place") if m.role not in ("modifier",)])


_EN_ALREADY = re.compile(
    r"\b(?:beyond|outside(?: of)?|besides|apart from|not only in)\s+(?:the\s+)?$", re.I
)


def home_places(ctx: Context) -> tuple[dict[str, str], set[tuple[int, int]]]:
    """Where the article says an organization is from: a country or demonym in the
    description just before its name (``Japanese GPU cloud operator Sakura Compute``,
    ``태국 AI·클라우드 기업 시암 AI 클라우드``), not ``국내`` or a city; and the mentions
    (sentence, offset) of those countries, which are no place the organization goes to."""
    homes: dict[str, str] = {}
    positions: set[tuple[int, int]] = set()
    for s, sentence in enumerate(ctx.sentences):
        text = sentence.text
        places = {(m.start, m.end): m.entity for m in ctx.of_kind(s, "Place")}
        for m in ctx.of_kind(s, "Organization"):
            if m.entity in homes or m.rule != "name":
                continue
            before = text[max(0, m.start - 60) : m.start]
            if ctx.language == "ko":
                for (a, b), country in places.items():
                    if (
                        b <= m.start
                        and m.start - b < 40
                        and ctx.ents.get(country).kind == "Place"
                        and _KO_HOME.match(text[b : m.start])
                    ):
                        homes[m.entity] = country
                        positions.add((s, a))
            else:
                match = _EN_HOME_BEFORE.search(before)
                if match:
                    homes[m.entity] = DEMONYMS[match["demonym"]]
    return homes, positions


def _titled(ctx: Context, s: int, m: Mention) -> bool:
    """An organization named in a person's title (이해진 네이버 이사회 의장, NVIDIA CEO Jensen
    Huang), so not what the sentence is about."""
    rest = ctx.sentences[s].text[m.end : m.end + 12].lstrip()
    titles = KO_TITLES if ctx.language == "ko" else EN_TITLES
    return any(rest.startswith(t) for t in titles)


def _expanding_org(ctx: Context, s: int, trigger: int) -> str | None:
    text = ctx.sentences[s].text
    if in_quotes(text, trigger):  # "사우디를 시작으로 … 늘려가겠다": the speaker's organization
        outside = _outside_quotes(text)
        speakers = [m for m in ctx.of_kind(s, "Person") if outside[m.start : m.end].strip()]
        for m in speakers:
            held = [p.organization for p in ctx.ents.posts if p.person == m.entity]
            if held:
                return held[0]
    orgs = [m for m in ctx.of_kind(s, "Organization") if not _titled(ctx, s, m)]
    if ctx.language == "ko":
        for m in orgs:  # ORG의 PLACE 진출
            if m.role == "of" and m.start < trigger:
                return m.entity
        subjects = [
            m for m in orgs if m.role == "subject" and m.start < trigger and m.rule != "group-word"
        ]
        if subjects:
            return subjects[0].entity
    before = [m for m in orgs if m.start < trigger and m.rule != "group-word"]
    if before:
        return before[0].entity
    if ctx.language == "ko" and text.startswith(("양사", "양측")):
        return None
    for k in range(s - 1, max(-1, s - 3), -1):
        subject = [m for m in ctx.of_kind(k, "Organization") if m.role in ("subject", "neutral")]
        if subject:
            return subject[0].entity
    return None


def _status(ctx: Context, s: int) -> str:
    text = ctx.sentences[s].text
    if any(w in text for w in ctx.words(UNDERWAY)):
        return "underway"
    if any(w in text for w in ctx.words(PLANNED)):
        return "planned"
    return "planned" if ctx.language == "ko" else "announced"


def _merge_expansions(ctx: Context, found: list[Fact]) -> list[Fact]:
    """Expansions of one organization into places that lie one within the other."""
    merged: list[Fact] = []
    for fact in found:
        places = set(fact.fields["into"])

        def nested(other: Fact, places: set[str] = places) -> bool:
            theirs = set(other.fields["into"])
            return bool(places & theirs) or any(
                ctx.within.get(a, set()) & theirs or ctx.within.get(b, set()) & places
                for a in places
                for b in theirs
            )

        same = next(
            (
                m
                for m in merged
                if m.fields["organization"] == fact.fields["organization"] and nested(m)
            ),
            None,
        )
        if same:
            _absorb(same, fact)
        else:
            merged.append(fact)
    return merged


# -- cooperation, kinship, remarks ------------------------------------------------------------


_EN_COOPERATION_VERB = re.compile(
    r"\b(?:supplies|supply|buys|buy|sells|sell|works with|working with|work with|worked with|"
    r"partners? with|partnered with|teams? up with|teamed up with|cooperates? with|"
    r"collaborates? with|(?:built|developed|launched|designed|runs?|operates?)\b[^,.;]{0,60}?"
    r"\bwith)\b"
)
_EN_ANTECEDENT = re.compile(r",\s+(?:(?:the|a|an)\s[^,]*?\b)?(?:that|which|who)\s+$")


def _cooperation_pairs(ctx: Context, s: int) -> list[list[str]]:
    """The parties of each cooperation a sentence tells. English: for each verb (supplies,
    buys, works with), the organization before it (for "DeepCore, the start-up that
    supplies X", the one the clause is about) and the first after it. Korean: the subject
    and the organization marked 와/과, else the first two named."""
    named = ctx.of_kind(s, "Organization")
    untitled = [m for m in named if not _titled(ctx, s, m)]
    # the organizations of people's titles only: their heads speak for them
    orgs = untitled if len({m.entity for m in untitled}) >= 2 else named
    if ctx.language == "ko":
        subject = [m.entity for m in orgs if m.role == "subject"]
        partner = [m.entity for m in orgs if m.role == "with"]
        if subject and partner and subject[0] != partner[0]:
            return [[subject[0], partner[0]]]
        parties = _unique([m.entity for m in orgs])
        return [parties[:2]] if len(parties) >= 2 else []
    text = ctx.sentences[s].text
    pairs = []
    for verb in _EN_COOPERATION_VERB.finditer(_outside_quotes(text)):
        before = [m for m in orgs if m.end <= verb.start()]
        after = [m for m in orgs if m.start >= verb.end()]
        if not before or not after:
            continue
        subject = before[-1]
        relative = _EN_ANTECEDENT.search(text[: verb.start()])
        if relative:  # "DeepCore, the South Korean start-up that supplies …"
            lead = [m for m in before if m.end <= relative.start()]
            subject = lead[-1] if lead else subject
        pair = _unique([subject.entity, after[0].entity])
        if len(pair) == 2 and pair not in pairs:
            pairs.append(pair)
    if not pairs:
        parties = _unique([m.entity for m in orgs])
        if len(parties) >= 2:
            pairs.append(parties[:2])
    return pairs


_SINCE = {
    "en": re.compile(r"\bsince\s+$", re.I),
    "ko": re.compile(r"^\s*부터"),
}


def cooperations(ctx: Context, facts: list[Fact]) -> list[Fact]:
    """Cooperations from 협력/제휴/partnership/supplies sentences, except between the parties
    of an agreement the draft has (the agreement is their cooperation, told more exactly);
    the date is when it began (since last year, 지난해부터)."""
    found: list[Fact] = []
    told = {k for f in facts if f.type == "Agreement" for k in f.sentences}
    agreed = [set(f.fields["parties"]) for f in facts if f.type == "Agreement"]
    lang = "ko" if ctx.language == "ko" else "en"
    for s in range(len(ctx.sentences)):
        text = _outside_quotes(ctx.sentences[s].text)
        together = ctx.language != "ko" and _EN_COOPERATION_VERB.search(text)
        if s in told or (ctx.has(s, COOPERATION) is None and not together):
            continue
        for parties in _cooperation_pairs(ctx, s):
            if any(set(parties) <= a for a in agreed):
                continue
            fields: dict[str, Any] = {"parties": parties}
            topics = _unique([m.entity for m in ctx.of_kind(s, "Topic")])
            if topics:
                fields["topics"] = topics
            places = _unique([m.entity for m in ctx.of_kind(s, "Place") if m.role == "at"])
            if places:
                fields["places"] = places
            text = ctx.sentences[s].text
            fields["status"] = (
                "planned" if any(w in text for w in ctx.words(PLANNED)) else "underway"
            )
            fact = Fact("Cooperation", fields, [s], "cooperation-trigger", 0.5)
            since = [
                d
                for d in ctx.dates[s]
                if d.value
                and (
                    (_SINCE[lang].search(text[: d.start]) or d.text.lower().startswith("since"))
                    if lang == "en"
                    else _SINCE[lang].match(text[d.end :])
                )
            ]
            if since:
                fields["date"] = since[0].value
                fact.checks.append(f"date: since {since[0].text}")
            same = next(
                (f for f in found if set(f.fields["parties"]) == set(fields["parties"])), None
            )
            if same:
                _absorb(same, fact)
            else:
                found.append(fact)
    return found


def kinships(ctx: Context) -> list[Fact]:
    found = []
    for s, sentence in enumerate(ctx.sentences):
        table = ctx.words(KINSHIP)
        people = ctx.of_kind(s, "Person")
        for word, relation in table.items():
            pattern = rf"의\s*{word}" if ctx.language == "ko" else rf"\b{word}(?: \([^)]*\))? of\b"
            for match in re.finditer(pattern, sentence.text):
                before = [m for m in people if m.end <= match.start() + 1]
                if ctx.language == "en":
                    after = [m for m in people if m.start >= match.end()]
                    relative = after[0].entity if after else None
                else:
                    relative = before[-1].entity if before else None
                person = _kin_subject(ctx, s, relative)
                if not relative or not person or person == relative:
                    continue
                if (
                    ctx.language == "ko"
                    and word == "사촌"
                    and "외사촌" in sentence.text[match.start() : match.end() + 1]
                ):
                    continue
                names = {"en": relation, "ko": word} if ctx.language == "ko" else {"en": relation}
                found.append(
                    Fact(
                        "Kinship",
                        {"person": person, "relative": relative, "relation": names},
                        [s],
                        "kinship-word",
                        0.6,
                    )
                )
    return found


def _kin_subject(ctx: Context, s: int, relative: str | None) -> str | None:
    text = ctx.sentences[s].text
    subjects = [m for m in ctx.of_kind(s, "Person") if m.role == "subject" and m.entity != relative]
    if subjects:
        return subjects[0].entity
    lead = re.match(r"^(.{2,30}?)를 이끄는 (?:대표|CEO)", text) or re.match(
        r"^(.{2,40}?)['’]s (?:CEO|chief executive|head|chairman|president)\b", text
    )
    if lead:
        org = next(
            (m.entity for m in ctx.of_kind(s, "Organization") if m.end <= lead.end(1) + 1), None
        )
        if org:
            holders = [
                p.person for p in ctx.ents.posts if p.organization == org
            ] + ctx.ents.background.holders(org)
            if holders:
                return holders[0]
    people = [m for m in ctx.of_kind(s, "Person") if m.entity != relative]
    return people[0].entity if people else None


def _about(ctx: Context, s: int, fields: dict[str, Any]) -> None:
    """What a remark is about: the places, organizations, people and topics its quoted
    words name, other than its speaker."""
    outside = _outside_quotes(ctx.sentences[s].text)
    named = [
        m.entity
        for m in ctx.mentions[s]
        if not outside[m.start : m.end].strip()
        and m.kind in ("Place", "Organization", "Person", "Topic")
        and m.entity not in (fields.get("speaker"), fields.get("speaker_organization"))
    ]
    if named:
        fields["about"] = _unique([*fields.get("about", []), *named])


def _is_title(quoted: str) -> bool:
    """A quoted name, not speech: a few words, each capitalised ("AI Seoul Summit")."""
    words = [w for w in quoted.split() if any(c.isalpha() for c in w)]
    return 0 < len(words) <= 6 and all(w[0].isupper() for w in words)


def remarks(ctx: Context) -> list[Fact]:
    found = []
    for s, sentence in enumerate(ctx.sentences):
        sayings = [
            m[1].strip().rstrip(",") for m in SPEECH.finditer(sentence.text) if not _is_title(m[1])
        ]
        if not sayings:
            continue
        outside = _outside_quotes(sentence.text)
        mentions = [m for m in ctx.mentions[s] if outside[m.start : m.end].strip()]
        people = [m for m in mentions if m.kind == "Person"]
        fields: dict[str, Any] = {}
        official = (
            re.search(r"(\S+(?: \S+)?) 관계자", outside)
            if ctx.language == "ko"
            else re.search(
                r"\b(?:[Aa]n?|[Tt]he) ([A-Z][\w&.-]*(?: [A-Z][\w&.-]*){0,3}) "
                r"(?:official|spokesperson|spokesman|spokeswoman|representative)\b",
                outside,
            )
        )
        if people:
            fields["speaker"] = people[0].entity
        elif official:
            org = next(
                (
                    m.entity
                    for m in mentions
                    if m.kind == "Organization" and m.end <= official.end(1)
                ),
                None,
            )
            if org:
                fields["speaker_organization"] = org
            fields["speaker_description"] = {ctx.language: official[0]}
        elif s > 0 and ctx.language == "en" and sentence.text.startswith(('"', "“")):
            previous = [f for f in found if s - 1 in f.sentences]
            if previous:  # the second half of a quotation
                previous[-1].fields["saying"].extend(sayings)
                previous[-1].sentences.append(s)
                _about(ctx, s, previous[-1].fields)
                continue
        if not fields:
            continue
        if "speaker" in fields:
            orgs = [p.organization for p in ctx.ents.posts if p.person == fields["speaker"]]
            if orgs:
                fields["speaker_organization"] = orgs[0]
        fields["saying"] = sayings
        _about(ctx, s, fields)
        date, _ = event_date(ctx, s, None, found, quoted=False)
        if date:
            fields["date"] = date
        occasion = [m.entity for m in mentions if m.kind in ("Conference", "Event")]
        if occasion:
            fields["occasion"] = occasion[0]
        found.append(Fact("Remark", fields, [s], "quoted-speech", 0.6))
    return found
