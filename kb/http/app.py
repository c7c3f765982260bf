"""The application behind ``kb serve``: the KB, the server's settings, and the two things
every view shares: evaluation on worker threads under a deadline, and writes one at a time.

Each query runs in a worker thread with a deadline and a cap on rows; past either, the
caller gets 503 or 413 with a message. pyoxigraph releases the GIL while it evaluates, so
the server keeps answering meanwhile. A query that streams its rows stops at the deadline;
one that must sort or aggregate everything first cannot be interrupted from Python and
finishes in the background, holding one of the ``workers`` until it does.
"""

from __future__ import annotations

import hmac
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

from kb.api import KB
from kb.errors import KBError
from kb.http.messages import HTTPError, Request, Response
from kb.http.rendering import Expired, TooLarge, render_in_worker
from kb.sparql.text import find_keyword
from kb.store.backend import QueryResult


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


class App:
    """The KB with the server's settings; what every view is given."""

    def __init__(self, kb: KB, config: ServerConfig) -> None:
        if config.allow_update and not config.token:
            raise KBError("--allow-update needs a token: --token or $KB_TOKEN")
        self.kb = kb
        self.config = config
        self.executor = ThreadPoolExecutor(max_workers=config.workers, thread_name_prefix="query")
        self.write_lock = threading.Lock()

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)

    def run(
        self, produce: Callable[[], QueryResult], media: Callable[[str], str], capped: bool = True
    ) -> Response:
        """Evaluate ``produce()`` and render it on a worker; 503 when the deadline passes."""
        timeout = self.config.timeout
        deadline = time.monotonic() + timeout
        cap = self.config.max_results if capped else None
        future = self.executor.submit(render_in_worker, produce, media, cap, deadline)
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

    def call(self, work: Callable[[], Response]) -> Response:
        """Run ``work`` (a page view's KB calls and its rendering, reading every result to
        the end) on a worker, as ``run`` does for one query; 503 when the deadline passes."""
        timeout = self.config.timeout

        def contained() -> Response:
            try:
                return work()
            except BaseException as err:  # results dropped on this thread, as in run
                traceback.clear_frames(err.__traceback__)
                raise

        future = self.executor.submit(contained)
        try:
            return future.result(timeout=timeout)
        except FutureTimeout:
            future.cancel()
            raise HTTPError(
                503,
                f"the page did not finish within {timeout:g} s (kb serve --timeout)",
                {"Retry-After": str(max(1, round(timeout)))},
            ) from None

    def apply_write(self, change: Callable[[KB], None]) -> None:
        """Apply one change, one writer at a time. Every change goes through a ``KB`` write
        (``replace``, ``update``), which keeps ``ekg:entities`` and ``ekg:derived`` in step."""
        with self.write_lock:
            change(self.kb)

    def authorise_write(self, request: Request) -> None:
        """403 on a read-only server; 401 without the bearer token."""
        config = self.config
        if not config.allow_update:
            raise HTTPError(
                403,
                "this server is read-only; start it with --allow-update and "
                "a token to accept updates",
            )
        given = request.header("Authorization") or ""
        scheme, _, token = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            token.strip().encode(), (config.token or "").encode()
        ):
            raise HTTPError(
                401,
                "updates need the server's token: Authorization: Bearer TOKEN",
                {"WWW-Authenticate": 'Bearer realm="kb"'},
            )

    def refuse_remote_fetch(self, sparql: str, keywords: tuple[str, ...]) -> None:
        """403 for SERVICE (and LOAD in updates) unless federation is on: both make the
        server fetch a URL the caller chose."""
        if self.config.allow_federation:
            return
        found = find_keyword(sparql, keywords)
        if found:
            keyword, line = found
            raise HTTPError(
                403,
                f"{keyword} (line {line}) would make this server fetch a URL; federation is "
                "off (kb serve --allow-federation turns it on)",
            )
