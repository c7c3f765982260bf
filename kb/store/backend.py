"""What the KB needs from a store, and which store a location names.

Two stores implement ``Backend``: ``EmbeddedBackend`` (pyoxigraph on disk or in memory) and
``RemoteBackend`` (a SPARQL 1.1 server). The KB above never touches pyoxigraph's ``Store``
directly, so every command works the same against either; where they differ, the protocol
says so with a capability (``transactional``, ``path``) rather than the caller asking which
class it holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from pyoxigraph import Quad, QueryBoolean, QuerySolutions, QueryTriples

from kb.store.changeset import content_lines

QueryResult = QuerySolutions | QueryBoolean | QueryTriples
MEMORY = ":memory:"
"""The location of a store that lives in memory (tests, notebooks; nothing is kept)."""


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a query reads when the caller names it, as the SPARQL 1.1 Protocol's
    ``default-graph-uri`` and ``named-graph-uri`` do: the default graph is the merge of
    ``default`` (none: an empty default graph), and ``GRAPH`` sees only ``named``.

    Without one, a query reads the dataset its own ``FROM`` / ``FROM NAMED`` give, and a
    query without those reads the union of every graph, with every named graph for ``GRAPH``.
    """

    default: tuple[str, ...] = ()
    named: tuple[str, ...] = ()


class Backend(Protocol):
    """The operations the KB needs from a store. Both stores subclass it, and so share
    what is the same for every store (``replace_graphs``)."""

    location: str
    read_only: bool
    """Writes raise StoreError (another process holds an embedded store)."""
    transactional: bool
    """``replace_graphs`` writes every graph it is given in one transaction."""
    maintains_derived: bool
    """The store keeps ``ekg:entities`` and ``ekg:derived`` in step with the articles itself
    (another ``kb serve``, which also refuses writes to system graphs): the KB writes the
    articles and leaves the rest to it."""
    path: Path | None
    """The directory of an embedded store on disk: worker processes can open read-only
    snapshots of it, and ``bulk_write`` is available. None for memory and servers."""

    def query(
        self,
        sparql: str,
        substitutions: dict[Any, Any] | None = None,
        dataset: Dataset | None = None,
    ) -> QueryResult: ...

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update; one transaction."""

    def replace_graphs(
        self,
        graphs: dict[str, list[Quad]],
        *,
        insert: Sequence[Quad] = (),
        delete: Sequence[Quad] = (),
    ) -> None:
        """Give each named graph exactly the quads given (``[]`` removes it), and insert and
        delete single quads in other graphs; all of it or none when ``transactional``.
        The same for every store: ``write`` of the graphs' N-Triples lines."""
        self.write(content_lines(graphs), insert=insert, delete=delete)

    def write(
        self,
        content: dict[str, list[bytes]],
        *,
        insert: Sequence[Quad] = (),
        delete: Sequence[Quad] = (),
    ) -> None:
        """Give each graph of ``content`` exactly the N-Triples lines given (``[]`` removes
        it), and insert and delete single quads in other graphs; all of it or none when
        ``transactional`` (``kb.store.changeset`` has the line format)."""

    def bulk_write(
        self,
        nquads: IO[bytes],
        graphs: list[str],
        *,
        insert: Sequence[Quad],
        also: dict[str, list[Quad]],
    ) -> None:
        """Write the new ``graphs`` from an N-Quads file, fast, with ``insert`` and the small
        graphs ``also``; all or nothing. Only where ``path`` is set."""

    def trial(self) -> AbstractContextManager[Backend | None]:
        """A throwaway copy of the store to try a write on first (a SPARQL update, whose
        effect only running it shows), or None where there can be none (a server)."""

    def named_graphs(self) -> list[str]:
        """Every named graph (a store of 10M quads has tens of thousands: list sparingly)."""

    def existing_graphs(self, graphs: Iterable[str]) -> set[str]:
        """Which of ``graphs`` exist, without listing every graph."""

    def types_of(self, iris: list[str], exclude_graph: str | None) -> dict[str, set[str]]:
        """Types of ``iris`` given by graphs other than ``exclude_graph`` (see
        ``kb.store.entity_graph`` for how the entity graph counts)."""

    def graph_quads(self, graphs: list[str] | None) -> Iterator[Quad]:
        """The quads of the named graphs given (all of them for None), graph by graph."""

    def snapshot(self, target: Path) -> None:
        """Write the store as it is now into the new directory ``target``, as an on-disk
        store that nothing else writes (``kb serve``'s readers open it read-only). Only an
        embedded store (on disk: hard links, cheap; in memory: a copy)."""

    def close(self) -> None: ...


def open_store(
    location: str | Path | None, *, wait: float = 0.0, read_only: bool = False
) -> Backend | None:
    """``None`` or ``:memory:`` → in memory; ``http(s)://…`` → remote server; else a path.

    ``wait``: seconds to wait for another process's hold on an on-disk store to end.
    ``read_only``: open an on-disk store as a snapshot, never writing to it (not even to
    finish a write cut short); None when there is no store at the path (none is made).
    """
    if location is None or str(location) == MEMORY:
        from kb.store.embedded import EmbeddedBackend

        return EmbeddedBackend(None)
    text = str(location)
    if text.startswith(("http://", "https://")):
        from kb.store.remote import RemoteBackend

        return RemoteBackend(text)
    from kb.store.embedded import EmbeddedBackend

    path = Path(text).expanduser()
    if read_only and not (path.is_dir() and any(path.iterdir())):
        return None
    return EmbeddedBackend(path, wait=wait, read_only=read_only)
