"""``/api/search?q=TEXT``: ``kb search`` over HTTP, for the page's search box and the
type-ahead of its forms (``class=`` narrows it to one class)."""

from __future__ import annotations

from typing import Any

from kb.api import KB
from kb.http.app import App
from kb.http.messages import HTTPError, Request, Response, allow, json_response
from kb.ontology import label as ontology_label

MAX_LIMIT = 100


def search(app: App, request: Request) -> Response:
    allow(request, "GET", "HEAD")
    text = request.param("q") or ""
    lang = request.param("lang") or "en"
    cls = request.param("class") or None
    given = request.param("limit") or "20"
    if not given.isdigit() or not 1 <= int(given) <= MAX_LIMIT:
        raise HTTPError(400, f"limit={given}: give a number from 1 to {MAX_LIMIT}")

    return json_response(app.call(find, text, cls, int(given), lang))


def find(kb: KB, text: str, cls: str | None, limit: int, lang: str) -> dict[str, Any]:
    """In a reader: the search's hits, as the page shows them."""
    hits = kb.search(text, cls=cls, limit=limit)
    return {
        "q": text,
        "results": [
            {
                **h.to_json(lang),
                "class_label": ontology_label(h.classes[0], lang) if h.classes else "",
                "href": f"/entity/{h.id}",
            }
            for h in hits
        ],
    }
