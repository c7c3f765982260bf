"""Fact files: the YAML an analyst writes by hand for one article, turned into RDF.

The format (``format: event-kb/1``) is documented with a full example in the README and
``facts/bizwatch-2025-05-23-naver-nvidia.yaml`` is the seed article in it. One file is one
article; all its facts go into the article's named graph, so loading the file again
replaces them.

The schema below is declarative: each fact type lists its fields, the predicate each
becomes, what kind of value it takes and, for references, the class the referenced entity
must have. Every error names the file, the line and the field.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from kb.errors import InputError
from kb.namespaces import EK, EKA, EKR, RDF, RDFS, SKOS, XSD
from kb.ontology import superclasses
from loaders.dates import parse_date
from loaders.references import Definition, FileIndex, Reference
from loaders.xsd import language_error, size_error
from loaders.yamlsource import YList, YMap, YStr, line_of, read_yaml

FORMAT = "event-kb/1"
SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
"""An id (matched whole: ``"jane-roe\\n"`` is not one)."""


@dataclass(frozen=True)
class Field:
    """One field of an entity or fact: its predicate and what value it takes.

    kind: ``ref`` (one entity id), ``refs`` (one or a list), ``date``, ``text`` (language
    map), ``texts`` (language map of strings or lists), ``quote`` (strings in the article's
    language), ``bool``, ``enum`` (a word from ``choices``), ``purposes`` (nested list).
    """

    predicate: str
    kind: str
    cls: str | None = None
    required: bool = False
    minimum: int = 0
    choices: tuple[tuple[str, str], ...] = ()


def _ek(name: str) -> str:
    return EK + name


STATUS = (
    ("planned", _ek("Planned")),
    ("underway", _ek("Underway")),
    ("completed", _ek("Completed")),
    ("announced", _ek("Announced")),
    ("prospective", _ek("Prospective")),
)
AGREEMENT_KINDS = (
    ("MOU", _ek("MOU")),
    ("contract", _ek("Contract")),
    ("joint-venture", _ek("JointVenture")),
    ("investment", _ek("Investment")),
    ("acquisition", _ek("Acquisition")),
)

NAMES = {
    "name": Field(RDFS + "label", "text", required=True),
    "aliases": Field(SKOS + "altLabel", "texts"),
    "description": Field(_ek("description"), "text"),
    "quote": Field(_ek("quote"), "quote"),
}

ENTITY_TYPES: dict[str, dict[str, Field]] = {
    "Organization": {
        "part_of": Field(_ek("subOrganizationOf"), "ref", _ek("Organization")),
        "based_in": Field(_ek("basedIn"), "refs", _ek("Place")),
    },
    "Person": {},
    "Place": {"within": Field(_ek("within"), "refs", _ek("Place"))},
    "Region": {"within": Field(_ek("within"), "refs", _ek("Place"))},
    "Country": {"within": Field(_ek("within"), "refs", _ek("Place"))},
    "City": {"within": Field(_ek("within"), "refs", _ek("Place"))},
    "Site": {
        "within": Field(_ek("within"), "refs", _ek("Place")),
        "operator": Field(_ek("organizer"), "ref", _ek("Organization")),
    },
    "Event": {},
    "Conference": {},
    "Topic": {},
    "Role": {},
}
_EVENT_FIELDS = {
    "date": Field(_ek("date"), "date"),
    "place": Field(_ek("place"), "ref", _ek("Place")),
    "organizer": Field(_ek("organizer"), "refs", _ek("Organization")),
}
ENTITY_TYPES["Event"] = dict(_EVENT_FIELDS)
ENTITY_TYPES["Conference"] = dict(_EVENT_FIELDS)

FACT_COMMON = {
    "name": Field(RDFS + "label", "text"),
    "quote": Field(_ek("quote"), "quote", required=True),
    "note": Field(_ek("note"), "text"),
}
PURPOSE_FIELDS = {
    "description": Field(_ek("description"), "text", required=True),
    "topics": Field(_ek("topic"), "refs", _ek("Topic")),
    "deadline": Field(_ek("deadline"), "date"),
}
FACT_TYPES: dict[str, dict[str, Field]] = {
    "Meeting": {
        "date": Field(_ek("date"), "date"),
        "place": Field(_ek("place"), "ref", _ek("Place")),
        "participants": Field(_ek("participant"), "refs", _ek("Person"), True, 2),
        "unnamed_participants": Field(_ek("unnamedParticipant"), "texts"),
        "topics": Field(_ek("topic"), "refs", _ek("Topic")),
        "occasion": Field(_ek("occasion"), "ref", _ek("Event")),
    },
    "Agreement": {
        "kind": Field(_ek("kind"), "enum", required=True, choices=AGREEMENT_KINDS),
        "parties": Field(_ek("party"), "refs", _ek("Organization"), True, 2),
        "date": Field(_ek("date"), "date"),
        "place": Field(_ek("place"), "ref", _ek("Place")),
        "occasion": Field(_ek("occasion"), "ref", _ek("Event")),
        "present": Field(_ek("participant"), "refs", _ek("Person")),
        "topics": Field(_ek("topic"), "refs", _ek("Topic")),
        "purposes": Field(_ek("purpose"), "purposes"),
    },
    "Cooperation": {
        "parties": Field(_ek("party"), "refs", _ek("Organization"), True, 2),
        "topics": Field(_ek("topic"), "refs", _ek("Topic")),
        "places": Field(_ek("place"), "refs", _ek("Place")),
        "status": Field(_ek("status"), "enum", choices=STATUS),
        "date": Field(_ek("date"), "date"),
    },
    "Expansion": {
        "organization": Field(_ek("expandingOrganization"), "ref", _ek("Organization"), True),
        "into": Field(_ek("targetPlace"), "refs", _ek("Place"), True, 1),
        "present_in": Field(_ek("presentIn"), "refs", _ek("Place")),
        "areas": Field(_ek("businessArea"), "refs", _ek("Topic")),
        "partners": Field(_ek("partner"), "refs", _ek("Organization")),
        "present": Field(_ek("participant"), "refs", _ek("Person")),
        "status": Field(_ek("status"), "enum", choices=STATUS),
        "date": Field(_ek("date"), "date"),
    },
    "Post": {
        "person": Field(_ek("holder"), "ref", _ek("Person"), True),
        "organization": Field(_ek("organization"), "ref", _ek("Organization"), True),
        "role": Field(_ek("role"), "ref", _ek("Role"), True),
        "start": Field(_ek("startDate"), "date"),
        "end": Field(_ek("endDate"), "date"),
        "former": Field(_ek("isFormer"), "bool"),
    },
    "Kinship": {
        "person": Field(_ek("person"), "ref", _ek("Person"), True),
        "relative": Field(_ek("relative"), "ref", _ek("Person"), True),
        "relation": Field(_ek("relation"), "text", required=True),
    },
    "Remark": {
        "speaker": Field(_ek("speaker"), "ref", _ek("Person")),
        "speaker_organization": Field(_ek("speakerOrganization"), "ref", _ek("Organization")),
        "speaker_description": Field(_ek("speakerDescription"), "text"),
        "saying": Field(_ek("saying"), "quote", required=True),
        "about": Field(_ek("about"), "refs"),
        "occasion": Field(_ek("occasion"), "ref", _ek("Event")),
        "date": Field(_ek("date"), "date"),
    },
}
SHORTCUTS = {
    # fact type: (subject field, shortcut predicate, object field) asserted beside the fact,
    # the way W3C ORG pairs org:Membership with org:memberOf.
    "Post": ("person", _ek("holdsPostAt"), "organization"),
    "Kinship": ("person", _ek("relatedTo"), "relative"),
}


class FactFile:
    """Validates one parsed fact file and produces its quads; collects references to check."""

    def __init__(self, path: str, doc: Any) -> None:
        self.path = path
        self.doc = doc
        self.quads: list[Quad] = []
        self.index = FileIndex()
        self.defined: dict[str, int | None] = {}  # iri -> line
        self.entities: set[str] = set()  # the defined iris that are entities, not facts
        self.language = "ko"
        self.graph: NamedNode

    def error(
        self, message: str, value: Any = None, field: str | None = None, line: int | None = None
    ) -> InputError:
        return InputError(message, path=self.path, line=line or line_of(value), field=field)

    # -- top level -------------------------------------------------------------------------

    def build(self) -> tuple[str, list[Quad], set[str], FileIndex]:
        """The article's graph, its quads, the entities it defines and its index (its
        references are checked with the rest of the batch: ``loaders.references``)."""
        doc = self.doc
        if not isinstance(doc, YMap):
            raise self.error("a fact file is a mapping with article, entities and facts", doc)
        self._check_keys(doc, {"format", "article", "entities", "facts"}, "")
        fmt = doc.get("format")
        if fmt is None:
            raise self.error(f"missing (write 'format: {FORMAT}')", doc, "format", line=1)
        if fmt != FORMAT:
            raise self.error(
                f"unsupported format {fmt!r}; this version reads {FORMAT}", fmt, "format"
            )
        article = self._article(doc.get("article"), doc)
        entities = doc.get("entities") or YList()
        facts = doc.get("facts") or YList()
        for name, seq in (("entities", entities), ("facts", facts)):
            if not isinstance(seq, list):
                raise self.error("must be a list", seq, name, line=doc.key_lines.get(name))
        for i, entity in enumerate(entities):
            self._entity(entity, f"entities[{i}]", article)
        for i, fact in enumerate(facts):
            self._fact(fact, f"facts[{i}]", article, i + 1)
        return self.graph.value, self.quads, self.entities, self.index

    def _article(self, art: Any, doc: YMap) -> NamedNode:
        if not isinstance(art, YMap):
            raise self.error(
                "missing or not a mapping", art, "article", line=doc.key_lines.get("article", 1)
            )
        self._check_keys(
            art,
            {"id", "headline", "publisher", "published", "language", "url", "subtitle"},
            "article.",
        )
        art_id = self._slug(art, "id", "article.id")
        lang = art.get("language")
        if lang is None or not isinstance(lang, str):
            raise self.error(
                "missing or not a language tag such as ko", lang or art, "article.language"
            )
        if problem := language_error(lang):
            raise self.error(problem, lang, "article.language")
        self.language = str(lang)
        iri = NamedNode(EKA + art_id)
        self.graph = iri
        self._add(iri, RDF + "type", NamedNode(_ek("Article")))
        for key, pred, required in (
            ("headline", "headline", True),
            ("subtitle", "subtitle", False),
            ("publisher", "publisher", True),
        ):
            if art.get(key) is None:
                if required:
                    raise self.error("missing", art, f"article.{key}")
                continue
            for literal in self._texts(art[key], f"article.{key}", many=False):
                self._add(iri, _ek(pred), literal)
        published = art.get("published")
        if published is None:
            raise self.error("missing", art, "article.published")
        self._add(iri, _ek("datePublished"), self._date(published, "article.published"))
        self._add(iri, _ek("language"), Literal(self.language))
        if art.get("url") is not None:
            try:
                self._add(iri, _ek("url"), NamedNode(str(art["url"])))
            except ValueError:
                raise self.error(f"not an IRI: {art['url']!r}", art["url"], "article.url") from None
        return iri

    # -- entities and facts ----------------------------------------------------------------

    def _entity(self, ent: Any, where: str, article: NamedNode) -> None:
        if not isinstance(ent, YMap):
            raise self.error("an entity is a mapping with id, type and name", ent, where)
        ent_type = self._type(ent, where, ENTITY_TYPES)
        fields = {**NAMES, **ENTITY_TYPES[ent_type]}
        self._check_keys(ent, {"id", "type", *fields}, where + ".")
        iri = self._define(ent, where, _ek(ent_type))
        self.entities.add(iri.value)
        self._add(iri, _ek("source"), article)
        values = self._fields(iri, ent, fields, where)
        lines = {key.lower(): line for key, line in ent["name"].key_lines.items()}
        part_of = ent.get("part_of")
        self.index.definitions[-1] = replace(  # what the batch checks compare
            self.index.definitions[-1],
            names=tuple(
                (str(lit.language), lit.value, lines.get(str(lit.language)))
                for lit in values["name"]
            ),
            part_of=(EKR + part_of, line_of(part_of)) if part_of is not None else None,
            keys=tuple(lit.value for lit in values["name"] + values.get("aliases", [])),
        )

    def _fact(self, fact: Any, where: str, article: NamedNode, position: int) -> None:
        if not isinstance(fact, YMap):
            raise self.error("a fact is a mapping with a type", fact, where)
        fact_type = self._type(fact, where, FACT_TYPES)
        fields = {**FACT_COMMON, **FACT_TYPES[fact_type]}
        self._check_keys(fact, {"id", "type", *fields}, where + ".")
        if fact.get("id") is None:
            fact_id = YStr(f"{article.value.removeprefix(EKA)}-{position}")
            fact_id.line = fact.line
            fact["id"] = fact_id
        iri = self._define(fact, where, _ek(fact_type))
        self._add(iri, _ek("source"), article)
        values = self._fields(iri, fact, fields, where)
        if fact_type in SHORTCUTS:
            subj, pred, obj = SHORTCUTS[fact_type]
            self._add(values[subj][0], pred, values[obj][0])

    def _define(self, node: YMap, where: str, cls: str) -> NamedNode:
        slug = self._slug(node, "id", where + ".id")
        iri = EKR + slug
        if iri in self.defined:
            first = self.defined[iri]
            raise self.error(
                f"duplicate id {slug!r} (first defined on line {first})", node["id"], where + ".id"
            )
        self.defined[iri] = line_of(node["id"])
        self.index.definitions.append(
            Definition(iri, self.graph.value, superclasses(cls), line_of(node["id"]), where + ".id")
        )
        node_iri = NamedNode(iri)
        for c in sorted(superclasses(cls)):
            self._add(node_iri, RDF + "type", NamedNode(c))
        return node_iri

    def _fields(
        self, iri: NamedNode, node: YMap, fields: dict[str, Field], where: str
    ) -> dict[str, list[Any]]:
        values: dict[str, list[Any]] = {}
        for key, spec in fields.items():
            raw = node.get(key)
            label = f"{where}.{key}"
            if raw is None:
                if spec.required:
                    raise self.error("missing", node, label)
                continue
            objects = self._values(raw, spec, label, iri)
            if len(objects) < spec.minimum:
                raise self.error(f"needs at least {spec.minimum}, got {len(objects)}", raw, label)
            for obj in objects:
                self._add(iri, spec.predicate, obj)
            values[key] = objects
        return values

    def _values(self, raw: Any, spec: Field, label: str, subject: NamedNode) -> list[Any]:
        kind = spec.kind
        if kind == "ref":
            return [self._ref(raw, spec.cls, label)]
        if kind == "refs":
            items = raw if isinstance(raw, list) else [raw]
            refs = [self._ref(item, spec.cls, f"{label}[{i}]") for i, item in enumerate(items)]
            if len(set(refs)) != len(refs):
                raise self.error("lists the same id twice", raw, label)
            return refs
        if kind == "date":
            return [self._date(raw, label)]
        if kind in ("text", "texts"):
            return self._texts(raw, label, many=kind == "texts")
        if kind == "quote":
            items = raw if isinstance(raw, list) else [raw]
            quotes = []
            for item in items:
                if not isinstance(item, str) or not item.strip():
                    raise self.error("must be a non-empty string or a list of them", item, label)
                if problem := size_error(item):
                    raise self.error(problem, item, label)
                quotes.append(Literal(" ".join(item.split()), language=self.language))
            return quotes
        if kind == "bool":
            if raw not in ("true", "false"):
                raise self.error(f"must be true or false, not {raw!r}", raw, label)
            return [Literal(raw, datatype=NamedNode(XSD + "boolean"))]
        if kind == "enum":
            choices = dict(spec.choices)
            if raw not in choices:
                raise self.error(f"must be one of {', '.join(choices)}; got {raw!r}", raw, label)
            return [NamedNode(choices[raw])]
        assert kind == "purposes"
        if not isinstance(raw, list):
            raise self.error("must be a list of purposes", raw, label)
        purposes = []
        for i, item in enumerate(raw, start=1):
            where = f"{label}[{i - 1}]"
            if not isinstance(item, YMap):
                raise self.error("a purpose is a mapping with a description", item, where)
            self._check_keys(item, set(PURPOSE_FIELDS), where + ".")
            purpose = NamedNode(f"{subject.value}/purpose-{i}")
            self._add(purpose, RDF + "type", NamedNode(_ek("Purpose")))
            self.index.definitions.append(
                Definition(
                    purpose.value, self.graph.value, superclasses(_ek("Purpose")), item.line, where
                )
            )
            self._add(purpose, _ek("order"), Literal(str(i), datatype=NamedNode(XSD + "integer")))
            self._fields(purpose, item, PURPOSE_FIELDS, where)
            purposes.append(purpose)
        return purposes

    # -- values ----------------------------------------------------------------------------

    def _ref(self, raw: Any, cls: str | None, label: str) -> NamedNode:
        if not isinstance(raw, str) or not SLUG.fullmatch(raw):
            raise self.error(f"not an entity id: {raw!r} (ids look like naver-cloud)", raw, label)
        self.index.references.append(Reference(EKR + raw, cls, line_of(raw), label))
        return NamedNode(EKR + raw)

    def _date(self, raw: Any, label: str) -> Literal:
        if not isinstance(raw, str):
            raise self.error("must be a date such as 2025-05-22", raw, label)
        try:
            return parse_date(raw)
        except ValueError as err:
            raise self.error(str(err), raw, label) from None

    def _texts(self, raw: Any, label: str, *, many: bool) -> list[Literal]:
        if not isinstance(raw, YMap):
            raise self.error("give a language map such as {en: Naver, ko: 네이버}", raw, label)
        literals = []
        for lang, text in raw.items():
            if text is None:
                raise self.error(
                    f"{lang!r} has no text (inside {{...}} a comma splits the text: put it in "
                    "quotes or write one language per line)",
                    raw,
                    label,
                    line=raw.key_lines[lang],
                )
            if problem := language_error(lang):
                raise self.error(problem, raw, label, line=raw.key_lines[lang])
            items = text if many and isinstance(text, list) else [text]
            for item in items:
                if not isinstance(item, str) or not item.strip():
                    what = "a string or a list of strings" if many else "a string"
                    raise self.error(
                        f"{lang}: must be {what}", item, label, line=raw.key_lines[lang]
                    )
                if problem := size_error(item):
                    raise self.error(f"{lang}: {problem}", item, label, line=raw.key_lines[lang])
                literals.append(Literal(" ".join(item.split()), language=lang))
        return literals

    def _slug(self, node: YMap, key: str, label: str) -> str:
        raw = node.get(key)
        if raw is None:
            raise self.error("missing", node, label)
        if not isinstance(raw, str) or not SLUG.fullmatch(raw):
            raise self.error(
                f"not a valid id: {raw!r} (lowercase letters, digits and hyphens)", raw, label
            )
        return str(raw)

    def _type(self, node: YMap, where: str, allowed: dict[str, Any]) -> str:
        raw = node.get("type")
        if raw is None:
            raise self.error(f"missing (one of {', '.join(allowed)})", node, where + ".type")
        if raw not in allowed:
            hint = difflib.get_close_matches(str(raw), list(allowed), n=1)
            more = f" (did you mean {hint[0]}?)" if hint else f" (one of {', '.join(allowed)})"
            raise self.error(f"unknown type {raw!r}{more}", raw, where + ".type")
        return str(raw)

    def _check_keys(self, node: YMap, allowed: Iterable[str], prefix: str) -> None:
        allowed = list(allowed)
        for key in node:
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                more = f" (did you mean {hint[0]}?)" if hint else ""
                raise self.error(
                    f"unknown field{more}", None, prefix + key, line=node.key_lines[key]
                )

    def _add(self, s: NamedNode, p: str, o: Any) -> None:
        predicate = _PREDICATES.get(p)
        if predicate is None:  # a few dozen predicates: made once each, not once a quad
            predicate = _PREDICATES[p] = NamedNode(p)
        self.quads.append(Quad(s, predicate, o, self.graph))


_PREDICATES: dict[str, NamedNode] = {}


def plan_fact_file(path: str, data: bytes) -> tuple[str, list[Quad], set[str], FileIndex]:
    """Parse and validate a fact file, or raise InputError.

    Returns its graph name, its quads, the entities it defines (``entities:``) and its
    index; its references are checked with the batch's (``loaders.references``).
    """
    return FactFile(path, read_yaml(data, path)).build()
