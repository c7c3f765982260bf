"""Where the quads live. ``EmbeddedBackend`` is pyoxigraph on disk or in memory; a remote
SPARQL 1.1 server implements the same few methods (see ``kb.remote``).

The KB above never touches pyoxigraph's ``Store`` directly, so every command works the
same against either.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Protocol

from pyoxigraph import (
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    serialize,
)

from kb.errors import QueryError, StoreError
from kb.namespaces import PREFIXES, RDF, STAGING_GRAPH_PREFIX

QueryResult = QuerySolutions | QueryBoolean | QueryTriples


class Backend(Protocol):
    """The operations the KB needs from a store."""

    location: str

    def query(
        self,
        sparql: str,
        substitutions: dict[Any, Any] | None = None,
        exclude_graphs: Iterable[str] = (),
    ) -> QueryResult: ...

    def replace_graphs(self, graphs: dict[str, list[Quad]]) -> None:
        """Give each named graph exactly the quads given; all graphs or none (embedded)."""

    def named_graphs(self) -> list[str]: ...

    def types_of(self, iris: list[str], exclude_graph: str | None) -> dict[str, set[str]]: ...

    def dump(self, output: IO[bytes], fmt: RdfFormat, graphs: list[str] | None) -> None: ...

    def close(self) -> None: ...


class EmbeddedBackend:
    """A pyoxigraph store: ``path=None`` keeps it in memory (tests, notebooks)."""

    def __init__(self, path: Path | None) -> None:
        self.location = str(path) if path else ":memory:"
        if path is None:
            self.store = Store()
            return
        try:
            path.mkdir(parents=True, exist_ok=True)
            self.store = Store(str(path))
        except OSError as err:
            text = str(err)
            if "lock" in text.lower():
                raise StoreError(
                    f"the store {path} is in use by another kb process (a load or kb serve); "
                    "wait for it to finish, or query it through its server"
                ) from None
            raise StoreError(f"cannot open the store {path}: {text}") from None
        self._drop_staging()

    def _drop_staging(self) -> None:
        """Remove graphs a load killed half-way left behind: they were never swapped in."""
        for graph in self.named_graphs():
            if graph.startswith(STAGING_GRAPH_PREFIX):
                self.store.remove_graph(NamedNode(graph))

    def query(
        self,
        sparql: str,
        substitutions: dict[Any, Any] | None = None,
        exclude_graphs: Iterable[str] = (),
    ) -> QueryResult:
        excluded = set(exclude_graphs)
        options: dict[str, Any] = {"use_default_graph_as_union": True}
        if excluded:
            options = {
                "default_graph": [NamedNode(g) for g in self.named_graphs() if g not in excluded]
            }
        try:
            return self.store.query(
                sparql, prefixes=PREFIXES, substitutions=substitutions, **options
            )
        except SyntaxError as err:
            raise QueryError(f"SPARQL syntax {err}") from None
        except (ValueError, OSError) as err:
            raise QueryError(str(err)) from None

    def replace_graphs(self, graphs: dict[str, list[Quad]]) -> None:
        # New graphs are written straight in: extend() is one transaction. Graphs that exist
        # are written to staging graphs first, then swapped in by one SPARQL update (also one
        # transaction), so a reader or a crash sees the old article or the new, never a mix.
        token = uuid.uuid4().hex
        batch: list[Quad] = []
        moves: list[str] = []
        for i, (graph, quads) in enumerate(graphs.items()):
            target = NamedNode(graph)
            if self.store.contains_named_graph(target):
                staging = NamedNode(f"{STAGING_GRAPH_PREFIX}{token}/{i}")
                moves.append(f"MOVE SILENT GRAPH {staging} TO {target}")
                target = staging
            batch.extend(Quad(q.subject, q.predicate, q.object, target) for q in quads)
        self.store.extend(batch)
        if moves:
            self.store.update(" ;\n".join(moves))

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, NamedNode))

    def types_of(self, iris: list[str], exclude_graph: str | None) -> dict[str, set[str]]:
        rdf_type = NamedNode(RDF + "type")
        found: dict[str, set[str]] = {}
        for iri in iris:
            for quad in self.store.quads_for_pattern(NamedNode(iri), rdf_type, None):
                graph = quad.graph_name
                if isinstance(graph, NamedNode) and graph.value == exclude_graph:
                    continue
                found.setdefault(iri, set()).add(quad.object.value)
        return found

    def dump(self, output: IO[bytes], fmt: RdfFormat, graphs: list[str] | None) -> None:
        names = graphs if graphs is not None else self.named_graphs()
        quads: Iterator[Quad] = (
            q for g in names for q in self.store.quads_for_pattern(None, None, None, NamedNode(g))
        )
        serialize(quads, output, fmt, prefixes=PREFIXES if fmt == RdfFormat.TRIG else None)

    def close(self) -> None:
        if self.location != ":memory:":
            self.store.flush()
        del self.store
