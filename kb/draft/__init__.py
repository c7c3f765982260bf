"""``kb draft``: a fact file drafted from an article's text, for an analyst to review.

>>> from kb import KB
>>> from kb.draft import draft
>>> text = "Acme and Globex sign an MOU\\n\\nAcme CEO Jane Roe met Globex CEO John Doe on Monday."
>>> drafted = draft(KB(None), text, published="2025-06-03")
>>> [fact.record["type"] for fact in drafted.facts]
['Post', 'Post', 'Meeting']
>>> drafted.facts[-1].record["date"]
'2025-06-02'

The pipeline, one module a step: ``source`` (text or HTML, headline, dateline),
``sentences`` (kiwipiepy for Korean, rules for English), ``names`` (the KB's names, longest
first), ``transliteration`` (names across scripts), ``mentions`` (new entities and posts
from appositions), ``coref`` (short forms, group words, paraphrased places), ``dates``
(against the publication date, keeping precision), ``facts``
(trigger words), ``render`` (YAML with ``# check:`` comments, or JSON). It reads the KB
through ``KB.query`` and the queries of ``queries/internal/draft-*.rq``; it writes nothing.
kiwipiepy and trafilatura (the ``draft`` extra) are imported only when a Korean text or an
HTML page needs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kb.draft.errors import DraftError, MissingExtra

if TYPE_CHECKING:
    from kb.api import KB

__all__ = ["Draft", "DraftError", "MissingExtra", "NoPublicationDate", "draft"]


class NoPublicationDate(DraftError):
    """Neither the article nor the options give the publication date."""


@dataclass
class Item:
    """An entity or fact of the draft, as the fact file writes it, with how it was found."""

    record: dict[str, Any]
    rule: str
    confidence: float
    checks: list[str] = field(default_factory=list)

    @property
    def notes(self) -> list[str]:
        first = f"{self.rule}, confidence {self.confidence:.2f}"
        return [first, *self.checks] if self.confidence < 0.95 or self.checks else []


@dataclass
class Draft:
    source: str
    article: dict[str, Any]
    article_checks: list[str]
    entities: list[Item]
    facts: list[Item]
    unlinked: list[str]

    def yaml(self) -> str:
        from kb.draft.render import to_yaml

        return to_yaml(self)

    def as_json(self) -> dict[str, Any]:
        from kb.draft.render import to_json

        return to_json(self)


def draft(
    kb: KB,
    source: bytes | str,
    *,
    path: str = "<input>",
    published: str | None = None,
    publisher: str | None = None,
    headline: str | None = None,
    language: str | None = None,
    article_id: str | None = None,
) -> Draft:
    """Draft a fact file from ``source`` (an article as plain text or HTML).

    The options override what is detected in the article. Raises DraftError (empty or
    binary input, a page with no article, a bad option), NoPublicationDate (no date found
    and none given: relative dates cannot be resolved without it) or MissingExtra.
    """
    from kb.draft.source import guess_language, read_article

    data = source.encode("utf-8") if isinstance(source, str) else source
    article = read_article(data, path)
    lang = language or article.language or guess_language(article.text)
    if lang not in ("ko", "en"):
        raise DraftError(f"language {lang!r}: kb draft reads ko and en", path=path)
    when = published or article.published
    if not when:
        raise NoPublicationDate(
            "no publication date found in the article: give --published DATE "
            "(relative dates such as 지난 22일 or 'on Monday' need it)",
            path=path,
        )
    from loaders.dates import parse_date

    try:
        parse_date(when if _has_zone(when) or "T" not in when else when[:10])
    except ValueError as err:
        raise DraftError(f"publication date {when!r}: {err}", path=path) from None
    return _Pipeline(kb, article, lang, path).run(
        when, publisher or article.publisher, headline or article.headline, article_id
    )


class _Pipeline:
    def __init__(self, kb: KB, article: Any, language: str, path: str) -> None:
        self.kb = kb
        self.article = article
        self.language = language
        self.path = path

    def _rows(self, name: str) -> list[dict[str, Any]]:
        from kb.sparql.catalogue import internal_query

        return self.kb.query(internal_query(name)).rows()

    def run(
        self, published: str, publisher: str | None, headline: str | None, article_id: str | None
    ) -> Draft:
        from kb.draft import coref, facts, mentions, names, sentences, transliteration
        from kb.draft.dates import find_dates, publication_date

        lang = self.language
        name_rows = self._rows("draft-names")
        known = names.KnownNames((r["entity"], r["class"], r["name"]) for r in name_rows)
        self.known = known
        ids = names.Ids(r["id"].rsplit("/", 1)[-1] for r in self._rows("draft-ids"))
        within: dict[str, set[str]] = {}
        for r in self._rows("draft-within"):
            within.setdefault(_local(r["place"]), set()).add(_local(r["container"]))
        background = mentions.Background(
            [
                (_local(r["person"]), _local(r["organization"]), r["role"] and _local(r["role"]))
                for r in self._rows("draft-posts")
            ]
        )
        for r in self._rows("draft-sites"):
            background.sites.setdefault(_local(r["operator"]), set()).add(_local(r["site"]))
        for r in self._rows("draft-organizations"):
            org = _local(r["organization"])
            if r["parent"]:
                background.parents.setdefault(org, set()).add(_local(r["parent"]))
            if r["place"]:
                background.based_in.setdefault(org, set()).add(_local(r["place"]))

        sents = sentences.split(self.article.text, lang)
        ents = mentions.Entities(
            known,
            lang,
            transliteration.CrossScriptIndex(known.names, known.kinds, lang),
            transliteration.romanised_people(known.names, known.kinds) if lang == "en" else {},
            background,
        )
        # new entities: two passes, so an organization named in a later sentence's
        # apposition is known when an earlier one is read again
        seen: Any = None
        for _ in range(2):
            subject_org = None
            for sentence in sents:
                if lang == "ko":
                    mentions.korean_entities(sentence, ents, ids)
                    continue
                if seen is not None:  # the organization the sentence is about ("the company")
                    orgs = [
                        e.entity for _, _, e in seen.find(sentence.text) if e.kind == "Organization"
                    ]
                    subject_org = orgs[0] if orgs else subject_org
                mentions.english_entities(sentence, ents, ids, subject_org)
            seen = names.matcher(known, ents.matcher_names())
            ents.posts = list(dict.fromkeys(ents.posts))
        matcher = names.matcher(known, ents.matcher_names())
        found = [coref.sentence_mentions(s, matcher, ents, lang) for s in sents]
        coref.short_forms(sents, found, ents, lang)
        day = publication_date(published)
        dates = [find_dates(s.text, day, lang) for s in sents]
        ctx = facts.Context(sents, found, dates, ents, lang, within)
        drafted = facts.extract(ctx)
        return self._assemble(drafted, ents, ids, sents, published, publisher, headline, article_id)

    # -- turning the pipeline's result into fact-file records ---------------------------

    def _assemble(
        self,
        drafted: list[Any],
        ents: Any,
        ids: Any,
        sents: list[Any],
        published: str,
        publisher: str | None,
        headline: str | None,
        article_id: str | None,
    ) -> Draft:
        from kb.draft.mentions import role_word
        from kb.draft.render import FACT_ORDER

        used: set[str] = set()
        role_items: dict[str, Item] = {}
        fact_items: list[Item] = []
        drafted.sort(key=lambda f: (FACT_ORDER.index(f.type), min(f.sentences)))
        for fact in drafted:
            fields = dict(fact.fields)
            if fact.type == "Post":
                role_name = fields.pop("role_name", None)
                fields["role"] = self._role(fields["role"], role_name, role_items, ids, role_word)
            record: dict[str, Any] = {
                "id": ids.take(_fact_slug(fact.type, fields)),
                "type": fact.type,
            }
            record.update(fields)
            quotes = [sents[k].quote for k in sorted(set(fact.sentences))]
            record["quote"] = quotes if len(quotes) > 1 else quotes[0]
            fact_items.append(Item(record, fact.rule, fact.confidence, fact.checks))
            used |= _refs(record)
        entity_items = []
        for entity in ents.all.values():  # organizations the article describes are listed
            if not entity.known and entity.rule in _DESCRIBED:
                used.add(entity.id)
        for entity in ents.all.values():
            if entity.known or entity.id not in used:
                continue
            for ref in entity.fields.values():
                if isinstance(ref, str):
                    used.add(ref)
                elif isinstance(ref, list):
                    used |= {r for r in ref if isinstance(r, str)}
        for entity in ents.all.values():
            if entity.known or entity.id not in used:
                continue
            record = {"id": entity.id, "type": entity.kind, "name": entity.names}
            record.update({k: v for k, v in entity.fields.items()})
            if entity.quote and entity.kind in ("Organization", "Site", "Conference", "Event"):
                record["quote"] = entity.quote
            entity_items.append(Item(record, entity.rule, entity.confidence, entity.checks))
        entity_items += _respelled_items(ents, used, self.language)
        entity_items += list(role_items.values())
        article, checks = self._article(published, publisher, headline, article_id, ents, used)
        unlinked = sorted(n for n in ents.unlinked if ents.lookup(n) is None)
        return Draft(self.path, article, checks, entity_items, fact_items, unlinked)

    def _role(
        self, role: str, role_name: str | None, items: dict[str, Item], ids: Any, role_word: Any
    ) -> str:
        if role_name is None and self.kb_has(role, "Role"):
            return role
        key = role_name or role
        if key in items:
            return items[key].record["id"]
        if role_name:
            ident = ids.take(role_name)
            names = {self.language: role_name}
        else:
            ident = role if role not in ids.taken else ids.take(role)
            ids.taken.add(ident)
            en, ko = role_word(role)
            names = {"en": en, "ko": ko} if self.language == "ko" else {"en": en}
        items[key] = Item({"id": ident, "type": "Role", "name": names}, "role-title", 0.9)
        return ident

    def kb_has(self, ident: str, kind: str) -> bool:
        return self.known.kinds.get(ident) == kind

    def _article(
        self,
        published: str,
        publisher: str | None,
        headline: str | None,
        article_id: str | None,
        ents: Any,
        used: set[str],
    ) -> tuple[dict[str, Any], list[str]]:
        from kb.draft.names import slug

        lang = self.language
        checks: list[str] = []
        day = published[:10]
        if "T" in published and not _has_zone(published):
            if lang == "ko":
                published = published + "+09:00"
                checks.append("published: time zone assumed to be KST (+09:00)")
            else:
                published = day
                checks.append("published: the time had no zone; only the day is kept")
        if article_id is None:
            orgs = [
                e.names.get("en") or e.id
                for e in ents.all.values()
                if e.kind == "Organization" and e.id in used
            ]
            tail = "-".join(slug(o) for o in orgs[:2]) or "article"
            article_id = f"{slug(publisher) if publisher else 'draft'}-{day}-{tail}"[:80].strip("-")
            checks.append(
                f"article.id {article_id!r} made from the publisher, date and parties; "
                "choose a stable one"
            )
        article: dict[str, Any] = {"id": article_id}
        if headline:
            article["headline"] = {lang: headline}
        else:
            checks.append("article.headline is missing: add it (required)")
        if self.article.subtitle:
            article["subtitle"] = {lang: self.article.subtitle}
        if publisher:
            article["publisher"] = {lang: publisher}
        else:
            checks.append(
                "article.publisher is missing: add it (required), "
                "e.g. publisher: {ko: 비즈워치, en: Bizwatch}"
            )
        article["published"] = published
        article["language"] = lang
        if self.article.url:
            article["url"] = self.article.url
        return article, checks


_DESCRIBED = ("ko-descriptor-quoted", "ko-descriptor", "en-descriptor", "ko-event-quoted",
              "en-event")  # fmt: skip
"""Rules that find an organization by its description (기업 '알누르 디지털', trading house
Mitsuhama Holdings) or an event by its name ('AI 서울 정상회의', "AI Seoul Summit"): the
article presents it, so the draft defines it even if no fact names it."""


def _respelled_items(ents: Any, used: set[str], language: str) -> list[Item]:
    """Known people and organizations the article spells in a way the KB has not seen
    (사쿠라컴퓨트 for Sakura Compute): a record adding the spelling, so that the next
    article written the same way links by name. Flagged: the link was made by sound."""
    items = []
    for ident, spellings in ents.respelled.items():
        if ident not in used:
            continue
        entity = ents.get(ident)
        surfaces = list(dict.fromkeys(s for s, _ in spellings))
        record: dict[str, Any] = {"id": ident, "type": entity.kind}
        own = [n for n in ents.known.names.get(ident, ()) if _script(n) == language]
        if own:  # a new spelling in a script the KB has: an alias beside the KB's name
            record["name"] = {language: sorted(own)[0]}
            record["aliases"] = {language: surfaces}
        else:
            record["name"] = {language: surfaces[0]}
            if surfaces[1:]:
                record["aliases"] = {language: surfaces[1:]}
        checks = [f"{s!r} linked to {ident}: {why}; keep this entry to add the spelling to "
                  f"the KB, or link to someone else" for s, why in spellings]  # fmt: skip
        items.append(Item(record, "respelled-known-name", 0.6, checks))
    return items


def _script(text: str) -> str | None:
    from kb.draft.transliteration import script

    return script(text)


def _has_zone(value: str) -> bool:
    return "T" in value and (value.endswith("Z") or "+" in value[10:] or "-" in value[11:])


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


_REF_FIELDS = (
    "person", "relative", "organization", "role", "place", "occasion", "speaker",
    "speaker_organization", "participants", "parties", "present", "topics", "into",
    "present_in", "areas", "partners", "places", "about",
)  # fmt: skip


def _refs(record: dict[str, Any]) -> set[str]:
    out: set[str] = set()
    for key in _REF_FIELDS:
        value = record.get(key)
        if isinstance(value, str):
            out.add(value)
        elif isinstance(value, list):
            out |= {v for v in value if isinstance(v, str)}
    return out


def _fact_slug(kind: str, fields: dict[str, Any]) -> str:
    date = str(fields.get("date", ""))
    if kind == "Post":
        return f"post-{fields['person']}-{fields['organization']}"
    if kind == "Meeting":
        return "-".join(["meeting", date, *fields["participants"][:2]])
    if kind == "Agreement":
        return "-".join([fields["kind"].lower(), *fields["parties"][:2], date])
    if kind == "Expansion":
        return "-".join(["expansion", fields["organization"], *fields["into"][:2]])
    if kind == "Cooperation":
        return "-".join(["cooperation", *fields["parties"][:2]])
    if kind == "Kinship":
        return f"kinship-{fields['person']}-{fields['relative']}"
    speaker = fields.get("speaker") or fields.get("speaker_organization") or "unnamed"
    return f"remark-{speaker}"
