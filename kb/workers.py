"""Work on the KB in child processes that can be stopped: a deadline, an address-space
limit, and a crash that costs only the child.

pyoxigraph cannot cancel an evaluation, its parser recurses, and a sort or a join can ask
for any amount of memory: a query evaluated in a thread keeps a core busy after its caller
got 503, and one crash takes the whole process. So ``kb serve`` (and ``kb query
--timeout``) hand such work to children of their own:

- ``Worker``: one child process (``python -c``, nothing inherited but the file descriptor of
  a socket pair). It opens a KB as its ``Opener`` says, then runs ``call(function, *args)``
  one at a time: ``function(kb, *args)`` in the child, the value or the exception pickled
  back. Past the deadline the parent kills it (SIGKILL): the work stops at once, its memory
  is freed, the store it read is untouched (a reader opens snapshots read-only; a writer's
  half-done write is undone by the journal on the next open). A child that dies (a stack
  overflow, memory allocation refused under the limit) is a ``Crashed`` with the reason
  it printed last.
- ``Pool``: ``size`` workers evaluating at once, plus ``spares`` started ahead, so that a
  killed worker is replaced at once while its successor starts in the background.

Functions sent must be importable by name (module-level), their arguments and results
picklable. Children die with their parent (Linux ``PR_SET_PDEATHSIG``); they are started
from one long-lived thread, since the signal follows the thread that started them.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.api import KB
from kb.errors import StoreError

_LENGTH = struct.Struct("!Q")
CHILD = "import sys; from kb.workers import child_main; child_main(int(sys.argv[1]))"
MIB = 1024 * 1024
LEAD = 0.5
"""Seconds before a deadline at which a pool starts the successor of a worker still busy:
it is ready when the worker is killed, and its start-up is done by the deadline."""


class Overrun(Exception):
    """The work did not finish by its deadline; the worker doing it was killed."""


class Crashed(Exception):
    """The worker died while it worked: ``reason`` is what it said last, or its signal."""

    def __init__(self, reason: str, out_of_memory: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.out_of_memory = out_of_memory


@dataclass(frozen=True)
class Opener:
    """How a worker opens its KB: ``KB(location, seed=..., wait=..., read_only=...)``, or
    (``restore``) a KB in memory filled from the snapshot directory ``restore``.
    ``exclusive``: the store must be this worker's to write (StoreError if another process
    holds it), not a read-only snapshot of it."""

    location: str | None = None
    read_only: bool = False
    seed: bool = True
    wait: float = 0.0
    restore: str | None = None
    exclusive: bool = False

    def open(self) -> KB:
        if self.restore is not None:
            kb = KB(None, seed=False)
            kb.backend.extend_from(Path(self.restore))  # type: ignore[attr-defined]
            return kb
        kb = KB(self.location, seed=self.seed, wait=self.wait, read_only=self.read_only)
        if self.exclusive and kb.backend.read_only:
            kb.close()
            raise StoreError(
                f"the store {self.location} is in use by another process (kb serve or kb "
                "load): one server per store; query the server that holds it "
                "(kb --store http://HOST:PORT ...), or stop it first"
            )
        return kb


# -- the child ---------------------------------------------------------------------------------


def child_main(fd: int) -> None:
    """A worker's life: set up, open the KB, answer calls until the parent hangs up."""
    channel = socket.socket(fileno=fd)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    setup = _recv(channel)
    if setup is None:
        return
    for entry in reversed(setup["path"]):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    _die_with_parent()
    if setup["memory"]:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (setup["memory"], setup["memory"]))
    kb = _open(channel, setup["opener"], "ready")
    while kb is not None:
        message = _recv(channel)
        if message is None:
            kb.close()
            return
        kind, payload = message
        if kind == "open":
            kb.close()
            kb = _open(channel, payload, "ok")
            continue
        function, args = payload
        try:
            value = function(kb, *args)
        except BaseException as err:
            _send(channel, ("error", _portable(err)))
            if isinstance(err, MemoryError):
                return  # what was half allocated is not worth keeping: a fresh worker
            continue
        _send(channel, ("ok", value))


def _open(channel: socket.socket, opener: Opener, said: str) -> KB | None:
    """The KB ``opener`` opens, the parent told so (``said``); None, the parent told why,
    if it cannot be opened (the worker then ends)."""
    try:
        kb = opener.open()
    except BaseException as err:
        _send(channel, ("error", _portable(err)))
        return None
    _send(channel, (said, None))
    return kb


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1  # prctl(2)
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() == 1:  # the parent died before the signal was set
            os._exit(1)


def _portable(err: BaseException) -> BaseException:
    """``err`` if it survives pickling, else a RuntimeError saying what it was; a bug's
    traceback travels as a note, for the parent's log."""
    from kb.errors import KBError

    if not isinstance(err, KBError | MemoryError):
        with contextlib.suppress(Exception):
            err.add_note("in the worker:\n" + "".join(traceback.format_exception(err)))
    try:
        pickle.loads(pickle.dumps(err))
        return err
    except Exception:
        return RuntimeError(f"{type(err).__name__}: {err}")


