"""``RemoteBackend``: the KB in a SPARQL 1.1 server, spoken to over HTTP with urllib.

Queries go through the SPARQL 1.1 Protocol, writes through the Graph Store HTTP Protocol:
``replace_graphs`` PUTs each named graph (one per article) as N-Triples, so each graph is
replaced all or nothing by the server (on Virtuoso, one SPARQL Update per graph instead).
Answers are parsed by pyoxigraph into the same objects the embedded store returns, so
``kb.sparql.results`` and every command work unchanged.

Where the endpoints are: ``--store http://host:7878`` means Oxigraph server's layout
(``/query``, ``/update``, ``/store``); ``KB_QUERY_URL``, ``KB_UPDATE_URL`` and
``KB_GSP_URL`` name them one by one for other servers (Fuseki, GraphDB, Virtuoso,
Neptune; see docs/server.md). ``KB_TOKEN`` is sent as a bearer token (``kb serve
--allow-update`` wants one); ``KB_USER`` and ``KB_PASSWORD`` answer a server that asks for
HTTP digest or basic authentication (Virtuoso's ``/sparql-auth``).

The server must read the union of its named graphs as the default graph, as the
embedded store does; opening the store checks that and says how to fix it. What a
server does differently (Virtuoso) is handled by its dialect (``kb.store.dialects``), chosen
from the first answer's ``Server`` header.
"""

from __future__ import annotations

import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyoxigraph import (
    NamedNode,
    Quad,
    QueryResultsFormat,
    RdfFormat,
    Store,
    parse,
    parse_query_results,
)

from kb.errors import QueryError, StoreError
from kb.formats import RDF_MEDIA_TYPES, RESULTS_MEDIA_TYPES
from kb.namespaces import ENTITIES_GRAPH, PREFIXES
from kb.sparql.catalogue import internal_query, values_query
from kb.sparql.results import is_true
from kb.sparql.text import find_keyword, quad_data, substitute, with_prefixes
from kb.store.backend import Backend, Dataset, QueryResult
from kb.store.dialects import STANDARD, Dialect, detect

ACCEPT_ANY_RESULT = (
    "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
)
ACCEPT = {
    "SELECT": "application/sparql-results+json",
    "ASK": "application/sparql-results+json",
    "CONSTRUCT": "application/n-triples, text/turtle;q=0.8",
    "DESCRIBE": "application/n-triples, text/turtle;q=0.8",
}
"""What to ask for by query form: a server may answer a CONSTRUCT in SPARQL JSON (as a
table of s, p, o) when that is what the client prefers (Virtuoso does)."""
UPDATE_BATCH = 2000
"""Quads per INSERT DATA / DELETE DATA block (Virtuoso's parser gives up past about 5000)."""
TYPES_BATCH = 200
"""Entities per types_of request: keeps each query well under any server's size limit."""


@dataclass(frozen=True)
class Endpoints:
    """The three URLs a SPARQL server offers: query, update, graph store."""

    query: str
    update: str
    gsp: str

    @classmethod
    def for_url(cls, url: str) -> Endpoints:
        """Oxigraph's layout under ``url``, each overridable by its environment variable."""
        base = url.rstrip("/")
        return cls(
            os.environ.get("KB_QUERY_URL") or base + "/query",
            os.environ.get("KB_UPDATE_URL") or base + "/update",
            os.environ.get("KB_GSP_URL") or base + "/store",
        )


