"""``EmbeddedBackend``: the KB in pyoxigraph's own store, on disk (RocksDB) or in memory.

One process writes an on-disk store at a time (RocksDB's lock); others open a read-only
snapshot. Within the process, ``kb serve``'s threads read while one writes: a write that
goes through staging graphs or the bulk loader lists them in the load journal
(``kb.store.journal``), and queries leave them out, so a reader sees the old article or the
new, never a mix.
"""

from __future__ import annotations

import io
import shutil
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from pyoxigraph import NamedNode, Quad, RdfFormat, Store, serialize

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
from kb.store.backend import MEMORY, Dataset, QueryResult

SNAPSHOTS = "serve-snapshots"
"""The directory inside an on-disk store where ``kb serve`` keeps its snapshots; one left
by a server that was killed is removed by the next process that opens the store to write."""


class EmbeddedBackend:
    """A pyoxigraph store: ``path=None`` keeps it in memory (tests, notebooks).

    RocksDB lets one process write a store. When another holds it (a load, ``kb serve``),
    this waits up to ``wait`` seconds for it, then opens a read-only snapshot: queries
    and exports still work and see the last committed state; writing raises StoreError.
    Staging graphs of a write in progress are never visible to queries.

    ``read_only=True`` opens a store no process writes (a snapshot ``kb serve`` made with
    ``snapshot``) as it is: pyoxigraph leaves undefined what a read-only open sees of a
    store another process is writing, which a snapshot never is.
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
        self._hidden: list[str] = []  # staging graphs a read-only snapshot caught
        if path is None:
            self.store = Store()
            return
        if read_only:
            try:
                self.store = Store.read_only(str(path))
            except OSError as err:
                raise StoreError(f"cannot open the store {path}: {err}") from None
            self.read_only = True
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
        self._drop_staging()
        shutil.rmtree(path / SNAPSHOTS, ignore_errors=True)  # we hold the store: no server does

    def _open_snapshot(self, path: Path) -> None:
        # The writer may compact and delete a file between RocksDB reading the manifest
        # and opening that file ("Corruption: ... No such file"): a race, so try again.
        for attempt in range(50):
            try:
                self.store = Store.read_only(str(path))
                break
            except (OSError, RuntimeError) as err:
                if attempt == 49:
                    raise StoreError(
                        f"the store {path} is in use by another kb process and no "
                        f"snapshot of it could be read: {err}"
                    ) from None
                time.sleep(0.05)
        self.read_only = True
        self._hidden = sorted(self._in_progress())

    def _all_graphs(self) -> list[str]:
        return [g.value for g in self.store.named_graphs() if isinstance(g, NamedNode)]

    def _drop_staging(self) -> None:
        """Remove graphs a load killed half-way left behind: staging graphs, never swapped
        in, and the graphs a bulk write had journaled, perhaps half written."""
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
        """Mark a write in progress, so queries started meanwhile skip its staging graphs;
        afterwards remove the journal graph its entries leave empty (Oxigraph keeps empty
        named graphs)."""
        self._check_writable()
        with self._writer:
            with self._guard:
                self._writing += 1
                self._guard.wait_for(lambda: self._unguarded == 0)
            try:
                yield
                if self.store.contains_named_graph(journal.JOURNAL) and not self._in_progress():
                    self.store.remove_graph(journal.JOURNAL)
            except BaseException:
                # A failed update or bulk load committed nothing of the swap: what the
                # journal lists (staging graphs, graphs new in this write) goes, as on open.
                self._drop_staging()
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

    def replace_graphs(
        self,
        graphs: dict[str, list[Quad]],
        *,
        insert: Sequence[Quad] = (),
        delete: Sequence[Quad] = (),
    ) -> None:
        # New graphs are written straight in: extend() is one transaction. Graphs that exist
        # are written to staging graphs first, then swapped in by one SPARQL update (also
        # one transaction), so a reader or a crash sees the old article or the new, never a
        # mix. Inserted quads go in with the graphs; if graphs are swapped, they too wait
        # in a staging graph for the update, which also makes the deletions.
        # An empty list removes the graph (MOVE from a graph that does not exist).
        # Staging graphs are listed in the journal graph with them and taken off it by the
        # update, so a crash between the two leaves them listed, for the next open to drop.
        token = uuid.uuid4().hex
        batch: list[Quad] = []
        updates: list[str] = []
        with self._write_session():
            for i, (graph, quads) in enumerate(graphs.items()):
                target = NamedNode(graph)
                if self.store.contains_named_graph(target):
                    staging = journal.staging_graph(token, i)
                    updates.append(f"MOVE SILENT GRAPH {staging} TO {target}")
                    target = staging
                batch.extend(Quad(q.subject, q.predicate, q.object, target) for q in quads)
            if updates:
                staged, adds = journal.staged(token, insert)
                batch.extend(staged)
                updates.extend(adds)
                listed = journal.entries(q.graph_name for q in batch)
                batch.extend(listed)
                updates.append(f"DELETE DATA {{ {quad_data(listed)} }}")
            else:
                batch.extend(insert)
            if delete:
                updates.append(f"DELETE DATA {{ {quad_data(delete)} }}")
            self.store.extend(batch)
            if updates:
                self.store.update(" ;\n".join(updates))

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
        left behind removes the graphs it lists (``_drop_staging``): all or nothing.
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

    def named_graphs(self) -> list[str]:
        """Every named graph but those of a write in progress (staging, journaled)."""
        hidden = self._in_progress()
        return sorted(g for g in self._all_graphs() if g not in hidden)

    def existing_graphs(self, graphs: Iterable[str]) -> set[str]:
        found = {g for g in graphs if self.store.contains_named_graph(NamedNode(g))}
        return found - self._in_progress() if found else found

    def _in_progress(self) -> set[str]:
        """Graphs of a write not finished, as its journal lists them (staging graphs, the
        new graphs of a bulk write): a few, read without listing every graph."""
        listed = {
            q.object.value
            for q in self.store.quads_for_pattern(journal.JOURNAL, None, None, journal.JOURNAL)
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