# -- framing: one pickle per message, length first ---------------------------------------------


def _send(channel: socket.socket, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    channel.sendall(_LENGTH.pack(len(data)) + data)


def _recv(channel: socket.socket) -> Any:
    """The next message, or None when the other end hung up."""
    head = _exactly(channel, _LENGTH.size)
    if head is None:
        return None
    data = _exactly(channel, _LENGTH.unpack(head)[0])
    return None if data is None else pickle.loads(data)


def _exactly(channel: socket.socket, count: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < count:
        chunk = channel.recv(min(count - len(chunks), 1 << 20))
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)


# -- the parent's side -------------------------------------------------------------------------


class Worker:
    """One child process and the socket to it. Not thread-safe: one caller at a time."""

    def __init__(self, opener: Opener, *, memory: int | None = None) -> None:
        """Start the child (it opens its KB in the background: ``wait_ready``).
        ``memory``: bytes of address space it may use (RLIMIT_AS), or None."""
        self.opener = opener
        parent, child = socket.socketpair()
        self._channel = parent
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed with the worker)
        with child:
            self._process = subprocess.Popen(
                [sys.executable, "-c", CHILD, str(child.fileno())],
                pass_fds=(child.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._errors,
            )
        self.ready = False
        with contextlib.suppress(OSError):  # a child dead already is seen by wait_ready
            _send(parent, {"path": sys.path, "memory": memory, "opener": opener})

    @property
    def pid(self) -> int:
        return self._process.pid

    def wait_ready(self, deadline: float) -> None:
        """Wait for the child to have opened its KB; its error if it could not."""
        if not self.ready:
            self._answer(deadline)
            self.ready = True

    def reopen(self, opener: Opener, deadline: float) -> None:
        """Make the child close its KB and open ``opener``'s (a newer snapshot). From now on
        ``opener`` counts as open (what it opens must not be removed meanwhile)."""
        self.wait_ready(deadline)
        self.opener = opener
        self._ask(("open", opener), deadline)

    def call(
        self,
        function: Callable[..., Any],
        *args: Any,
        deadline: float,
        nearly: Callable[[], None] | None = None,
    ) -> Any:
        """``function(kb, *args)`` in the child, by ``deadline`` (``time.monotonic()``);
        Overrun (the child killed) past it, Crashed if the child dies, else the value or the
        exception the function raised. ``nearly()`` is called if the work is still running
        ``LEAD`` seconds before the deadline (a pool starts the worker's successor then)."""
        self.wait_ready(deadline)
        return self._ask(("call", (function, args)), deadline, nearly)

    def _ask(self, message: Any, deadline: float, nearly: Callable[[], None] | None = None) -> Any:
        try:
            _send(self._channel, message)
        except OSError:
            raise self._crashed() from None
        return self._answer(deadline, nearly)

    def _answer(self, deadline: float, nearly: Callable[[], None] | None = None) -> Any:
        readable: list[Any] = []
        if nearly is not None and deadline - time.monotonic() > LEAD:
            early = deadline - LEAD - time.monotonic()
            readable, _, _ = select.select([self._channel], [], [], max(0.0, early))
            if not readable:
                nearly()
        if not readable:
            remaining = deadline - time.monotonic()
            readable, _, _ = select.select([self._channel], [], [], max(0.0, remaining))
        if not readable:
            self.kill()
            raise Overrun
        try:
            answer = _recv(self._channel)
        except OSError:
            answer = None
        if answer is None:
            raise self._crashed()
        kind, value = answer
        if kind == "error":
            raise value
        return value

    def _crashed(self) -> Crashed:
        self._stop()
        code = self._process.returncode
        self._errors.seek(0)
        said = [line for line in self._errors.read().decode(errors="replace").splitlines() if line]
        self._close_files()
        memory = [line for line in said if "memory allocation" in line or "MemoryError" in line]
        last = (memory or said or [""])[-1].strip()
        out_of_memory = bool(memory)
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            reason = f"{last} ({name})" if last else f"killed by {name}"
        else:
            reason = last or f"exited with status {code}"
        return Crashed(reason, out_of_memory)

    def kill(self) -> None:
        """Stop the child now and reap it."""
        self._stop()
        self._close_files()

    def _stop(self) -> None:
        with contextlib.suppress(OSError):
            self._process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=10)

    def close(self) -> None:
        """Let the child finish: it closes its KB (flushing a store it writes) and exits."""
        with contextlib.suppress(OSError):
            self._channel.shutdown(socket.SHUT_WR)
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._close_files()

    def _close_files(self) -> None:
        self._channel.close()
        self._errors.close()


