"""``/api/answer/NAME``: a canned question's answer as the page shows it, and ``/api/config``:
what the page needs to draw its forms (the questions, languages, whether federation is on).

The answer is the same as ``/ask/NAME``'s, made readable: the parameter columns left out
(the catalogue knows them), a name column and the IRI column it names (``partnerName`` and
``partner``) shown as one column of linked names, every other IRI by its name, dates as
written with their precision, and each quote with the article of the row's fact. It comes
a page at a time: ``PAGE_SIZE`` (50) rows unless ``limit=`` asks for another number, from
row ``offset=``, with the offsets of the next and previous pages.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

from pyoxigraph import NamedNode, QuerySolutions

from kb.api import KB
from kb.errors import ParameterError, QueryError
from kb.http import readable
from kb.http.app import App, refuse_remote_fetch
from kb.http.canned import NOT_PARAMETERS, describe
from kb.http.messages import Request, Response, allow, json_response
from kb.namespaces import EK
from kb.ontology import label as ontology_label
from kb.sparql.catalogue import CannedQuery, canned_queries, get_canned, internal_query
from kb.sparql.paging import MAX_LIMIT, PAGE_SIZE, page_bounds
from kb.sparql.text import find_keyword

QUOTE_COLUMNS = frozenset({"quote", "quotes"})
HEADLINE_COLUMNS = frozenset({"articleHeadline", "headline"})
"""Left out when each quote carries its article."""
DEFAULT_LANGUAGES = ("en", "ko")


def needs_federation(canned: CannedQuery) -> bool:
    return find_keyword(canned.sparql, ("SERVICE",)) is not None


def config(app: App, request: Request) -> Response:
    """The questions in the page's language, the languages to offer, federation."""
    allow(request, "GET", "HEAD")
    lang = request.param("lang") or "en"

    return json_response(
        {
            "languages": app.call(languages),
            "federation": app.config.allow_federation,
            "pageSize": PAGE_SIZE,
            "queries": [page_query(c, lang) for c in canned_queries().values()],
        }
    )


def page_query(canned: CannedQuery, lang: str) -> dict[str, Any]:
    described = describe(canned)
    described.pop("sparql")
    described["title"] = canned.title_in(lang)
    described["description"] = canned.description_in(lang)
    described["federated"] = needs_federation(canned)
    for param in described["parameters"]:
        kind = param["type"]
        param["label"] = ontology_label(EK + kind, lang) if kind[0].isupper() else kind
    return described


def languages(kb: KB) -> list[dict[str, str]]:
    """In a reader: English and Korean, then every other language articles are written in."""
    rows = kb.backend.query(internal_query("article-languages"))
    found = sorted({str(row["lang"].value).lower() for row in rows} - set(DEFAULT_LANGUAGES))
    return [{"tag": tag} for tag in (*DEFAULT_LANGUAGES, *found)]


def answer(app: App, request: Request, name: str) -> Response:
    allow(request, "GET", "HEAD")
    canned = get_canned(name)  # unknown names fail here, before any work
    params = {k: v[-1] for k, v in request.params.items() if k not in NOT_PARAMETERS and v[-1]}
    lang = request.param("lang") or "en"
    limit, offset = page_bounds(request.param("limit"), request.param("offset"))  # 400
    if limit == 0:  # a page of no rows would name itself as the next page
        raise ParameterError("limit must be 1 or more for a page of the answer")
    page = (PAGE_SIZE if limit is None else limit, offset)
    refused = tuple(k for k in app.fetch_keywords if k != "LOAD")  # LOAD is no query's
    answered = app.call(
        readable_answer, canned.name, params, lang, app.config.max_results, refused, page
    )
    return json_response(answered)


