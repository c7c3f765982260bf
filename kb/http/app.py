"""The application behind ``kb serve``: where the KB lives, the server's settings, and the
only ways a view may use the KB: ``run`` and ``call`` (read), ``write`` (change).

No view touches the store from the HTTP process. Each piece of KB work is a module-level
function ``task(kb, *args)``, sent to a worker process (``kb.workers``):

- **readers**: ``--workers`` processes (and a spare), each with a read-only view of the
  latest *snapshot* of the store. ``run`` evaluates and renders an answer there under the
  deadline (``--timeout``) and the result cap, ``call`` returns a task's plain value. Past
  the deadline the reader is killed (its CPU and memory are freed at once) and the spare
  takes its place; the caller gets 503. A reader that dies (its parser's stack, memory
  refused under ``--max-memory``) costs only that request: 503 for memory, else 500.
- **the writer**: one process that holds the store (RocksDB's lock: one server per
  store). ``write`` runs a task there, one at a time, then has it snapshot the store; later
  requests read the new snapshot, so a reader sees every write that was answered before it
  started, and never half of one. A write past the deadline is killed too: the journal
  and staging graphs (docs/architecture.md) leave all of it or none of it, a new writer
  opens the store (repairing what the journal lists) and snapshots it again.

Snapshots: an on-disk store is snapshotted as a RocksDB checkpoint (hard links, a few
milliseconds) in ``STORE/serve-snapshots/N``; pyoxigraph leaves undefined what a read-only
open sees of a store another process writes, and a checkpoint is written by no one. A store
in memory is copied to a temporary on-disk store instead, and a new writer of it starts
from the last snapshot, so a killed write loses nothing that was answered. A SPARQL server
(``--store http://...``) is its own snapshot: readers and the writer speak to it directly.
"""

from __future__ import annotations

import contextlib
import hmac
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.api import KB
from kb.errors import KBError
from kb.http.messages import HTTPError, Request, Response
from kb.http.rendering import Expired, TooLarge, render_task
from kb.sparql.text import find_keyword
from kb.store.backend import MEMORY
from kb.store.embedded import SNAPSHOTS
from kb.workers import MIB, Crashed, Opener, Overrun, Pool

START_TIMEOUT = 600.0
"""Seconds the writer may take to open the store (a repair after a crash included)."""


@dataclass(frozen=True)
class ServerConfig:
    """What ``kb serve``'s options set; the defaults are the safe ones."""

    timeout: float = 30.0
    """Seconds a query (or a write) may run before it is stopped and the caller gets 503."""
    max_results: int = 10_000
    """Rows (SELECT) or triples (CONSTRUCT/DESCRIBE) an answer may have; more is 413."""
    max_body: int = 10 * 1024 * 1024
    """Bytes a request body may have; more is 413."""
    allow_update: bool = False
    token: str | None = None
    allow_federation: bool = False
    workers: int = 4
    """Queries evaluated at once, each in a process of its own; more wait in line."""
    max_memory: int = 4096
    """MiB of address space each worker process may use (RLIMIT_AS); 0: no limit."""
    read_timeout: float = 10.0
    """Seconds a client may take to send one request (and may stay idle between two)."""
    log: Any = field(default=None, repr=False)
    """Where the access log goes (a text stream); standard error when None."""


