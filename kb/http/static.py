"""The page and its assets: ``/`` (the query page, or the service description for a client
that prefers RDF) and ``/static/NAME`` (bundled, so the page works with no internet)."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from kb.formats import RDF_MEDIA_TYPES
from kb.http.app import App
from kb.http.messages import HTTPError, Request, Response, allow
from kb.http.negotiation import accepted
from kb.http.service import service_description

STATIC = Path(__file__).resolve().parent / "static"
STATIC_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
}


def root(app: App, request: Request) -> Response:
    allow(request, "GET", "HEAD")
    accept = accepted(request.header("Accept") or "")
    html = next((i for i, m in enumerate(accept) if m in ("text/html", "*/*")), 99)
    rdf = next((i for i, m in enumerate(accept) if m in RDF_MEDIA_TYPES), 99)
    return service_description(app, request) if rdf < html else asset(app, request, "index.html")


def asset(app: App, request: Request, name: str) -> Response:
    allow(request, "GET", "HEAD")
    entry = STATIC / name
    if "/" in name or name.startswith(".") or not entry.is_file():
        raise HTTPError(404, f"no such file: /static/{name}")
    content_type = STATIC_TYPES.get(entry.suffix, "application/octet-stream")
    body, gzipped = _loaded(entry, entry.stat().st_mtime_ns)
    return Response(
        200,
        body,
        content_type,
        {"Cache-Control": "no-cache" if name.endswith(".html") else "max-age=3600"},
        gzipped=gzipped,
    )


@cache
def _loaded(entry: Path, mtime: int) -> tuple[bytes, bytes]:
    """A bundled file and its gzip form, read and compressed once (the query page's script
    is 1 MB: 0.3 MB compressed)."""
    body = entry.read_bytes()
    return body, gzip.compress(body, compresslevel=9, mtime=0)
