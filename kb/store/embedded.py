"""``EmbeddedBackend``: the KB in pyoxigraph's own store, on disk (RocksDB) or in memory.

One process writes an on-disk store at a time (RocksDB's lock); others open a read-only
snapshot. A write is worked out as a change set (``kb.store.changeset``: only what differs
from what is stored) and made in one of three ways, all or nothing under SIGKILL:

- a small change (``TRANSACTION_MAX_CHANGES`` quads or fewer) is one SPARQL update, one
  transaction;
- a large batch of new graphs goes in through the bulk loader, listed in the load journal
  first (``kb.store.journal``) so that readers leave them out and a killed write is removed
  on the next open;
- any other large change is written ahead to two N-Quads files in the store's directory,
  committed by one small transaction that journals them, then applied (deletes in chunks,
  inserts by the bulk loader); a killed write is finished on the next open. Readers in this
  process wait while it is applied, and snapshots opened meanwhile wait for it to end, so
  a reader sees the old state or the new, never a mix.

A transaction's cost grows faster than its size in pyoxigraph (every write of one
transaction is held in memory and indexed), which is why large changes avoid one.
"""

from __future__ import annotations

import fcntl
import io
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from pyoxigraph import NamedNode, Quad, RdfFormat, Store, parse, serialize

from kb.errors import QueryError, StoreError
from kb.namespaces import (
    EK,
    ENTITIES_GRAPH,
    LOAD_JOURNAL_GRAPH,
    PREFIXES,
    RDF,
    STAGING_GRAPH_PREFIX,
)
from kb.sparql.text import check_depth, has_dataset, quad_data, substitute
from kb.store import journal
from kb.store.backend import MEMORY, Backend, Dataset, QueryResult
from kb.store.changeset import (
    ChangeSet,
    as_nquads,
    blank_node_delete,
    diff,
    split_nquads,
)

TRANSACTION_MAX_CHANGES = 20_000
"""Quads a write changes in one transaction at most; a larger change is written ahead and
applied in steps (see the module docstring)."""
DELETE_CHUNK = 5_000
"""Quads per ``DELETE DATA`` when a large change is applied."""
REDO_FOLDER = "kb-redo"
"""Where, inside an on-disk store, a large change waits to be applied."""
REDO_WAIT = 600.0
"""Seconds a snapshot waits for another process's write to end before it opens."""
WRITE_LOCK = "kb-write.lock"
"""The file, inside an on-disk store, that a writer holds while it writes (``flock``)."""
SNAPSHOTS = "serve-snapshots"
"""The directory inside an on-disk store where ``kb serve`` keeps its snapshots; one left
by a server that was killed is removed by the next process that opens the store to write."""


