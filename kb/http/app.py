"""``kb serve``: a SPARQL 1.1 Protocol endpoint and a query page over a ``KB`` (stdlib only).

Routes (docs/server.md has examples and the status codes):

- ``GET|POST /sparql`` (also ``/query``, Oxigraph's name): the query operation: GET
  ``?query=``, POST form-encoded, POST ``application/sparql-query``. Answers are
  negotiated from ``Accept`` (or ``?format=json|xml|csv|tsv|turtle|ntriples|jsonld|trig|
  rdfxml``). Without a query: the service description (Turtle by default).
- ``GET /``: the query page (YASGUI, bundled in kb/http/static), or the service description
  when ``Accept`` prefers RDF.
- ``GET /queries``: the canned queries and their parameters as JSON;
  ``GET /queries/NAME.rq?param=value``: the query text with the parameters bound;
  ``GET /ask/NAME?param=value``: its answer (SPARQL JSON unless ``Accept`` says otherwise).
- ``GET /health``: ``{"status": "ok", ...}``.
- ``POST /update`` (SPARQL Update) and ``PUT|POST|DELETE /store?graph=IRI`` (Graph Store
  Protocol) only with ``allow_update`` and the bearer token; ``GET /store?graph=IRI``
  reads a graph.

Each query runs in a worker thread with a deadline and a cap on rows; past either, the
caller gets 503 or 413 with a message. pyoxigraph releases the GIL while it evaluates, so
the server keeps answering meanwhile. A query that streams its rows stops at the deadline;
one that must sort or aggregate everything first cannot be interrupted from Python and
finishes in the background, holding one of the ``workers`` until it does.
"""

from __future__ import annotations

import hmac
import io
import json
import sys
import threading
import time
import traceback
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
    parse,
    parse_query_results,
    serialize,
)

from kb import __version__
from kb.api import KB
from kb.errors import KBError, ParameterError, QueryError, UnknownQuery
from kb.namespaces import PREFIXES, XSD
from kb.sparql.catalogue import canned_queries, get_canned, internal_query
from kb.sparql.text import find_keyword, substitute, with_prefixes
from kb.store.backend import QueryResult

DRAIN_LIMIT = 64 * 1024 * 1024
"""An oversized body up to this size is read and dropped, so the client sees the 413."""
STATIC = Path(__file__).resolve().parent / "static"
SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# media type → (short name, pyoxigraph format); the first of each table is the default
SOLUTION_TYPES: dict[str, tuple[str, QueryResultsFormat]] = {
    "application/sparql-results+json": ("json", QueryResultsFormat.JSON),
    "application/sparql-results+xml": ("xml", QueryResultsFormat.XML),
    "text/csv": ("csv", QueryResultsFormat.CSV),
    "text/tab-separated-values": ("tsv", QueryResultsFormat.TSV),
    "application/json": ("json", QueryResultsFormat.JSON),
    "application/xml": ("xml", QueryResultsFormat.XML),
}
GRAPH_TYPES: dict[str, tuple[str, RdfFormat]] = {
    "text/turtle": ("turtle", RdfFormat.TURTLE),
    "application/n-triples": ("ntriples", RdfFormat.N_TRIPLES),
    "application/ld+json": ("jsonld", RdfFormat.JSON_LD),
    "application/trig": ("trig", RdfFormat.TRIG),
    "application/rdf+xml": ("rdfxml", RdfFormat.RDF_XML),
    "application/n-quads": ("nquads", RdfFormat.N_QUADS),
    "text/plain": ("ntriples", RdfFormat.N_TRIPLES),
}
STATIC_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
}


@dataclass(frozen=True)
class ServerConfig:
    """What ``kb serve``'s options set; the defaults are the safe ones."""

    timeout: float = 30.0
    """Seconds a query may run before the caller gets 503."""
    max_results: int = 10_000
    """Rows (SELECT) or triples (CONSTRUCT/DESCRIBE) an answer may have; more is 413."""
    max_body: int = 10 * 1024 * 1024
    """Bytes a request body may have; more is 413."""
    allow_update: bool = False
    token: str | None = None
    allow_federation: bool = False
    workers: int = 4
    """Queries evaluated at once; more wait (and time out) in line."""
    log: Any = field(default=None, repr=False)
    """Where the access log goes (a text stream); standard error when None."""