class RemoteBackend(Backend):
    """A SPARQL 1.1 server holding the KB (see the module docstring)."""

    read_only = False  # the server decides; a refused write is a StoreError
    transactional = False  # each graph is replaced on its own (one request each)
    path = None

    def __init__(self, url: str, *, timeout: float | None = None) -> None:
        self.location = url
        self.endpoints = Endpoints.for_url(url)
        self.token = os.environ.get("KB_TOKEN")
        self._opener = _opener(self.endpoints)
        self.timeout = timeout or float(os.environ.get("KB_HTTP_TIMEOUT", "300"))
        self.dialect: Dialect = STANDARD
        self.server: str | None = None
        """The ``Server`` header of the server's first answer (it chooses the dialect)."""
        self.max_rows = 0  # the most triples in one answer, when the server cuts answers
        self._check_union_default_graph()
        self.max_rows = self._max_rows()

    @property
    def maintains_derived(self) -> bool:
        """Another ``kb serve`` (its ``Server`` header says ``event-kb/``) derives for itself."""
        return (self.server or "").startswith("event-kb/")

    # -- HTTP ------------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[str, bytes]:
        """One HTTP exchange; the response's media type and body, or a KB error."""
        all_headers = dict(headers or {})
        if self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(url, data=body, headers=all_headers, method=method)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                if self.server is None:
                    self.server = response.headers.get("Server", "")
                    self.dialect = detect(self.server)
                limit = response.headers.get("X-SPARQL-MaxRows")  # Virtuoso's, for tables
                if limit:
                    raise _cut_short(method, url, limit)
                media = response.headers.get_content_type()
                body = response.read()
                cut = self.max_rows and body.count(b"\n") >= self.max_rows
                if cut and media in RDF_MEDIA_TYPES:
                    raise _cut_short(method, url, self.max_rows)  # a graph: no header
                return media, body
        except urllib.error.HTTPError as err:
            message = " ".join(err.read().decode("utf-8", "replace").split())[:500]
            where = f"{method} {url}: HTTP {err.code}"
            if err.code == 400:
                raise QueryError(f"the server refused the request ({where}): {message}") from None
            if err.code in (401, 403):
                raise StoreError(
                    f"the server refused access ({where}): {message}; set KB_TOKEN if it "
                    "needs a token, KB_USER and KB_PASSWORD if it needs a user"
                ) from None
            raise StoreError(f"the server failed ({where}): {message}") from None
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise StoreError(f"cannot reach the SPARQL server at {url}: {reason}") from None

    # -- the Backend protocol --------------------------------------------------------------

    def query(
        self,
        sparql: str,
        substitutions: dict[Any, Any] | None = None,
        dataset: Dataset | None = None,
    ) -> QueryResult:
        """Run a query over the union of all graphs (the server's default graph), or over
        the ``dataset`` named with the protocol's parameters."""
        text, shipped = self.dialect.rewrite(sparql)
        text = with_prefixes(text, PREFIXES)
        if shipped:
            text = self.dialect.pragma + text
        if substitutions:
            text = substitute(text, {var.value: str(term) for var, term in substitutions.items()})
        form = [("query", text)]
        if dataset is not None:
            form += [("default-graph-uri", g) for g in dataset.default]
            form += [("named-graph-uri", g) for g in dataset.named]
        media, body = self._request(
            "POST",
            self.endpoints.query,
            urllib.parse.urlencode(form).encode("utf-8"),
            {"Content-Type": "application/x-www-form-urlencoded", "Accept": _accept(text)},
        )
        return _parse_answer(media, body, self.dialect)

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update at the update endpoint."""
        self._request(
            "POST",
            self.endpoints.update,
            with_prefixes(sparql, PREFIXES).encode("utf-8"),
            {"Content-Type": "application/sparql-update"},
        )

    def write(
        self,
        content: dict[str, list[bytes]],
        *,
        insert: Sequence[Quad] = (),
        delete: Sequence[Quad] = (),
    ) -> None:
        """Replace each graph in one request (N-Triples lines; an empty graph is dropped):
        a Graph Store PUT, or (dialects that write by update) one SPARQL Update that drops
        the graph and inserts its triples; then one update per batch of quads deletes and
        inserts the rest.

        A PUT is all or nothing on Oxigraph. Virtuoso's PUT clears the graph and commits
        before it loads, so there a graph is written by update (one transaction), unless
        it holds blank nodes: Virtuoso refuses them in ``INSERT DATA``, so that graph (the
        ontology) is PUT.
        """
        for graph, lines in content.items():
            if not lines:
                self.update(f"DROP SILENT GRAPH <{graph}>")
            elif self.dialect.writes == "update" and not any(map(_has_blank_node, lines)):
                inserts = [
                    f"INSERT DATA {{ GRAPH <{graph}> {{ "
                    + b" ".join(lines[start : start + UPDATE_BATCH]).decode("utf-8")
                    + " } }"
                    for start in range(0, len(lines), UPDATE_BATCH)
                ]
                self.update(" ;\n".join([f"DROP SILENT GRAPH <{graph}>", *inserts]))
            else:
                body = b"\n".join(lines) + b"\n"
                headers = {"Content-Type": "application/n-triples"}
                self._request("PUT", self._graph_url(graph), body, headers)
        for start in range(0, max(len(delete), len(insert)), UPDATE_BATCH):
            parts = [
                f"{verb} DATA {{ {quad_data(quads[start : start + UPDATE_BATCH])} }}"
                for verb, quads in (("DELETE", delete), ("INSERT", insert))
                if quads[start : start + UPDATE_BATCH]
            ]
            self.update(" ;\n".join(parts))

    @contextmanager
    def trial(self) -> Iterator[None]:
        """A server cannot be copied: a write is checked after the server has made it."""
        yield None

    def named_graphs(self) -> list[str]:
        result = self.query(internal_query("named-graphs"))
        return sorted(row["graph"].value for row in result if isinstance(row["graph"], NamedNode))

    def existing_graphs(self, graphs: Iterable[str]) -> set[str]:
        return {
            row["graph"].value
            for batch in _batches(sorted(set(graphs)))
            for row in self.query(values_query("existing-graphs", "graph", batch))
        }

    def types_of(self, iris: list[str], exclude_graph: str | None) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        shared: dict[str, set[str]] = {}  # from ekg:entities: maybe only exclude_graph's
        for batch in _batches(iris):
            for solution in self.query(values_query("types-of", "entity", batch)):
                graph = solution["graph"].value
                if graph == exclude_graph:
                    continue
                into = shared if exclude_graph and graph == ENTITIES_GRAPH else found
                into.setdefault(solution["entity"].value, set()).add(solution["type"].value)
        elsewhere = {
            row["entity"].value
            for batch in _batches(sorted(shared))
            for row in self.query(values_query("definers", "entity", batch))
            if row["article"].value != exclude_graph
        }
        for iri in elsewhere:
            found.setdefault(iri, set()).update(shared[iri])
        return found

    def graph_quads(self, graphs: list[str] | None) -> Iterator[Quad]:
        """GET each graph from the graph store."""
        return self._quads(graphs if graphs is not None else self.named_graphs())

    def snapshot(self, target: Path) -> None:
        raise StoreError("a SPARQL server keeps its own copies; there is no snapshot of it")

    def close(self) -> None:
        """Nothing to release: every request opens and closes its own connection."""

    # -- helpers ---------------------------------------------------------------------------

    def _graph_url(self, graph: str) -> str:
        return self.endpoints.gsp + "?" + urllib.parse.urlencode({"graph": graph})

    def _quads(self, names: list[str]) -> Iterator[Quad]:
        for name in names:
            media, body = self._request(
                "GET", self._graph_url(name), headers={"Accept": "application/n-triples"}
            )
            graph = NamedNode(name)
            # blank node labels are only unique within one response: rename them
            for triple in parse(
                body, RDF_MEDIA_TYPES.get(media, RdfFormat.N_TRIPLES), rename_blank_nodes=True
            ):
                yield Quad(triple.subject, triple.predicate, triple.object, graph)

    def _max_rows(self) -> int:
        """The most triples in one answer of the server (0: no limit known)."""
        if not self.dialect.max_rows:
            return 0
        row = next(iter(self.query(self.dialect.own_query("row-limit"))))
        configured = int(row["limit"].value) if row["limit"] is not None else 0
        return min(configured, self.dialect.max_rows) if configured > 0 else self.dialect.max_rows

    def _check_union_default_graph(self) -> None:
        row = next(iter(self.query(internal_query("union-check"))))
        if is_true(row["named"]) and not is_true(row["union"]):
            raise StoreError(
                f"the SPARQL server at {self.location} does not read the union of its named "
                "graphs as its default graph; start it that way (oxigraph serve "
                "--union-default-graph; Fuseki: tdb2:unionDefaultGraph true; see "
                "docs/server.md)"
            )


def _batches(iris: list[str]) -> Iterator[list[NamedNode]]:
    for start in range(0, len(iris), TYPES_BATCH):
        yield [NamedNode(i) for i in iris[start : start + TYPES_BATCH]]


def _opener(endpoints: Endpoints) -> urllib.request.OpenerDirector:
    """urllib's opener; with ``$KB_USER`` it answers digest and basic challenges from the
    endpoints (urllib asks first without credentials, then again with them)."""
    user = os.environ.get("KB_USER")
    if not user:
        return urllib.request.build_opener()
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    for url in {endpoints.query, endpoints.update, endpoints.gsp}:
        passwords.add_password(None, url, user, os.environ.get("KB_PASSWORD", ""))
    return urllib.request.build_opener(
        urllib.request.HTTPDigestAuthHandler(passwords),
        urllib.request.HTTPBasicAuthHandler(passwords),
    )


def _cut_short(method: str, url: str, limit: object) -> StoreError:
    return StoreError(
        f"the server's answer to {method} {url} reached its limit of {limit} rows, so it may "
        "be cut short; raise the limit (Virtuoso: ResultSetMaxRows in the [SPARQL] section "
        "of virtuoso.ini)"
    )


def _accept(sparql: str) -> str:
    form = find_keyword(sparql, ACCEPT)
    return ACCEPT[form[0]] if form else ACCEPT_ANY_RESULT


_BLANK_NODE = re.compile(rb"(?:^|\s)_:\S")


def _has_blank_node(line: bytes) -> bool:
    """Whether an N-Triples line holds a blank node (``_:b0`` as subject or object; a
    literal that happens to hold `` _:`` counts too, which only means a PUT)."""
    return _BLANK_NODE.search(line) is not None


def _parse_answer(media: str, body: bytes, dialect: Dialect = STANDARD) -> QueryResult:
    """SELECT/ASK answers from SPARQL JSON; graphs through an in-memory store.

    The in-memory store turns parsed triples into the ``QueryTriples`` that the embedded
    store returns for CONSTRUCT, so callers cannot tell the two backends apart.
    """
    if media in RESULTS_MEDIA_TYPES:
        results_format = RESULTS_MEDIA_TYPES[media]
        if results_format == QueryResultsFormat.JSON:
            body = dialect.fix_json(body)
        return parse_query_results(body, results_format)
    if media in RDF_MEDIA_TYPES:
        store = Store()
        store.load(body, RDF_MEDIA_TYPES[media])
        return store.query(internal_query("all-triples"))
    raise StoreError(f"the SPARQL server answered with an unexpected media type {media!r}")
