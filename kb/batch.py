"""Planning a batch of input files: every file read, validated and turned into the content
of its graphs before anything is written, in parallel for a large batch.

Parsing a file (read, parse, check, build its quads; ``loaders.plan.parse_file``) is most of
what a load costs, needs nothing from the store and writes nothing, so a batch of
``PARALLEL_MIN_FILES`` or more files is parsed by a pool of worker processes, one per core.
Each file's quads then get the store's layout (the statements about the entities a fact
file defines become records: ``kb.store.entity_graph``) and go to a ``Spool``, which keeps
a small batch in memory and what workers send in a temporary N-Quads file, so memory does
not grow with a large batch. The files' references are checked afterwards, against the
whole batch and the KB (``KB.load``, ``loaders.references``), so files may refer to each
other in any order. Nothing is written to the store until every file has planned without
error, so a batch still loads whole or not at all; ``KB.load`` writes it.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
import types
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pyoxigraph import Quad, RdfFormat, serialize

from kb.errors import InputError, QueryError
from kb.store.changeset import by_graph, split_nquads
from kb.store.entity_graph import article_content
from loaders.plan import PlannedFile, parse_file
from loaders.source import STDIN, is_stdin

PARALLEL_MIN_FILES = 32
"""Below this many files, planning in this process beats starting workers (about 0.4 s)."""


class Spool:
    """The content a batch will write, and what the write needs besides: which graphs it
    fills (and from which file) and the entity statements it records.

    Files planned in this process stay in memory as quads; files planned by workers arrive
    as N-Quads and go to a temporary file. ``lines()`` gives everything by graph (a write in
    one write), ``nquads()`` everything as one N-Quads file (the bulk loader).
    """

    def __init__(self) -> None:
        self.planned: list[PlannedFile] = []
        self.records: set[str] = set()
        self.owner: dict[str, str] = {}  # graph -> the file that fills it
        self._quads: list[Quad] = []
        self._file: IO[bytes] | None = None

    @property
    def quad_count(self) -> int:
        return sum(p.quad_count for p in self.planned)

    def add(self, planned: PlannedFile, content: list[Quad] | bytes, records: set[str]) -> None:
        """Add one file's content: quads, or N-Quads from a worker."""
        for graph in planned.graphs:
            if graph in self.owner:
                raise InputError(
                    f"<{graph}> is also loaded by {self.owner[graph]} in this batch; "
                    "load one file per graph",
                    path=planned.path,
                )
            self.owner[graph] = planned.path
        if isinstance(content, bytes):
            self._spool_file().write(content)
        else:
            self._quads.extend(content)
        self.planned.append(planned)
        self.records |= records

    def held(self) -> list[Quad] | None:
        """The batch's quads, when they are all held in memory (files planned in this
        process); None when workers sent theirs to the spool file (a large batch)."""
        return None if self._file is not None else self._quads

    def lines(self) -> dict[str, list[bytes]]:
        """Everything, as N-Triples lines by graph (``kb.store.changeset``); call it once."""
        content: dict[str, list[bytes]] = {graph: [] for graph in self.owner}
        for graph, lines in by_graph(self._quads).items():
            content[graph].extend(lines)
        self._quads = []  # held once: as lines from now on
        if self._file is not None:
            self._file.flush()
            self._file.seek(0)
            split_nquads(self._file.read(), content)
        return content

    def nquads(self) -> IO[bytes]:
        """Everything as one N-Quads file, positioned at its end (for more to be appended)."""
        spool = self._spool_file()
        if self._quads:
            spool.write(serialize(self._quads, format=RdfFormat.N_QUADS))
            self._quads = []
        return spool

    def _spool_file(self) -> IO[bytes]:
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="kb-load-")  # noqa: SIM115 (closed by close())
        return self._file

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def plan_into(
    spool: Spool,
    paths: Sequence[str | Path],
    *,
    graph: str | None = None,
    format: str | None = None,
    base: str | None = None,
    parallel: bool = True,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Parse every file into ``spool``; raise the first file's InputError (in file order).

    ``format`` and ``base`` apply to every file (``loaders.plan.parse_file``).

    ``parallel``: a large batch may be parsed by worker processes (not for a store in
    memory, whose batches are small). Standard input is read and parsed here.
    """
    # a file named twice loads once; so does standard input, as - or /dev/stdin
    once = dict.fromkeys(STDIN if is_stdin(p) else p for p in paths)
    jobs = [_Job(str(p), graph, format, base) for p in once]
    here = [job for job in jobs if is_stdin(job.path)]
    there = [job for job in jobs if not is_stdin(job.path)]
    if not parallel or len(there) < PARALLEL_MIN_FILES:
        results: Iterator[tuple[str, Any]] = (_planned(job, False) for job in jobs)
        _collect(spool, results, progress)
        return
    _collect(spool, (_planned(job, False) for job in here), progress)
    workers = min(os.cpu_count() or 1, len(there))
    context = multiprocessing.get_context("spawn")  # RocksDB's threads make fork unsafe
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker) as pool:
        try:
            with _main_module_left_alone():  # map() starts the workers as it submits
                results = pool.map(_plan_in_worker, there, chunksize=8)
            _collect(spool, results, progress)
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise


_MAIN_SWAP = threading.Lock()


@contextmanager
def _main_module_left_alone() -> Iterator[None]:
    """Start workers that do not run the caller's main module again.

    A spawned worker imports ``__main__`` by default, so a user's script that calls
    ``KB.load`` at its top level, without ``if __name__ == "__main__"``, would run again
    in every worker, side effects and all, and the pool would break. The workers need
    nothing from it: while they start, ``__main__`` is a module with no file to rerun.
    """
    with _MAIN_SWAP:  # two loads in two threads must not restore each other's stand-in
        main = sys.modules["__main__"]
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            sys.modules["__main__"] = main


def _collect(
    spool: Spool, results: Iterator[tuple[str, Any]], progress: Callable[[str], None] | None
) -> None:
    for path, outcome in results:
        if isinstance(outcome, _Failure):
            outcome = InputError(outcome.message, **outcome.where)
        if isinstance(outcome, InputError):
            raise outcome
        spool.add(*outcome)
        if progress:
            progress(path)


@dataclass(frozen=True)
class _Job:
    """One file to plan, with the options that apply to every file of the batch."""

    path: str
    graph: str | None
    format: str | None
    base: str | None


def _planned(job: _Job, as_nquads: bool) -> tuple[str, Any]:
    """(path, (record, content, entity records)) or (path, InputError); the content in the
    store's layout, as quads or (to cross a process boundary) N-Quads."""
    path = job.path
    try:
        planned, graphs = parse_file(path, graph=job.graph, format=job.format, base=job.base)
        quads: list[Quad] = []
        records: set[str] = set()
        for name, planned_quads in graphs.items():
            content, texts = article_content(name, planned_quads, planned.entities)
            quads += content
            records |= texts
    except InputError as err:
        return path, err
    except QueryError as err:  # a hand-written ek:entityStatement that does not parse
        return path, InputError(str(err), path=path)
    return path, (
        planned,
        serialize(quads, format=RdfFormat.N_QUADS) if as_nquads else quads,
        records,
    )


# -- in a worker process ---------------------------------------------------------------------

PR_SET_PDEATHSIG = 1  # prctl(2)


@dataclass
class _Failure:
    """An InputError on its way back from a worker (its keyword-only __init__ does not
    survive pickling)."""

    message: str
    where: dict[str, Any]


def _start_worker() -> None:
    if sys.platform == "linux":  # die with the loading process, even when it is killed
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() == 1:  # it died before that
            os._exit(1)


def _plan_in_worker(job: _Job) -> tuple[str, Any]:
    path, outcome = _planned(job, True)
    if isinstance(outcome, InputError):
        where = {k: getattr(outcome, k) for k in ("path", "line", "column", "field")}
        return path, _Failure(outcome.message, where)
    return path, outcome
