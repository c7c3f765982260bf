"""The canned questions over HTTP: ``/queries`` lists them, ``/queries/NAME.rq`` gives one's
text with its parameters written in (for the page's editor), ``/ask/NAME`` its answer."""

from __future__ import annotations

from typing import Any

from kb.api import KB
from kb.http.app import App
from kb.http.messages import Request, Response, allow, json_response
from kb.http.negotiation import negotiator
from kb.namespaces import PREFIXES
from kb.sparql.catalogue import CannedQuery, canned_queries, get_canned
from kb.sparql.paging import page_bounds
from kb.sparql.results import Result
from kb.sparql.text import substitute, with_prefixes

NOT_PARAMETERS = frozenset({"lang", "format", "limit", "offset"})
"""Query-string keys that are not parameters of the canned query."""


def listing(app: App, request: Request) -> Response:
    allow(request, "GET", "HEAD")
    return json_response([describe(c) for c in canned_queries().values()])


def bound_text(app: App, request: Request, name: str) -> Response:
    """The canned query with its parameters written in."""
    allow(request, "GET", "HEAD")
    get_canned(name)  # unknown names fail here, before any work
    params = {k: v[-1] for k, v in request.params.items() if k != "lang"}
    text = app.call(bind_text, name, params, request.param("lang") or "en")
    return Response(200, text.encode(), "application/sparql-query; charset=utf-8")


def bind_text(kb: KB, name: str, params: dict[str, str], lang: str) -> str:
    """In a reader: the parameters resolved to terms and written into the text."""
    canned = get_canned(name)
    bound = kb.bind(canned, params, lang=lang)
    text = substitute(canned.sparql, {k: str(term) for k, term in bound.items()})
    return with_prefixes(text, PREFIXES, separator="\n")


def ask(app: App, request: Request, name: str) -> Response:
    allow(request, "GET", "HEAD")
    params = {k: v[-1] for k, v in request.params.items() if k not in NOT_PARAMETERS}
    get_canned(name)  # unknown names fail here, before any work
    limit, offset = page_bounds(request.param("limit"), request.param("offset"))  # 400
    media = negotiator(request.header("Accept"), request.param("format"))
    lang = request.param("lang") or "en"
    return app.run(answer, name, params, lang, limit, offset, media=media)


def answer(
    kb: KB, name: str, params: dict[str, str], lang: str, limit: int | None, offset: int
) -> Result:
    """In a reader: the canned query's answer, or the page of it asked."""
    return kb.ask(name, params, lang=lang, limit=limit, offset=offset)


def describe(canned: CannedQuery) -> dict[str, Any]:
    """A canned query for the listing: what the page and other clients need to call it."""
    return {
        "name": canned.name,
        "title": canned.title,
        "description": canned.description,
        "parameters": [
            {
                "name": p.name,
                "type": p.type,
                "required": p.required,
                "default": p.default,
                "description": p.description,
            }
            for p in canned.parameters
        ],
        "example": canned.example,
        "ask": f"/ask/{canned.name}",
        "sparql": canned.sparql,
    }
