"""How a batch of input files reaches the store: planned in parallel, spooled to disk.

Planning a file (read, parse, validate, build its quads) is most of what a load costs, and
it writes nothing, so a large batch is planned by a pool of worker processes, one per core.
Each worker reads the store through a read-only snapshot, for the types of the entities a
file refers to but does not define (as ``KB.plan`` does). What every file will write goes
to a spool, a temporary N-Quads file, so memory does not grow with the batch; nothing is
written to the store until every file has planned without error, so a batch still loads
whole or not at all. ``KB.load`` then writes the spool: through pyoxigraph's bulk loader
for a large batch of new articles (``EmbeddedBackend.bulk_write``), else in one
transaction.
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pyoxigraph import Quad, RdfFormat, parse, serialize

from kb.errors import InputError
from kb.store.entity_graph import records_in
from loaders.factfile import TypesOf
from loaders.plan import plan_file

PARALLEL_MIN_FILES = 32
"""Below this many files, planning in this process beats starting workers (about 0.4 s)."""


@dataclass
class Planned:
    """What one file loads: its graphs and how many quads each (the quads are spooled)."""

    path: str
    graphs: dict[str, int]

    @property
    def quad_count(self) -> int:
        return sum(self.graphs.values())


@dataclass
class Spool:
    """The quads a batch will write, in a temporary N-Quads file, and what a write needs:
    which graphs they fill and the entity statements they record (``kb.store.entity_graph``)."""

    file: IO[bytes] = field(
        default_factory=lambda: tempfile.TemporaryFile(prefix="kb-load-")  # noqa: SIM115 (closed by __exit__)
    )
    planned: list[Planned] = field(default_factory=list)
    records: set[str] = field(default_factory=set)
    owner: dict[str, str] = field(default_factory=dict)  # graph -> the file that fills it

    @property
    def quad_count(self) -> int:
        return sum(p.quad_count for p in self.planned)

    def add(self, path: str, counts: dict[str, int], nquads: bytes, records: set[str]) -> None:
        for graph in counts:
            if graph in self.owner:
                raise InputError(
                    f"<{graph}> is also loaded by {self.owner[graph]} in this batch; "
                    "load one file per graph",
                    path=path,
                )
            self.owner[graph] = path
        self.file.write(nquads)
        self.planned.append(Planned(path, counts))
        self.records |= records

    def graphs(self) -> dict[str, list[Quad]]:
        """Read the spool back, quads grouped by graph (for a write in one transaction)."""
        self.file.flush()
        self.file.seek(0)
        graphs: dict[str, list[Quad]] = {graph: [] for graph in self.owner}
        for quad in parse(self.file, format=RdfFormat.N_QUADS):
            graphs[quad.graph_name.value].append(quad)  # type: ignore[union-attr]
        return graphs

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()


def plan_into(
    spool: Spool,
    paths: Sequence[str | Path],
    types_of: TypesOf,
    *,
    graph: str | None = None,
    store_path: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Plan every file into ``spool``; raise the first file's InputError (in file order).

    ``store_path``: an on-disk store that workers may open read-only; without it (a store in
    memory or on a server) every file is planned here.
    """
    jobs = [(str(p), graph) for p in dict.fromkeys(paths)]  # a file named twice loads once
    if store_path is None or len(jobs) < PARALLEL_MIN_FILES:
        results: Iterator[tuple[str, Any]] = (_planned(job, types_of) for job in jobs)
        _collect(spool, results, progress)
        return
    workers = min(os.cpu_count() or 1, len(jobs))
    context = multiprocessing.get_context("spawn")  # RocksDB's threads make fork unsafe
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_open_snapshot, initargs=(store_path,)
    ) as pool:
        try:
            with _main_module_left_alone():  # map() starts the workers as it submits
                results = pool.map(_plan_in_worker, jobs, chunksize=8)
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
        spool.add(path, *outcome)
        if progress:
            progress(path)


def _planned(job: tuple[str, str | None], types_of: TypesOf) -> tuple[str, Any]:
    """(path, (quad counts per graph, N-Quads, entity records)) or (path, InputError)."""
    path, graph = job
    try:
        plan = plan_file(path, types_of, graph=graph)
    except InputError as err:
        return path, err
    quads = [q for qs in plan.graphs.values() for q in qs]
    counts = {g: len(qs) for g, qs in plan.graphs.items()}
    return path, (counts, serialize(quads, format=RdfFormat.N_QUADS), records_in(quads))


# -- in a worker process ---------------------------------------------------------------------

_snapshot: Any = None
PR_SET_PDEATHSIG = 1  # prctl(2)


@dataclass
class _Failure:
    """An InputError on its way back from a worker (its keyword-only __init__ does not
    survive pickling)."""

    message: str
    where: dict[str, Any]


def _open_snapshot(store_path: str) -> None:
    global _snapshot
    from kb.store.backend import EmbeddedBackend

    if sys.platform == "linux":  # die with the loading process, even when it is killed
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() == 1:  # it died before that
            os._exit(1)

    _snapshot = EmbeddedBackend(Path(store_path))  # held by the loading process: read-only


def _plan_in_worker(job: tuple[str, str | None]) -> tuple[str, Any]:
    path, outcome = _planned(job, _snapshot.types_of)
    if isinstance(outcome, InputError):
        where = {k: getattr(outcome, k) for k in ("path", "line", "column", "field")}
        return path, _Failure(outcome.message, where)
    return path, outcome