class EmbeddedBackend(Backend):
    """A pyoxigraph store: ``path=None`` keeps it in memory (tests, notebooks).

    RocksDB lets one process write a store. When another holds it (a load, ``kb serve``),
    this waits up to ``wait`` seconds for it, then opens a read-only snapshot: queries
    and exports still work and see the last committed state; writing raises StoreError.
    ``read_only`` opens the snapshot at once (``kb validate``: nothing is written; ``kb
    serve``'s readers over the snapshots ``snapshot`` made, which no process writes).
    Staging graphs of a write in progress are never visible to queries.
    """

    transactional = True
    maintains_derived = False

    def __init__(self, path: Path | None, *, wait: float = 0.0, read_only: bool = False) -> None:
        self.location = str(path) if path else MEMORY
        self.path = path
        self.read_only = False
        self._guard = threading.Condition()
        self._writer = threading.Lock()  # one write at a time: they share the journal
        self._writing = 0  # writes in progress in this process (kb serve's threads)
        self._unguarded = 0  # queries starting that would see staging graphs if any existed
        self._applying = False  # a large change is being applied: queries wait
        self._hidden: list[str] = []  # graphs of a bulk write a read-only snapshot caught
        if path is None:
            self.store = Store()
            return
        if read_only:
            self._open_snapshot(path)
            return
        deadline = time.monotonic() + wait
        while True:
            try:
                path.mkdir(parents=True, exist_ok=True)
                self.store = Store(str(path))
                break
            except OSError as err:
                text = str(err)
                if "lock" not in text.lower():
                    raise StoreError(f"cannot open the store {path}: {text}") from None
                if time.monotonic() >= deadline:
                    self._open_snapshot(path)
                    return
                time.sleep(0.1)
        self._recover()
        shutil.rmtree(path / SNAPSHOTS, ignore_errors=True)  # we hold the store: no server does

    def _open_snapshot(self, path: Path) -> None:
        # pyoxigraph opens a read-only store by reading RocksDB's manifest, then its write-
        # ahead logs: a writer working in between (a bulk load's files, a flush) can make
        # the two disagree, and the snapshot a mix. So a snapshot opens only between two
        # writes (the write lock, shared), and a large change cut short is not read.
        # The writer may also compact and delete a file between RocksDB reading the
        # manifest and opening that file ("Corruption: ... No such file"): try again.
        attempt = 0
        while True:
            try:
                with write_lock(path, shared=True, timeout=REDO_WAIT):
                    self.store = Store.read_only(str(path))
            except (OSError, RuntimeError) as err:
                attempt += 1
                if attempt == 50:
                    raise StoreError(
                        f"the store {path} is in use by another kb process and no "
                        f"snapshot of it could be read: {err}"
                    ) from None
                time.sleep(0.05)
                continue
            break
        if journal.redo_of(self.store):
            del self.store
            raise StoreError(
                f"a write to the store {path} was cut short and must be finished first: "
                "open it for writing once (kb stats does)"
            )
        self.read_only = True
        self._hidden = sorted(self._in_progress())

    def _all_graphs(self) -> list[str]:
        return [g.value for g in self.store.named_graphs() if isinstance(g, NamedNode)]

    def _recover(self) -> None:
        """Finish or undo what a write cut short left: a large change it committed is
        applied; graphs a bulk write had journaled, perhaps half written, are removed. Run
        on every writable open, and before each write (a change whose apply failed in this
        process is finished first)."""
        if self.store.contains_named_graph(journal.JOURNAL):
            redo = journal.redo_of(self.store)
            if redo is not None:
                self._apply_redo(redo)
            self._drop_in_progress()
        if self.path is not None and (self.path / REDO_FOLDER).exists():
            for leftover in (self.path / REDO_FOLDER).iterdir():  # written, never committed
                leftover.unlink()

    def _drop_in_progress(self) -> None:
        """Remove the graphs a bulk write journaled, and the journal."""
        if self.store.contains_named_graph(journal.JOURNAL):
            for graph in sorted(self._in_progress()):
                self.store.remove_graph(NamedNode(graph))
            self.store.remove_graph(journal.JOURNAL)

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(
                f"the store {self.location} is in use by another kb process (a load or "
                "kb serve); wait for it to finish (kb load --wait SECONDS), or write "
                "through its server"
            )

    @contextmanager
    def _write_session(self) -> Iterator[None]:
        """Mark a write in progress, so queries started meanwhile skip the graphs a bulk
        write journals; afterwards remove the journal graph its entries leave empty
        (Oxigraph keeps empty named graphs)."""
        self._check_writable()
        with self._writer, write_lock(self.path, shared=False, timeout=None):
            with self._guard:
                self._writing += 1
                self._guard.wait_for(lambda: self._unguarded == 0)
            try:
                self._recover()
                yield
                if self.store.contains_named_graph(journal.JOURNAL) and not (
                    self._in_progress() or journal.redo_of(self.store)
                ):
                    self.store.remove_graph(journal.JOURNAL)
            except BaseException:
                # A failed bulk load committed nothing: the graphs it journaled go, as on
                # open. (A large change committed and not yet applied stays journaled, to
                # be finished before the next write or on the next open.)
                if not journal.redo_of(self.store):
                    self._drop_in_progress()
                raise
            finally:
                with self._guard:
                    self._writing -= 1

    def query(
        self,
        sparql: str,
        substitutions: dict[Any, Any] | None = None,
        dataset: Dataset | None = None,
    ) -> QueryResult:
        """Evaluate a query over the union of the graphs, or over the dataset the caller
        (``dataset``) or the query itself (``FROM``) names."""
        check_depth(sparql)
        options: dict[str, Any] = {"use_default_graph_as_union": True}
        own = dataset is None and has_dataset(sparql)
        # A query either leaves staging graphs out of its default graph, or takes its
        # snapshot before any exist: a write waits for such queries to have started.
        with self._guard:
            self._guard.wait_for(lambda: not self._applying)
            union = dataset is None and not (own or self._writing or self._hidden)
            self._unguarded += union
        try:
            if dataset is not None:
                options = {
                    "default_graph": [NamedNode(g) for g in dataset.default],
                    "named_graphs": [NamedNode(g) for g in dataset.named],
                }
            elif own:
                options = {}  # FROM and FROM NAMED say it all
            elif not union:
                options = {"default_graph": [NamedNode(g) for g in self.named_graphs()]}
            if substitutions:  # written in: see kb.sparql.text.substitute for why
                terms = {var.value: str(term) for var, term in substitutions.items()}
                sparql = substitute(sparql, terms)
            return self.store.query(sparql, prefixes=PREFIXES, **options)
        except SyntaxError as err:
            raise QueryError(f"SPARQL syntax {err}") from None
        except (ValueError, OSError) as err:
            raise QueryError(str(err)) from None
        finally:
            if union:
                with self._guard:
                    self._unguarded -= 1
                    self._guard.notify_all()

    def update(self, sparql: str) -> None:
        check_depth(sparql)
        with self._write_session():  # one writer at a time: a CLEAR must not meet a swap half-way
            try:
                self.store.update(sparql, prefixes=PREFIXES)
            except SyntaxError as err:
                raise QueryError(f"SPARQL syntax {err}") from None
            except (ValueError, OSError) as err:
                raise QueryError(str(err)) from None

    def write(
        self,
        content: dict[str, list[bytes]],
        *,
        insert: Sequence[Quad] = (),
        delete: Sequence[Quad] = (),
    ) -> None:
        """Give each graph of ``content`` exactly the N-Triples lines given (none: the graph
        is removed), and insert and delete single quads in other graphs; all or nothing.
        Only what differs from what is stored is written (``kb.store.changeset``)."""
        with self._write_session():
            existing = {g for g in content if self.store.contains_named_graph(NamedNode(g))}
            changes = diff(self._stored, content, existing)
            changes.add_quads(delete, deleted=True)
            changes.add_quads(insert)
            if not (changes.drop or changes.clear_blank or changes.delete):
                data = b"".join(as_nquads(changes.insert))
                self.store.extend(parse(data, format=RdfFormat.N_QUADS))  # one transaction
            elif self.path is None or changes.size <= TRANSACTION_MAX_CHANGES:
                self.store.update(changes.sparql())  # one transaction
            else:
                self._write_ahead(changes)

    def _stored(self, graph: str) -> bytes:
        return self.store.dump(format=RdfFormat.N_TRIPLES, from_graph=NamedNode(graph))

    def _write_ahead(self, changes: ChangeSet) -> None:
        """A large change: written to files, committed by journaling them, then applied."""
        assert self.path is not None
        folder = self.path / REDO_FOLDER
        folder.mkdir(exist_ok=True)
        token = uuid.uuid4().hex
        for kind, lines in (("delete", changes.delete), ("insert", changes.insert)):
            with open(folder / f"{token}.{kind}.nq", "wb") as out:
                out.writelines(as_nquads(lines))
                out.flush()
                os.fsync(out.fileno())
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        redo = journal.Redo(token, tuple(changes.drop), tuple(changes.clear_blank))
        self.store.extend(journal.redo_entries(redo))  # the commit point
        self._apply_redo(redo)

    def _delete_listed(self, deletes: Path) -> None:
        """Delete the quads an N-Quads file lists, ``DELETE_CHUNK`` per transaction."""
        if deletes.exists():
            lines: dict[str, list[bytes]] = {}
            split_nquads(deletes.read_bytes(), lines)
            for update in ChangeSet(delete=lines).updates(chunk=DELETE_CHUNK):
                self.store.update(update)

    def _apply_redo(self, redo: journal.Redo) -> None:
        """Apply a committed large change (again, after a crash: every step is idempotent),
        then take it off the journal. Queries in this process wait meanwhile."""
        assert self.path is not None
        folder = self.path / REDO_FOLDER
        deletes, inserts = (folder / f"{redo.token}.{k}.nq" for k in ("delete", "insert"))
        with self._guard:
            self._applying = True
        try:
            for graph in redo.drop:
                self.store.remove_graph(NamedNode(graph))
            for graph in redo.clear_blank:
                self.store.update(blank_node_delete(graph))
            self._delete_listed(deletes)
            if inserts.exists() and inserts.stat().st_size:
                self.store.bulk_load(path=str(inserts), format=RdfFormat.N_QUADS)
            self.store.update(f"DELETE DATA {{ {quad_data(journal.redo_entries(redo))} }}")
            for done in (deletes, inserts):
                done.unlink(missing_ok=True)
        finally:
            with self._guard:
                self._applying = False
                self._guard.notify_all()

    def bulk_write(
        self,
        nquads: IO[bytes],
        graphs: list[str],
        *,
        insert: Sequence[Quad],
        also: dict[str, list[Quad]],
    ) -> None:
        """Write new graphs from an N-Quads file with pyoxigraph's bulk loader, and
        ``insert`` (through a staging graph) and the small graphs ``also`` with them.

        The bulk loader is several times faster than a transaction and does not hold the
        data in memory, but it is not one transaction: a crash can leave part of the file
        written, and readers would see it arrive. So ``graphs`` are first listed in the
        journal graph (with ``also``, in one transaction); readers in this process and
        snapshots opened meanwhile leave journaled graphs out; the journal is dropped with
        the entity statements swapped in by one update; and a store opened with a journal
        left behind removes the graphs it lists (``_recover``): all or nothing.
        """
        small = [
            Quad(q.subject, q.predicate, q.object, NamedNode(g))
            for g, qs in also.items()
            for q in qs
        ]
        staged, updates = journal.staged(uuid.uuid4().hex, insert)
        listed = journal.entries([*map(NamedNode, graphs), *(q.graph_name for q in staged)])
        with self._write_session():
            if any(self.store.contains_named_graph(NamedNode(g)) for g in graphs):
                raise ValueError("bulk_write writes new graphs only")
            self.store.extend(listed + small)
            nquads.seek(0, io.SEEK_END)
            nquads.write(serialize(staged, format=RdfFormat.N_QUADS))
            nquads.flush()
            nquads.seek(0)
            self.store.bulk_load(nquads, format=RdfFormat.N_QUADS)
            updates.append(f"DELETE DATA {{ {quad_data(listed)} }}")
            self.store.update(" ;\n".join(updates))

    @contextmanager
    def trial(self) -> Iterator[EmbeddedBackend]:
        """A copy of the store to try a write on: on disk a RocksDB checkpoint beside it
        (hard links: cheap), in memory a second store with every quad."""
        import shutil
        import tempfile

        if self.path is None:
            copy = EmbeddedBackend(None)
            copy.store.extend(self.store.quads_for_pattern(None, None, None, None))
            yield copy
            return
        folder = Path(tempfile.mkdtemp(dir=self.path.parent, prefix=f".{self.path.name}-trial-"))
        try:
            self.store.backup(str(folder / "store"))
            copy = EmbeddedBackend(folder / "store")
            try:
                yield copy
            finally:
                copy.close()
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def named_graphs(self) -> list[str]:
        """Every named graph but those of a write in progress (journaled)."""
        hidden = self._in_progress()
        return sorted(g for g in self._all_graphs() if g not in hidden)

    def existing_graphs(self, graphs: Iterable[str]) -> set[str]:
        found = {g for g in graphs if self.store.contains_named_graph(NamedNode(g))}
        return found - self._in_progress() if found else found

    def _in_progress(self) -> set[str]:
        """Graphs of a write not finished, as its journal lists them (the new graphs of a
        bulk write): a few, read without listing every graph."""
        listed = {
            q.object.value
            for q in self.store.quads_for_pattern(
                journal.JOURNAL, journal.MEMBER, None, journal.JOURNAL
            )
            if isinstance(q.object, NamedNode)
        }
        return listed | {LOAD_JOURNAL_GRAPH} if listed else listed

    def types_of(self, iris: list[str], exclude_graph: str | None) -> dict[str, set[str]]:
        """Types of ``iris`` given by graphs other than ``exclude_graph``.

        A type in ``ekg:entities`` counts only if an article other than ``exclude_graph``
        defines the entity: otherwise it is only what ``exclude_graph`` said.
        """
        rdf_type = NamedNode(RDF + "type")
        source = NamedNode(EK + "source")
        found: dict[str, set[str]] = {}
        for iri in iris:
            node = NamedNode(iri)
            elsewhere: bool | None = None
            for quad in self.store.quads_for_pattern(node, rdf_type, None):
                graph = quad.graph_name.value if isinstance(quad.graph_name, NamedNode) else ""
                if graph == exclude_graph or graph.startswith(STAGING_GRAPH_PREFIX):
                    continue
                if graph == ENTITIES_GRAPH and exclude_graph is not None:
                    if elsewhere is None:
                        elsewhere = any(
                            isinstance(q.graph_name, NamedNode)
                            and q.graph_name.value != exclude_graph
                            and not q.graph_name.value.startswith(STAGING_GRAPH_PREFIX)
                            for q in self.store.quads_for_pattern(node, source, None)
                        )
                    if not elsewhere:
                        continue
                found.setdefault(iri, set()).add(quad.object.value)
        return found

    def graph_quads(self, graphs: list[str] | None) -> Iterator[Quad]:
        names = graphs if graphs is not None else self.named_graphs()
        for graph in names:
            yield from self.store.quads_for_pattern(None, None, None, NamedNode(graph))

    def snapshot(self, target: Path) -> None:
        """The store as it is now, in the new directory ``target``: a RocksDB checkpoint
        (hard links to the immutable table files) of an on-disk store, a copy of one in
        memory. No write of this process is half done in it (they hold ``_writer``)."""
        target.parent.mkdir(parents=True, exist_ok=True)
        with self._writer:
            if self.path is not None:
                self.store.flush()
                self.store.backup(str(target))
                return
            copy = Store(str(target))
            copy.bulk_extend(self.store.quads_for_pattern(None, None, None, None))
            copy.flush()
            del copy

    def extend_from(self, snapshot: Path) -> None:
        """Add every quad of the on-disk store ``snapshot`` (one that ``snapshot`` made):
        how ``kb serve`` gives a new writer of an in-memory store what the last one had."""
        source = Store.read_only(str(snapshot))
        with self._writer:
            self.store.bulk_extend(source.quads_for_pattern(None, None, None, None))
        del source

    def close(self) -> None:
        if self.path is not None and not self.read_only:
            self.store.flush()
        del self.store


@contextmanager
def write_lock(path: Path | None, *, shared: bool, timeout: float | None) -> Iterator[None]:
    """Hold the store's write lock: exclusive while writing, shared while a snapshot opens.
    Nothing for a store in memory, or one whose folder this user cannot write to (a
    snapshot of it opens unguarded, as pyoxigraph allows)."""
    if path is None:
        yield
        return
    try:
        fd = os.open(path / WRITE_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield
        return
    try:
        mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, mode | (fcntl.LOCK_NB if deadline is not None else 0))
                break
            except BlockingIOError:
                if deadline is not None and time.monotonic() > deadline:
                    raise StoreError(
                        f"the store {path} is being written by another kb process; try again"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # releases the lock
