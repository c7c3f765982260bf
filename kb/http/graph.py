"""``/api/graph?entity=NAME&depth=N``: the graph around an entity (or of the whole KB, when
small enough) as cytoscape.js elements, for the page's graph view (``kb.graph``)."""

from __future__ import annotations

from typing import Any

from kb.api import KB
from kb.errors import KBError, ParameterError
from kb.graph import neighbourhood
from kb.http.app import App
from kb.http.messages import HTTPError, Request, Response, allow, json_response

MAX_NODES = 200
"""More people and organizations than this are refused: no one reads such a picture."""


def graph(app: App, request: Request) -> Response:
    allow(request, "GET", "HEAD")
    entity = request.param("entity") or None
    lang = request.param("lang") or "en"
    depth = request.param("depth") or "1"
    if depth not in ("1", "2"):
        raise HTTPError(400, f"depth={depth}: give 1 or 2")

    return json_response(app.call(draw, entity, int(depth), lang))


def draw(kb: KB, entity: str | None, depth: int, lang: str) -> dict[str, Any]:
    """In a reader: the neighbourhood as cytoscape.js elements; 413 past ``MAX_NODES``."""
    try:
        drawn = neighbourhood(kb, entity, depth=depth, lang=lang, max_nodes=MAX_NODES)
    except ParameterError:
        raise
    except KBError as err:  # too large to draw
        raise HTTPError(413, str(err)) from None
    return drawn.to_json()
