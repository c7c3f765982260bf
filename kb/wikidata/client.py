"""A client for the Wikidata SPARQL endpoint that behaves the way Wikidata asks.

Wikidata's query service (https://query.wikidata.org/sparql) wants a descriptive
User-Agent with a way to reach the operator, clients that back off on 429 and 5xx (and honour
``Retry-After``), and no needless repeats. So every request here:

- carries ``User-Agent: event-kb/VERSION (https://w3id.org/event-kb; CONTACT)``; set
  ``KB_WIKIDATA_CONTACT`` to your e-mail address;
- times out (30 s by default; WDQS itself stops queries at 60 s);
- is retried at most ``max_retries`` times on 429, 500, 502, 503, 504 and network errors,
  waiting ``Retry-After`` when the server sends it, else 1 s, 2 s, 4 s, ... (capped);
- is cached on disk, keyed by endpoint and query text, so a second run makes no request.
  The cache lives in ``$KB_WIKIDATA_CACHE``, else ``$XDG_CACHE_HOME/event-kb/wikidata``
  (``~/.cache/event-kb/wikidata``). Each entry remembers when it was fetched: that is the
  retrieval date the enrichment graph records.

The endpoint is ``--endpoint``, else ``$KB_WIKIDATA_SPARQL``, else the public one; point it
at a mirror or a local copy (the tests use ``oxigraph serve`` on loopback).

Only the SPARQL endpoint is used (not ``wbsearchentities``): candidate search is an exact
label-or-alias match in each language the entity has, which WDQS answers from its label index.

This module imports no HTTP code until a request is made. Where a ``SERVICE`` block of a
query goes is ``kb.sparql.federation``'s business, not this client's.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kb.errors import KBError
from kb.namespaces import WD, XSD
from kb.sparql.federation import endpoint_from_env

PROJECT_URL = "https://w3id.org/event-kb"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_DELAY = 120.0
"""Longest wait between two attempts, even if Retry-After asks for more."""


class WikidataError(KBError):
    """Wikidata could not be asked: the server refused, kept failing, or answered garbage."""


class NotCached(WikidataError):
    """Offline, and the cache holds no answer to this query."""


def default_cache_dir() -> Path:
    """``$KB_WIKIDATA_CACHE``, else ``$XDG_CACHE_HOME/event-kb/wikidata``."""
    explicit = os.environ.get("KB_WIKIDATA_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "event-kb" / "wikidata"


def user_agent() -> str:
    """The User-Agent Wikidata's policy asks for: tool, version, project URL, contact."""
    from kb import __version__

    contact = os.environ.get("KB_WIKIDATA_CONTACT") or f"{PROJECT_URL}/issues"
    return f"event-kb/{__version__} ({PROJECT_URL}; {contact}) python-urllib"


def values_clause(variable: str, terms: Iterable[Any]) -> str:
    """``VALUES (?var) { (term) ... }`` to append to a query sent over HTTP.

    The SPARQL protocol has no parameters, so the values are written in N-Triples syntax by
    pyoxigraph's own term serialisation (``str(term)``), which escapes quotes and newlines:
    a name can never break out of its literal.
    """
    rows = " ".join(f"({term})" for term in terms)
    return f"\nVALUES (?{variable}) {{ {rows} }}\n"


@dataclass(frozen=True)
class WikidataAnswer:
    """One SELECT answer: its rows as pyoxigraph terms, and when the server gave it."""

    rows: list[dict[str, Any]]
    retrieved: datetime
    from_cache: bool