class App:
    """The KB behind the server, and what every view is given (see the module docstring).

    ``location``: as ``KB`` takes it (None or ``:memory:``, a directory, a URL). Starting
    takes a second or two: the writer opens the store (seeding a new one), snapshots it,
    and the readers open the snapshot. StoreError if another process holds the store.
    """

    def __init__(self, location: str | Path | None, config: ServerConfig) -> None:
        if config.allow_update and not config.token:
            raise KBError("--allow-update needs a token: --token or $KB_TOKEN")
        self.config = config
        self.location = MEMORY if location is None else str(location)
        self.remote = self.location.startswith(("http://", "https://"))
        memory = config.max_memory * MIB if config.max_memory else None
        self._write_lock = threading.Lock()
        self._snapshot_lock = threading.Lock()
        self._generation = 0
        self._snapshots: dict[str, Path] = {}
        self._directory: Path | None = None
        """Where the snapshots are (None for a SPARQL server, which needs none)."""
        if self.remote:
            writer = Opener(self.location)
        elif self.location != MEMORY:
            self._directory = Path(self.location).expanduser() / SNAPSHOTS
            writer = Opener(self.location, exclusive=True)
        else:
            self._directory = Path(tempfile.mkdtemp(prefix="kb-serve-"))
            writer = Opener(None)
        self.writer = Pool(writer, size=1, spares=0, memory=memory, successors=False)
        self.readers: Pool | None = None
        try:
            if self._directory is None:
                self.current = Opener(self.location)
            else:
                # the writer's open removed what an earlier server left in the directory
                self._write_now(_nothing, (), time.monotonic() + START_TIMEOUT)
            self.readers = Pool(self.current, size=config.workers, spares=1, memory=memory)
            self.readers.wait_ready(START_TIMEOUT)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Stop the workers (the writer closes the store cleanly) and drop the snapshots."""
        if self.readers is not None:
            self.readers.close()
        with self._write_lock:
            self.writer.close(graceful=True)
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)

    # -- what views use ---------------------------------------------------------------------

    def run(
        self,
        task: Callable[..., Any],
        *args: Any,
        media: Callable[[str], str],
        capped: bool = True,
    ) -> Response:
        """The answer ``task(kb, *args)`` gives (a query result), rendered in the media type
        ``media(kind)`` chooses (``kb.http.negotiation.negotiator``), within the deadline and,
        if ``capped``, the result cap. 503 past the deadline, 413 past the cap."""
        cap = self.config.max_results if capped else None
        deadline = time.monotonic() + self.config.timeout
        rendering = (task, args, media, cap, deadline)
        try:
            response: Response = self._read(render_task, rendering, deadline)
        except Expired:
            raise self._overrun("query") from None
        except TooLarge:
            raise HTTPError(
                413,
                f"the answer has more than {self.config.max_results} results "
                "(kb serve --max-results); add a LIMIT",
            ) from None
        return response

    def call(self, task: Callable[..., Any], *args: Any) -> Any:
        """``task(kb, *args)`` on a reader, within the deadline: its plain value."""
        deadline = time.monotonic() + self.config.timeout
        return self._read(task, args, deadline)

    def write(self, task: Callable[..., Any], *args: Any) -> Any:
        """``task(kb, *args)`` on the writer, one write at a time, within the deadline; what
        it returns. Requests that start after it returns read what it wrote."""
        deadline = time.monotonic() + self.config.timeout
        with self._write_lock:
            try:
                return self._write_now(task, args, deadline)
            except (Overrun, Crashed) as err:
                self._resnapshot()
                if isinstance(err, Overrun):
                    raise HTTPError(
                        503,
                        f"the write did not finish within {self.config.timeout:g} s (kb serve "
                        "--timeout) and was stopped; the store has all of it or none of it",
                    ) from None
                raise self._crash("write", err) from None

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

    @property
    def fetch_keywords(self) -> tuple[str, ...]:
        """The keywords that make the server fetch a URL, refused unless federation is on:
        SERVICE (queries and updates) and LOAD (updates)."""
        return () if self.config.allow_federation else ("SERVICE", "LOAD")

    # -- inside ------------------------------------------------------------------------------

    def _read(self, task: Callable[..., Any], args: tuple[Any, ...], deadline: float) -> Any:
        assert self.readers is not None
        try:
            return self.readers.run(task, *args, deadline=deadline, opener=self.current)
        except Overrun:
            raise self._overrun("query") from None
        except Crashed as err:
            raise self._crash("query", err) from None
        finally:
            self._collect_snapshots()

    def _write_now(self, task: Callable[..., Any], args: tuple[Any, ...], deadline: float) -> Any:
        """Run a write and snapshot what it left, for the readers (under ``_write_lock``,
        or before the server starts)."""
        if self._directory is None:  # a SPARQL server is its own snapshot
            return self.writer.run(task, *args, deadline=deadline)
        self._generation += 1
        target = self._directory / str(self._generation)
        value, snapshot = self.writer.run(
            _write_and_snapshot, task, args, str(target), deadline=deadline
        )
        self._use_snapshot(Path(snapshot))
        return value

    def _use_snapshot(self, snapshot: Path) -> None:
        with self._snapshot_lock:
            self._snapshots[str(snapshot)] = snapshot
            self.current = Opener(str(snapshot), read_only=True, seed=False)
            if self.readers is not None:
                self.readers.opener = self.current
            if self.location == MEMORY:  # a new writer starts from what was last answered
                self.writer.opener = Opener(restore=str(snapshot))
        self._collect_snapshots()

    def _resnapshot(self) -> None:
        """After a write was stopped: a new writer opens the store (the journal drops what
        the stopped write left half done) and snapshots what the store now holds."""
        # if this fails too, readers keep the last snapshot and the next write tries again
        with contextlib.suppress(Overrun, Crashed, KBError):
            self._write_now(_nothing, (), time.monotonic() + START_TIMEOUT)

    def _collect_snapshots(self) -> None:
        """Remove the snapshots no worker has open any more (the current one stays)."""
        if self.readers is None:
            return
        with self._snapshot_lock:
            used = {o.location for o in self.readers.openers()} | {self.current.location}
            used |= {o.restore for o in self.writer.openers()}
            for name in [n for n in self._snapshots if n not in used]:
                shutil.rmtree(self._snapshots.pop(name), ignore_errors=True)

    def _overrun(self, what: str) -> HTTPError:
        timeout = self.config.timeout
        return HTTPError(
            503,
            f"the {what} did not finish within {timeout:g} s (kb serve --timeout) and was "
            "stopped; narrow it down or add a LIMIT",
            {"Retry-After": str(max(1, round(timeout)))},
        )

    def _crash(self, what: str, err: Crashed) -> HTTPError:
        if err.out_of_memory:
            return HTTPError(
                503,
                f"the {what} needed more memory than a worker may have (kb serve --max-memory "
                f"{self.config.max_memory} MiB) and was stopped; narrow it down",
            )
        return HTTPError(500, f"the {what} stopped the worker evaluating it: {err.reason}")


def refuse_remote_fetch(sparql: str, keywords: tuple[str, ...]) -> None:
    """403 if the query or update may use one of ``keywords`` (``App.fetch_keywords``):
    each makes the server fetch a URL the caller chose. Read as ``kb.sparql.text``
    documents: failing closed."""
    found = find_keyword(sparql, keywords) if keywords else None
    if found is None:
        return
    keyword, line, token = found
    where = (
        f"line {line}"
        if token is None or token.upper() == keyword
        else (f"line {line}, in {token!r}")
    )
    if token is None:
        raise HTTPError(
            403,
            f"the text cannot be read as SPARQL from {where} on, and it spells {keyword}, "
            "which would make this server fetch a URL; federation is off "
            "(kb serve --allow-federation turns it on)",
        )
    raise HTTPError(
        403,
        f"{keyword} ({where}) would make this server fetch a URL; federation is off "
        "(kb serve --allow-federation turns it on)",
    )


# -- tasks of the writer -----------------------------------------------------------------------


def _write_and_snapshot(
    kb: KB, task: Callable[..., Any], args: tuple[Any, ...], target: str
) -> tuple[Any, str]:
    value = task(kb, *args)
    kb.snapshot(Path(target))
    return value, target


def _nothing(kb: KB) -> None:
    return None