class Pool:
    """``size`` workers that evaluate at once and ``spares`` ready to replace a killed one.

    ``opener`` is what new workers open; ``run`` may ask for another (a newer snapshot),
    which the worker it gets opens first if it has another open. Workers are started by one
    thread that lives as long as the pool (see the module docstring).
    """

    def __init__(
        self,
        opener: Opener,
        *,
        size: int,
        spares: int = 1,
        memory: int | None = None,
        successors: bool = True,
    ) -> None:
        """``successors``: start a busy worker's successor ``LEAD`` seconds before its
        deadline (not for a writer: only one process at a time can hold its store)."""
        self.opener = opener
        self.size = size
        self.memory = memory
        self.successors = successors
        self._slots = threading.BoundedSemaphore(size)
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._workers: set[Worker] = set()
        self._closed = False
        self._starts: queue.Queue[int | None] = queue.Queue()
        self.failure: BaseException | None = None
        """Why the last worker that was started could not open its KB (None once one could)."""
        self.started = 0
        """Workers started so far, replacements included."""
        self.replaced = 0
        """Workers killed or dead and replaced."""
        self._starter = threading.Thread(target=self._start_workers, daemon=True)
        self._starter.start()
        self._starts.put(size + spares)

    def wait_ready(self, timeout: float) -> None:
        """Wait until ``size`` workers are ready (for a server about to say it is up)."""
        deadline = time.monotonic() + timeout
        while self._idle.qsize() < self.size and time.monotonic() < deadline:
            time.sleep(0.02)

    def run(
        self,
        function: Callable[..., Any],
        *args: Any,
        deadline: float,
        opener: Opener | None = None,
    ) -> Any:
        """``function(kb, *args)`` on a free worker with ``opener``'s KB by ``deadline``.
        Overrun if none is free in time or the work overruns; Crashed if the worker died."""
        if not self._slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise Overrun
        try:
            worker = self._take(deadline)
            early: list[bool] = []

            def nearly() -> None:  # likely to overrun: its successor starts now
                early.append(True)
                self._starts.put(1)

            try:
                if opener is not None and worker.opener != opener:
                    worker.reopen(opener, deadline)
                value = worker.call(
                    function, *args, deadline=deadline, nearly=nearly if self.successors else None
                )
            except (Overrun, Crashed):
                self._replace(worker, started=bool(early))
                raise
            except BaseException:
                self._keep(worker, surplus=bool(early))  # the function raised: no harm
                raise
            self._keep(worker, surplus=bool(early))
            return value
        finally:
            self._slots.release()

    def _keep(self, worker: Worker, *, surplus: bool) -> None:
        """Back to the idle workers; or, if its successor was started in vain, closed."""
        if surplus:
            with self._lock:
                self._workers.discard(worker)
            worker.kill()
        else:
            self._idle.put(worker)

    def _take(self, deadline: float) -> Worker:
        """A ready worker; Overrun if none is by ``deadline``, or why none could start."""
        while True:
            remaining = deadline - time.monotonic()
            try:
                return self._idle.get(timeout=max(0.0, min(remaining, 0.1)))
            except queue.Empty:
                if self.failure is not None:
                    raise self.failure from None
                if remaining <= 0:
                    raise Overrun from None

    def openers(self) -> set[Opener]:
        """What the live workers have open (and what new ones will open)."""
        with self._lock:
            return {w.opener for w in self._workers} | {self.opener}

    def _replace(self, worker: Worker, *, started: bool = False) -> None:
        """Kill ``worker`` and start its successor (unless it was ``started`` already)."""
        worker.kill()
        with self._lock:
            self._workers.discard(worker)
            self.replaced += 1
        if not started:
            self._starts.put(1)

    def _start_workers(self) -> None:
        while True:
            count = self._starts.get()
            while count is not None and not self._starts.empty():  # start them side by side
                more = self._starts.get_nowait()
                count = None if more is None else count + more
            if count is None or self._closed:
                return
            started = []
            for _ in range(count):
                worker = Worker(self.opener, memory=self.memory)
                with self._lock:
                    self._workers.add(worker)
                    self.started += 1
                started.append(worker)
            for worker in started:
                try:
                    worker.wait_ready(time.monotonic() + 600)
                except Exception as err:  # it could not open its KB: say why, try again
                    worker.kill()
                    with self._lock:
                        self._workers.discard(worker)
                    self.failure = err
                    time.sleep(1)
                    self._starts.put(1)
                    continue
                self.failure = None
                self._idle.put(worker)

    def close(self, *, graceful: bool = False) -> None:
        """Stop every worker: at once, or (``graceful``) letting each close its KB first
        (a writer flushes its store)."""
        self._closed = True
        self._starts.put(None)
        with self._lock:
            workers = list(self._workers)
            self._workers.clear()
        for worker in workers:
            if graceful:
                worker.close()
            else:
                worker.kill()