class WikidataClient:
    """SELECT queries against a Wikidata SPARQL endpoint, politely and with a disk cache.

    ``offline=True`` answers from the cache only and raises :class:`NotCached` otherwise.
    ``requests`` counts the HTTP requests actually sent (retries included).
    """

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        cache_dir: Path | None = None,
        offline: bool = False,
        timeout: float = 30.0,
        max_retries: int = 4,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoint = endpoint_from_env(endpoint)
        self.cache_dir = cache_dir if cache_dir is not None else default_cache_dir()
        self.offline = offline
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.sleep = sleep
        self.requests = 0
        self.cache_hits = 0

    # -- the cache -------------------------------------------------------------------------

    def _cache_path(self, sparql: str) -> Path:
        key = hashlib.sha256(f"{self.endpoint}\n{sparql}".encode()).hexdigest()
        return self.cache_dir / key[:2] / f"{key}.json"

    def _cached(self, sparql: str) -> tuple[bytes, datetime] | None:
        path = self._cache_path(sparql)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            return entry["body"].encode("utf-8"), datetime.fromisoformat(entry["retrieved"])
        except (OSError, ValueError, KeyError):
            return None  # absent or damaged: ask again

    def _store(self, sparql: str, body: bytes, retrieved: datetime) -> None:
        path = self._cache_path(sparql)
        path.parent.mkdir(parents=True, exist_ok=True)
        entry = {
            "endpoint": self.endpoint,
            "query": sparql,
            "retrieved": retrieved.isoformat(),
            "body": body.decode("utf-8"),
        }
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)  # atomic: a killed run leaves no half-written entry

    # -- asking ----------------------------------------------------------------------------

    def select(self, sparql: str) -> WikidataAnswer:
        """Run a SELECT query; rows are dicts of variable name → pyoxigraph term (or None)."""
        from pyoxigraph import QueryResultsFormat, QuerySolutions, parse_query_results

        cached = self._cached(sparql)
        if cached is not None:
            self.cache_hits += 1
            body, retrieved = cached
        elif self.offline:
            raise NotCached(f"offline and not in the cache ({self.cache_dir})")
        else:
            body = self._fetch(sparql)
            retrieved = datetime.now(UTC).replace(microsecond=0)
            self._parse_check(body)
            self._store(sparql, body, retrieved)
        results = parse_query_results(body, format=QueryResultsFormat.JSON)
        assert isinstance(results, QuerySolutions)
        names = [v.value for v in results.variables]
        rows = [{n: row[n] for n in names} for row in results]
        return WikidataAnswer(rows, retrieved, cached is not None)

    def _parse_check(self, body: bytes) -> None:
        from pyoxigraph import QueryResultsFormat, parse_query_results

        try:
            list(parse_query_results(body, format=QueryResultsFormat.JSON))
        except (SyntaxError, ValueError) as err:
            raise WikidataError(
                f"{self.endpoint} sent something that is not SPARQL JSON results: {err}"
            ) from None

    def _fetch(self, sparql: str) -> bytes:
        import urllib.error
        import urllib.parse
        import urllib.request

        data = urllib.parse.urlencode({"query": sparql}).encode("utf-8")
        headers = {
            "User-Agent": user_agent(),
            "Accept": "application/sparql-results+json",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        attempt = 0
        while True:
            request = urllib.request.Request(self.endpoint, data=data, headers=headers)
            self.requests += 1
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return response.read()
            except urllib.error.HTTPError as err:
                detail = err.read(300).decode("utf-8", "replace").strip().splitlines()
                message = f"{self.endpoint}: HTTP {err.code} {err.reason}"
                if detail:
                    message += f": {detail[0]}"
                if err.code not in RETRY_STATUSES or attempt >= self.max_retries:
                    tried = f" (after {attempt + 1} attempts)" if attempt else ""
                    raise WikidataError(message + tried) from None
                delay = retry_after(err.headers.get("Retry-After"))
            except (urllib.error.URLError, TimeoutError, ConnectionError) as err:
                reason = getattr(err, "reason", err)
                if attempt >= self.max_retries:
                    raise WikidataError(
                        f"{self.endpoint}: {reason} (after {attempt + 1} attempts)"
                    ) from None
                delay = None
            if delay is None:
                delay = self.backoff * 2**attempt
            self.sleep(min(delay, MAX_DELAY))
            attempt += 1


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def xsd_datetime(when: datetime) -> Any:
    """An ``xsd:dateTime`` literal in UTC to the second (``2026-11-28T14:00:00Z``)."""
    from pyoxigraph import Literal, NamedNode

    text = when.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return Literal(text, datatype=NamedNode(XSD + "dateTime"))


def qid(iri: str) -> str:
    """``Q182477`` for ``http://www.wikidata.org/entity/Q182477``."""
    return iri.removeprefix(WD)


def item_iri(qid_text: str) -> str:
    return WD + qid_text


def with_values(sparql: str, variable: str, terms: Sequence[Any]) -> str:
    """``sparql`` with a trailing VALUES block binding ``variable`` (see values_clause)."""
    return sparql.rstrip() + values_clause(variable, terms)
