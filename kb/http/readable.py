"""RDF terms as the page shows them: names instead of IRIs (linked to entity pages), dates as
written with their precision, text without datatype or language-tag noise, compact IRIs
where an IRI must show, and for a fact its article (headline, publisher, date).

Shared by the readable answers (``kb.http.answers``) and the entity pages
(``kb.http.entity``). Every function here runs on a worker (``App.call``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pyoxigraph import Literal, NamedNode, Variable

from kb.api import KB
from kb.namespaces import EKR, XSD, compact
from kb.sparql.catalogue import values_query

BATCH = 500
PRECISION = {
    XSD + "gYear": "year",
    XSD + "gYearMonth": "month",
    XSD + "date": "day",
    XSD + "dateTime": "time",
}
"""A date's datatype says how precisely the article dated it; the page shows it as written."""

Cell = dict[str, Any]


def entity_id(iri: str) -> str | None:
    """``naver`` for ``ekr:naver``; None for an IRI outside ``ekr:``."""
    if iri.startswith(EKR) and "/" not in iri[len(EKR) :]:
        return iri[len(EKR) :]
    return None


def href(iri: str) -> str | None:
    found = entity_id(iri)
    return f"/entity/{found}" if found else None


def _rows(kb: KB, query: str, variable: str, iris: Iterable[str], lang: str) -> list[Any]:
    iris = sorted(set(iris))
    rows: list[Any] = []
    for start in range(0, len(iris), BATCH):
        terms = [NamedNode(i) for i in iris[start : start + BATCH]]
        sparql = values_query(query, variable, terms)
        rows.extend(kb.backend.query(sparql, {Variable("lang"): Literal(lang)}))
    return rows


def _value(row: Any, *names: str) -> str:
    for name in names:
        if row[name] is not None:
            return str(row[name].value)
    return ""


def items(kb: KB, iris: Iterable[str], lang: str) -> dict[str, dict[str, str]]:
    """For each IRI: its name (``lang``, else English, else any), whether it is a fact, and
    the article it comes from."""
    return {
        row["item"].value: {
            "label": _value(row, "label", "fallback"),
            "fact": "yes" if row["fact"] is not None else "",
            "source": _value(row, "source"),
        }
        for row in _rows(kb, "page-items", "item", iris, lang)
    }


def articles(kb: KB, iris: Iterable[str], lang: str) -> dict[str, dict[str, str]]:
    """For each article: headline, publisher, date and address."""
    return {
        row["article"].value: {
            "headline": _value(row, "headline", "anyHeadline"),
            "publisher": _value(row, "publisher", "anyPublisher"),
            "date": _value(row, "date"),
            "url": _value(row, "url"),
            "href": "",
        }
        for row in _rows(kb, "page-articles", "article", iris, lang)
    }


def cell(term: Any, known: dict[str, dict[str, str]]) -> Cell | None:
    """One term as the page shows it."""
    if term is None:
        return None
    if isinstance(term, NamedNode):
        about = known.get(term.value, {})
        shown: Cell = {
            "text": about.get("label") or compact(term.value),
            "iri": compact(term.value),
        }
        link = href(term.value)
        if link:
            shown["href"] = link
            shown["id"] = entity_id(term.value)
        return shown
    if isinstance(term, Literal):
        shown = {"text": term.value}
        if term.language:
            shown["lang"] = term.language
        precision = PRECISION.get(term.datatype.value)
        if precision:
            shown["date"] = precision
        return shown
    return {"text": str(term)}
