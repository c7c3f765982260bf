"""``/api/entity/ID``: what the KB knows about one entity, for its page ``/entity/ID``.

Names and aliases in every language, classes, description; every fact it takes part in,
oldest first, with the others involved, its quote and its article; posts held (a person) or
posts at it and its units (an organization); partners, parent and units; the places it is
within and those within it; the Wikidata item it is linked to, with the link decision.
"""

from __future__ import annotations

from typing import Any

from pyoxigraph import Literal, NamedNode, Variable

from kb.api import KB
from kb.http import readable
from kb.http.app import App
from kb.http.messages import HTTPError, Request, Response, allow, json_response
from kb.namespaces import EK, EKR, compact
from kb.ontology import label as ontology_label
from kb.ontology import superclasses
from kb.sparql.catalogue import internal_query, values_query

MEMBER_ORDER = ("participant", "party", "holder", "organization", "role", "person", "relative")


def entity(app: App, request: Request, ident: str) -> Response:
    allow(request, "GET", "HEAD")
    lang = request.param("lang") or "en"
    if not ident or "/" in ident:
        raise HTTPError(404, f"no entity {ident!r}")
    return json_response(app.call(about, EKR + ident, lang))


def _query(kb: KB, name: str, iri: str) -> list[Any]:
    return list(kb.backend.query(internal_query(name), {Variable("entity"): NamedNode(iri)}))


def about(kb: KB, iri: str, lang: str) -> dict[str, Any]:
    """The entity page's content; 404 when the KB says nothing about ``iri``."""
    head = _query(kb, "entity-about", iri)
    facts = _query(kb, "entity-facts", iri)
    if not head and not facts:
        raise HTTPError(404, f"nothing in the KB is {compact(iri)}; try the search")
    classes = sorted(
        {r["value"].value for r in head if r["property"].value == "class"},
        key=lambda c: (-len(superclasses(c)), c),
    )
    names: dict[str, str] = {}
    aliases: dict[str, list[str]] = {}
    descriptions: dict[str, str] = {}
    for row in head:
        value = row["value"]
        tag = value.language or "" if isinstance(value, Literal) else ""
        kind = row["property"].value
        if kind == "name":
            names.setdefault(tag, value.value)
        elif kind == "alias":
            aliases.setdefault(tag, []).append(value.value)
        elif kind == "description":
            descriptions.setdefault(tag, value.value)
    posts = _query(kb, "entity-posts", iri)
    links = _query(kb, "entity-links", iri)
    wikidata = _query(kb, "entity-wikidata", iri)
    fact_iris = sorted({r["fact"].value for r in facts})
    members = _members(kb, fact_iris)
    mentioned = {iri, *fact_iris, *(m for ms in members.values() for _, m in ms)}
    mentioned |= {
        r[k].value for r in posts for k in ("post", "holder", "organization", "role") if r[k]
    }
    mentioned |= {r["other"].value for r in links}
    known = readable.items(kb, mentioned, lang)
    sources = readable.articles(kb, {r["article"].value for r in facts if r["article"]}, lang)

    def cell(term: Any) -> dict[str, Any] | None:
        return readable.cell(term, known)

    timeline: dict[str, dict[str, Any]] = {}
    for row in facts:
        fact = row["fact"].value
        entry = timeline.setdefault(
            fact,
            {
                "fact": cell(row["fact"]),
                "class": "",
                "kind": "",
                "date": cell(row["date"]),
                "as": [],
                "with": [],
                "quote": cell(row["quote"]),
                "source": sources.get(row["article"].value) if row["article"] else None,
            },
        )
        if row["class"] is not None and not entry["class"]:
            entry["class"] = row["class"].value.removeprefix(EK)
            entry["kind"] = ontology_label(row["class"].value, lang)
        role = ontology_label(row["involvement"].value, lang)
        if role not in entry["as"]:
            entry["as"].append(role)
    for fact, entry in timeline.items():
        if entry["fact"] and entry["fact"]["text"] == entry["fact"]["iri"]:  # a fact without a name
            named = [known.get(m, {}).get("label") for _, m in members.get(fact, []) if m != iri]
            entry["fact"]["text"] = ", ".join(n for n in named if n) or entry["fact"]["iri"]
        entry["with"] = [
            {"as": ontology_label(EK + link, lang), **(cell(NamedNode(member)) or {})}
            for link, member in sorted(
                members.get(fact, []),
                key=lambda lm: (MEMBER_ORDER.index(lm[0]) if lm[0] in MEMBER_ORDER else 99, lm[1]),
            )
            if member != iri
        ]
    related: dict[str, list[dict[str, Any]]] = {}
    for row in links:
        related.setdefault(row["relation"].value, []).append(cell(row["other"]) or {})
    for listed in related.values():
        listed.sort(key=lambda c: c.get("text", ""))
    return {
        "id": readable.entity_id(iri),
        "iri": iri,
        "compact": compact(iri),
        "name": known.get(iri, {}).get("label") or compact(iri),
        "classes": [c.removeprefix(EK) for c in classes],
        "class_labels": [ontology_label(c, lang) for c in classes],
        "names": names,
        "aliases": {tag: sorted(listed) for tag, listed in aliases.items()},
        "descriptions": descriptions,
        "facts": list(timeline.values()),
        "posts": [
            {
                "post": cell(r["post"]),
                "holder": cell(r["holder"]),
                "organization": cell(r["organization"]),
                "role": cell(r["role"]),
                "start": cell(r["start"]),
                "end": cell(r["end"]),
                "former": r["former"] is not None and r["former"].value == "true",
            }
            for r in posts
        ],
        "related": related,
        "wikidata": [
            {
                "item": r["item"].value if r["item"] else None,
                "qid": r["item"].value.rpartition("/")[2] if r["item"] else None,
                "status": ontology_label(r["status"].value, lang) if r["status"] else None,
                "score": float(r["score"].value) if r["score"] else None,
                "method": r["method"].value if r["method"] else None,
            }
            for r in wikidata
        ],
        "graph": f"/graph?entity={readable.entity_id(iri) or ''}",
    }


def _members(kb: KB, facts: list[str]) -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for start in range(0, len(facts), readable.BATCH):
        batch = [NamedNode(f) for f in facts[start : start + readable.BATCH]]
        for row in kb.backend.query(values_query("entity-fact-members", "fact", batch)):
            if isinstance(row["member"], NamedNode):
                link = row["link"].value.removeprefix(EK)
                found.setdefault(row["fact"].value, []).append((link, row["member"].value))
    return found