def readable_answer(
    kb: KB,
    name: str,
    params: dict[str, str],
    lang: str,
    cap: int,
    refused: tuple[str, ...],
    page: tuple[int, int] = (PAGE_SIZE, 0),
) -> dict[str, Any]:
    """In a reader: one page of the answer as the page shows it (names linked, quotes with
    their article, no parameter columns): ``page`` is (rows, from row), the rows at most
    ``cap``. ``offset``, ``limit``, ``next`` and ``previous`` (offsets, or None) say where
    the page is."""
    canned = get_canned(name)
    refuse_remote_fetch(canned.sparql, refused)
    limit, offset = page
    bound = kb.bind(canned, params, lang=lang)
    # one row more than the page: whether there is a next page (a page of MAX_LIMIT rows,
    # the most one query may ask for, has a next page whenever it is full)
    fetch = min(limit + 1, MAX_LIMIT)
    result = kb.ask(canned.name, params, lang=lang, limit=fetch, offset=offset)
    if not isinstance(result.raw, QuerySolutions):
        raise QueryError(f"{canned.name} is not a SELECT query: ask /ask/{canned.name}")
    hidden = {p.name for p in canned.parameters} | {"lang"}
    variables = [v for v in result.variables if v not in hidden]
    terms: list[list[Any]] = []
    truncated = more = False
    for row in result.raw:
        if len(terms) == min(limit, cap):
            truncated, more = len(terms) == cap < limit, True
            break
        terms.append([row[v] for v in variables])
    more = more or len(terms) == limit == fetch
    merged = _named_columns(variables, terms)
    iris = {t.value for row in terms for t in row if isinstance(t, NamedNode)}
    iris |= {t.value for t in bound.values() if isinstance(t, NamedNode)}
    known = readable.items(kb, iris, lang)
    sources = readable.articles(kb, {k["source"] for k in known.values() if k["source"]}, lang)
    columns = [v for v in variables if v not in merged.values()]  # shown in its name column
    has_quotes = any(c in QUOTE_COLUMNS for c in columns)
    rows = []
    for row in terms:
        values = dict(zip(variables, row, strict=True))
        facts = [
            t.value for t in row if isinstance(t, NamedNode) and known.get(t.value, {}).get("fact")
        ]
        cells = []
        for column in columns:
            shown = readable.cell(values[column], known)
            if column in merged:  # the name, linked to the entity it names
                entity = readable.cell(values[merged[column]], known)
                if entity is not None:
                    shown = {**entity, "text": shown["text"] if shown else entity["text"]}
            if column in QUOTE_COLUMNS and shown is not None and facts:
                source = known[facts[0]]["source"]
                if source in sources:
                    shown["source"] = sources[source]
            cells.append(shown)
        rows.append(cells)
    if has_quotes and all(
        c is None or "source" in c
        for r in rows
        for col, c in zip(columns, r, strict=True)
        if col in QUOTE_COLUMNS
    ):
        keep = [i for i, c in enumerate(columns) if c not in HEADLINE_COLUMNS]
        columns = [columns[i] for i in keep]
        rows = [[r[i] for i in keep] for r in rows]
    query_string = urllib.parse.urlencode({**params, "lang": lang})
    asked = {p.name for p in canned.parameters}
    return {
        "name": canned.name,
        "title": canned.title_in(lang),
        "lang": lang,
        "bound": {  # what the asker gave, not the display-name terms the language binds
            name: readable.cell(term, known)
            for name, term in bound.items()
            if name in asked and isinstance(term, NamedNode) and term.value != EK + "Any"
        },
        "columns": [
            {"name": merged_name(c, merged), "title": column_title(merged_name(c, merged))}
            for c in columns
        ],
        "rows": rows,
        "truncated": truncated,
        "offset": offset,
        "limit": limit,
        "next": offset + len(rows) if more else None,
        "previous": max(0, offset - min(limit, cap)) if offset else None,  # pages as shown
        "downloads": {
            fmt: f"/ask/{canned.name}?{query_string}&format={fmt}" for fmt in ("csv", "json")
        },
        "editor": f"/editor?{urllib.parse.urlencode({'run': canned.name, **params})}",
    }


def _named_columns(variables: list[str], terms: list[list[Any]]) -> dict[str, str]:
    """Name column → the IRI column it names (``partnerName`` → ``partner``)."""
    merged = {}
    for i, column in enumerate(variables):
        name = f"{column}Name"
        if name in variables and all(
            row[i] is None or isinstance(row[i], NamedNode) for row in terms
        ):
            merged[name] = column
    return merged


def merged_name(column: str, merged: dict[str, str]) -> str:
    return merged.get(column, column)


def column_title(column: str) -> str:
    """``businessAreas`` → ``business areas``; the page translates the words it knows."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", column).lower()