class HTTPError(Exception):
    """An answer other than 2xx, with a message a person can read."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass
class Answer:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


# -- content negotiation --------------------------------------------------------------------


def _accepted(accept: str) -> list[str]:
    """Media ranges of an Accept header, best first (q=0 dropped; stable for ties)."""
    ranges: list[tuple[float, int, str]] = []
    for i, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media and q > 0:
            ranges.append((-q, i, media.lower()))
    return [media for _, _, media in sorted(ranges)]


def negotiate(accept: str | None, fmt: str | None, offered: dict[str, Any]) -> str:
    """The media type of ``offered`` to answer with; HTTPError 406 when none fits."""
    if fmt:
        for media, (name, _) in offered.items():
            if name == fmt or media == fmt:
                return media
        names = sorted({name for name, _ in offered.values()})
        raise HTTPError(406, f"format={fmt} is not offered here; use one of {', '.join(names)}")
    default = next(iter(offered))
    for media in _accepted(accept or "*/*"):
        if media in offered:
            return media
        if media == "*/*":
            return default
        if media.endswith("/*"):
            prefix = media[:-1]
            for candidate in offered:
                if candidate.startswith(prefix):
                    return candidate
    listed = ", ".join(m for m in offered if m not in ("application/json", "application/xml"))
    raise HTTPError(406, f"cannot answer in {accept}; this answer is available as {listed}")


# -- evaluation (in a worker thread) --------------------------------------------------------


class TooLarge(Exception):
    pass


class Expired(Exception):
    pass


def _term_json(term: Any) -> dict[str, Any]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value not in (XSD + "string", RDF_LANG_STRING):
            out["datatype"] = term.datatype.value
        return out
    assert isinstance(term, Triple)
    return {
        "type": "triple",
        "value": {
            "subject": _term_json(term.subject),
            "predicate": _term_json(term.predicate),
            "object": _term_json(term.object),
        },
    }


def _bounded(items: Any, cap: int | None, deadline: float) -> list[Any]:
    """Up to ``cap`` items; TooLarge past it, Expired once the deadline has passed."""
    out = []
    for item in items:
        out.append(item)
        if cap is not None and len(out) > cap:
            raise TooLarge
        if len(out) % 256 == 0 and time.monotonic() > deadline:
            raise Expired
    return out


def render(
    raw: QuerySolutions | QueryBoolean | QueryTriples,
    media: Callable[[str], str],
    cap: int | None,
    deadline: float,
) -> Answer:
    """Serialise one result. ``media(kind)`` negotiates for "solutions" or "graph"."""
    out = io.BytesIO()
    if isinstance(raw, QueryTriples):
        chosen = media("graph")
        _, rdf_format = GRAPH_TYPES[chosen]
        triples = _bounded(raw, cap, deadline)
        items: list[Any] = triples
        if rdf_format.supports_datasets:
            items = [Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples]
        serialize(
            items,
            out,
            rdf_format,
            prefixes=PREFIXES if rdf_format in (RdfFormat.TURTLE, RdfFormat.TRIG) else None,
        )
    else:
        chosen = media("solutions")
        _, results_format = SOLUTION_TYPES[chosen]
        if isinstance(raw, QuerySolutions):
            # rows are collected under the cap, then written back through pyoxigraph's own
            # writers (by way of SPARQL JSON) so every format stays standard
            names = [v.value for v in raw.variables]
            rows = _bounded(raw, cap, deadline)
            document = {
                "head": {"vars": names},
                "results": {
                    "bindings": [
                        {n: _term_json(row[n]) for n in names if row[n] is not None} for row in rows
                    ]
                },
            }
            raw = parse_query_results(json.dumps(document).encode(), QueryResultsFormat.JSON)
        raw.serialize(out, results_format)
    charset = "; charset=utf-8" if not chosen.endswith(("+xml", "/xml")) else ""
    return Answer(200, out.getvalue(), chosen + charset)


def _in_worker(
    produce: Callable[[], QueryResult],
    media: Callable[[str], str],
    cap: int | None,
    deadline: float,
) -> Answer:
    """Evaluate and render in the worker thread, and let go of the result there.

    pyoxigraph's result iterators must be dropped on the thread that made them; an
    exception's traceback would carry them to the handler thread, so its frames are
    cleared here first.
    """
    try:
        return render(produce(), media, cap, deadline)
    except BaseException as err:
        traceback.clear_frames(err.__traceback__)
        raise


# -- the server -----------------------------------------------------------------------------


class KBServer(ThreadingHTTPServer):
    """The HTTP server; one ``Handler`` per request, queries on ``executor``."""

    daemon_threads = True

    def __init__(self, kb: KB, address: tuple[str, int], config: ServerConfig) -> None:
        if config.allow_update and not config.token:
            raise KBError("--allow-update needs a token: --token or $KB_TOKEN")
        self.kb = kb
        self.config = config
        self.executor = ThreadPoolExecutor(max_workers=config.workers, thread_name_prefix="query")
        self.write_lock = threading.Lock()
        self.served = 0
        super().__init__(address, Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def server_close(self) -> None:
        super().server_close()
        self.executor.shutdown(wait=False, cancel_futures=True)

    def run(
        self, produce: Callable[[], QueryResult], media: Callable[[str], str], capped: bool = True
    ) -> Answer:
        """Evaluate ``produce()`` and render it on a worker; 503 when the deadline passes."""
        timeout = self.config.timeout
        deadline = time.monotonic() + timeout
        cap = self.config.max_results if capped else None
        future = self.executor.submit(_in_worker, produce, media, cap, deadline)
        try:
            return future.result(timeout=timeout)
        except FutureTimeout:
            future.cancel()
            raise HTTPError(
                503,
                f"the query did not finish within {timeout:g} s (kb serve --timeout); "
                "narrow it down or add a LIMIT",
                {"Retry-After": str(max(1, round(timeout)))},
            ) from None
        except Expired:
            raise HTTPError(
                503, f"the query did not finish within {timeout:g} s (kb serve --timeout)"
            ) from None
        except TooLarge:
            raise HTTPError(
                413,
                f"the answer has more than {self.config.max_results} results "
                "(kb serve --max-results); add a LIMIT",
            ) from None


def make_server(
    kb: KB, host: str = "127.0.0.1", port: int = 7878, config: ServerConfig | None = None
) -> KBServer:
    """A server bound to ``host:port`` (0 picks a free port); call ``serve_forever()``."""
    return KBServer(kb, (host, port), config or ServerConfig())


class Handler(BaseHTTPRequestHandler):
    server: KBServer
    server_version = f"event-kb/{__version__}"

    # -- plumbing --------------------------------------------------------------------------

    def setup(self) -> None:
        # A client silent for --timeout seconds (mid-request or idle between requests) is
        # cut off, so slow or lying clients cannot hold threads for ever.
        self.timeout = max(self.server.config.timeout, 1.0)
        super().setup()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """One line per request in the Common Log Format, on standard error."""
        when = time.strftime("%d/%b/%Y:%H:%M:%S %z", time.localtime())
        status = code.value if isinstance(code, HTTPStatus) else code
        line = f'{self.address_string()} - - [{when}] "{self.requestline}" {status} {size}\n'
        (self.server.config.log or sys.stderr).write(line)

    def _send(self, answer: Answer) -> None:
        self.server.served += 1
        self.send_response_only(answer.status)
        self.log_request(answer.status, len(answer.body))
        self.send_header("Server", self.version_string())
        self.send_header("Date", self.date_time_string())
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        for key, value in answer.headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)

    def _error(self, err: HTTPError) -> None:
        body = f"{err.status} {HTTPStatus(err.status).phrase}: {err.message}\n"
        self._send(Answer(err.status, body.encode(), "text/plain; charset=utf-8", err.headers))

    def _dispatch(self) -> None:
        try:
            parsed = urllib.parse.urlsplit(self.path)
            self.params = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
            self._send(self._route(parsed.path))
        except HTTPError as err:
            self._error(err)
        except (ParameterError, QueryError) as err:
            self._error(HTTPError(400, str(err)))
        except UnknownQuery as err:
            self._error(HTTPError(404, str(err)))
        except KBError as err:
            self._error(HTTPError(500, str(err)))

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _dispatch

    def do_OPTIONS(self) -> None:
        self._send(
            Answer(
                204,
                b"",
                "text/plain",
                {
                    "Allow": "GET, POST, PUT, DELETE, OPTIONS",
                    "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
                    "Access-Control-Allow-Headers": "Accept, Authorization, Content-Type",
                },
            )
        )

    def _param(self, name: str) -> str | None:
        values = self.params.get(name)
        return values[-1] if values else None

    def _body(self) -> bytes:
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            raise HTTPError(411, "a request body needs a Content-Length")
        length = int(length_header) if length_header.strip().isdigit() else -1
        if length < 0:
            self.close_connection = True
            raise HTTPError(400, f"Content-Length is not a number of bytes: {length_header!r}")
        limit = self.server.config.max_body
        if length > limit:
            self.close_connection = True
            _drain(self.rfile, min(length, DRAIN_LIMIT))  # so the client reads the answer
            raise HTTPError(
                413,
                f"the request body has {length} bytes; this server takes at most {limit} "
                "(kb serve --max-body)",
            )
        try:
            return self.rfile.read(length)
        except TimeoutError:
            self.close_connection = True
            raise HTTPError(
                408, f"the request body did not arrive ({length} bytes announced)"
            ) from None

    def _media_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def _methods(self, *allowed: str) -> None:
        if self.command not in allowed:
            raise HTTPError(
                405,
                f"{self.command} is not allowed here; use {', '.join(allowed)}",
                {"Allow": ", ".join(allowed)},
            )

    def _negotiator(self) -> Callable[[str], str]:
        accept = self.headers.get("Accept")
        fmt = self._param("format")
        return lambda kind: negotiate(
            accept, fmt, GRAPH_TYPES if kind == "graph" else SOLUTION_TYPES
        )

    def _check_remote_fetch(self, sparql: str, keywords: tuple[str, ...]) -> None:
        if self.server.config.allow_federation:
            return
        found = find_keyword(sparql, keywords)
        if found:
            keyword, line = found
            raise HTTPError(
                403,
                f"{keyword} (line {line}) would make this server fetch a URL; federation is "
                "off (kb serve --allow-federation turns it on)",
            )

    def _authorise_write(self) -> None:
        config = self.server.config
        if not config.allow_update:
            raise HTTPError(
                403,
                "this server is read-only; start it with --allow-update and "
                "a token to accept updates",
            )
        given = self.headers.get("Authorization", "")
        scheme, _, token = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            token.strip().encode(), (config.token or "").encode()
        ):
            raise HTTPError(
                401,
                "updates need the server's token: Authorization: Bearer TOKEN",
                {"WWW-Authenticate": 'Bearer realm="kb"'},
            )

    # -- routes ----------------------------------------------------------------------------

    def _route(self, path: str) -> Answer:
        if path in ("/sparql", "/query"):
            return self._query()
        if path == "/":
            self._methods("GET", "HEAD")
            accept = _accepted(self.headers.get("Accept") or "")
            html = next((i for i, m in enumerate(accept) if m in ("text/html", "*/*")), 99)
            rdf = next((i for i, m in enumerate(accept) if m in GRAPH_TYPES), 99)
            return self._service_description() if rdf < html else self._static("index.html")
        if path.startswith("/static/"):
            self._methods("GET", "HEAD")
            return self._static(path.removeprefix("/static/"))
        if path == "/health":
            self._methods("GET", "HEAD")
            body = {
                "status": "ok",
                "version": __version__,
                "store": self.server.kb.location,
                "read_only": not self.server.config.allow_update,
            }
            return _json(body)
        if path == "/queries":
            self._methods("GET", "HEAD")
            return _json([_describe(c) for c in canned_queries().values()])
        if path.startswith("/queries/") and path.endswith(".rq"):
            self._methods("GET", "HEAD")
            return self._bound_text(path.removeprefix("/queries/").removesuffix(".rq"))
        if path.startswith("/ask/"):
            self._methods("GET", "HEAD")
            return self._ask(path.removeprefix("/ask/"))
        if path == "/update":
            return self._update()
        if path == "/store":
            return self._graph_store()
        raise HTTPError(404, f"nothing at {path}; try /, /sparql, /queries or /health")

    def _query(self) -> Answer:
        self._methods("GET", "POST", "HEAD")
        sparql = self._param("query")
        if self.command == "POST":
            media = self._media_type()
            body = self._body()
            if media == "application/sparql-query":
                sparql = body.decode("utf-8")
            elif media == "application/x-www-form-urlencoded":
                form = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True)
                self.params.update(form)
                sparql = self._param("query")
            else:
                raise HTTPError(
                    415,
                    f"POST a query as application/sparql-query or "
                    f"application/x-www-form-urlencoded, not {media or 'nothing'}",
                )
        if sparql is None:
            if self.command == "POST":
                raise HTTPError(400, "no query: give query=...")
            return self._service_description()
        if self.params.get("named-graph-uri"):
            raise HTTPError(
                400, "named-graph-uri is not supported: every named graph is available to GRAPH"
            )
        self._check_remote_fetch(sparql, ("SERVICE",))
        kb = self.server.kb
        default_graphs = set(self.params.get("default-graph-uri", []))
        excluded = (
            [g for g in kb.backend.named_graphs() if g not in default_graphs]
            if default_graphs
            else []
        )
        media = self._negotiator()
        if default_graphs:
            return self.server.run(lambda: kb.backend.query(sparql, exclude_graphs=excluded), media)
        return self.server.run(lambda: kb.query(sparql).raw, media)

    def _ask(self, name: str) -> Answer:
        params = {k: v[-1] for k, v in self.params.items() if k not in ("lang", "format")}
        lang = self._param("lang") or "en"
        kb = self.server.kb
        canned = get_canned(name)  # unknown names fail here, before any work
        media = self._negotiator()
        return self.server.run(lambda: kb.ask(canned.name, params, lang=lang).raw, media)

    def _bound_text(self, name: str) -> Answer:
        """The canned query with its parameters written in, for the page's editor."""
        canned = get_canned(name)
        params = {k: v[-1] for k, v in self.params.items() if k != "lang"}
        bound = self.server.kb.bind(canned, params, lang=self._param("lang") or "en")
        text = substitute(canned.sparql, {k: str(term) for k, term in bound.items()})
        return Answer(
            200,
            with_prefixes(text, PREFIXES, separator="\n").encode(),
            "application/sparql-query; charset=utf-8",
        )

    def _service_description(self) -> Answer:
        config = self.server.config
        host = (
            self.headers.get("Host")
            or f"{self.server.server_address[0]}:{self.server.server_address[1]}"
        )
        endpoint = f"http://{host}/sparql"
        triples = list(
            parse((STATIC / "service.ttl").read_bytes(), RdfFormat.TURTLE, base_iri=endpoint)
        )
        service = NamedNode(endpoint)
        if config.allow_update:
            triples.append(
                Triple(
                    service, NamedNode(SD + "supportedLanguage"), NamedNode(SD + "SPARQL11Update")
                )
            )
        if config.allow_federation:
            triples.append(
                Triple(service, NamedNode(SD + "feature"), NamedNode(SD + "BasicFederatedQuery"))
            )
        chosen = self._negotiator()("graph")
        _, rdf_format = GRAPH_TYPES[chosen]
        items: list[Any] = triples
        if rdf_format.supports_datasets:
            items = [Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples]
        out = io.BytesIO()
        serialize(
            items, out, rdf_format, prefixes={"sd": SD, "xsd": XSD, "dcterms": PREFIXES["dcterms"]}
        )
        return Answer(200, out.getvalue(), chosen + "; charset=utf-8")

    def _static(self, name: str) -> Answer:
        entry = STATIC / name
        if "/" in name or name.startswith(".") or not entry.is_file():
            raise HTTPError(404, f"no such file: /static/{name}")
        content_type = STATIC_TYPES.get(entry.suffix, "application/octet-stream")
        return Answer(
            200,
            entry.read_bytes(),
            content_type,
            {"Cache-Control": "no-cache" if name == "index.html" else "max-age=3600"},
        )

    # -- writes ----------------------------------------------------------------------------

    def _update(self) -> Answer:
        self._methods("POST")
        self._authorise_write()
        media = self._media_type()
        body = self._body()
        if media == "application/sparql-update":
            sparql: str | None = body.decode("utf-8")
        elif media == "application/x-www-form-urlencoded":
            form = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True)
            sparql = form.get("update", [None])[-1]
        else:
            raise HTTPError(
                415,
                "POST an update as application/sparql-update or "
                "application/x-www-form-urlencoded (update=...)",
            )
        if not sparql:
            raise HTTPError(400, "no update: give update=...")
        self._check_remote_fetch(sparql, ("SERVICE", "LOAD"))
        self._write(lambda kb: kb.update(sparql))
        return Answer(204, b"", "text/plain")

    def _graph_store(self) -> Answer:
        self._methods("GET", "HEAD", "PUT", "POST", "DELETE")
        graph = self._param("graph")
        if not graph:
            raise HTTPError(
                400, "name the graph: /store?graph=IRI (the KB keeps every triple in a named graph)"
            )
        try:
            node = NamedNode(graph)
        except ValueError as err:
            raise HTTPError(400, f"graph={graph}: {err}") from None
        kb = self.server.kb
        exists = kb.backend.has_graph(graph)
        if self.command in ("GET", "HEAD"):
            if not exists:
                raise HTTPError(404, f"no graph <{graph}> in this store")
            media = self._negotiator()
            query = internal_query("graph")
            return self.server.run(
                lambda: kb.query(query, {"graph": node}).raw, media, capped=False
            )
        self._authorise_write()
        if self.command == "DELETE":
            if not exists:
                raise HTTPError(404, f"no graph <{graph}> in this store")
            self._write(lambda kb: kb.replace({graph: []}))
            return Answer(204, b"", "text/plain")
        media = self._media_type()
        offered = {m: f for m, (_, f) in GRAPH_TYPES.items()}
        if media not in offered or offered[media].supports_datasets:
            raise HTTPError(
                415,
                f"send the graph as one of text/turtle, application/n-triples,"
                f" application/rdf+xml, application/ld+json, not {media or 'nothing'}",
            )
        body = self._body()
        try:
            triples = list(parse(body, offered[media], base_iri=graph))
        except SyntaxError as err:
            raise HTTPError(400, f"the {media} body does not parse: {err}") from None
        quads = [Quad(t.subject, t.predicate, t.object, node) for t in triples]

        def write(kb: KB) -> None:
            keep: list[Quad] = []
            if self.command == "POST" and exists:
                old = kb.query(internal_query("graph"), {"graph": node}).raw
                keep = [Quad(t.subject, t.predicate, t.object, node) for t in old]
            kb.replace({graph: keep + quads})  # ekg:entities follows the records

        self._write(write)
        return Answer(201 if not exists else 204, b"", "text/plain")

    def _write(self, change: Callable[[KB], None]) -> None:
        """Apply one change, one writer at a time. Every change goes through a ``KB`` write
        (``replace``, ``update``), which keeps ``ekg:entities`` and ``ekg:derived`` in step."""
        with self.server.write_lock:
            change(self.server.kb)


def _drain(stream: Any, length: int) -> None:
    while length > 0:
        try:
            chunk = stream.read(min(length, 65536))
        except TimeoutError:  # the client announced more than it sends: answer anyway
            return
        if not chunk:
            return
        length -= len(chunk)


def _json(value: Any) -> Answer:
    body = json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8")
    return Answer(200, body, "application/json; charset=utf-8")


def _describe(canned: Any) -> dict[str, Any]:
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
