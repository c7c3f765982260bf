"""The page's addresses: ``/`` (the questions), ``/entity/ID``, ``/graph`` and ``/search``
all load the same page (``static/index.html``), which draws what the address names from
the JSON of ``/api/...``; ``/editor`` is the SPARQL editor (YASGUI, ``static/editor.html``).
Every address can be bookmarked and shared."""

from __future__ import annotations

from kb.http import static
from kb.http.app import App
from kb.http.messages import Request, Response

PAGE_PATHS = ("/graph", "/search")
PAGE_PREFIXES = ("/entity/",)


def is_page(path: str) -> bool:
    return path in PAGE_PATHS or path.startswith(PAGE_PREFIXES)


def page(app: App, request: Request) -> Response:
    return static.asset(app, request, "index.html")


def editor(app: App, request: Request) -> Response:
    return static.asset(app, request, "editor.html")
