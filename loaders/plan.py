"""What a load will write, worked out before anything is written: one file at a time.

``parse_file`` reads, parses and checks one file on its own (syntax, schema, values) and
indexes what it defines and references; the references are checked once the whole batch
is parsed (``loaders.references.check_batch``), so files of one batch may refer to each
other in any order. ``plan_file`` does both for a batch of one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Quad

from kb.errors import InputError
from kb.formats import rdf_extensions, rdf_format_of_path
from loaders.factfile import plan_fact_file
from loaders.names import lookup_quads
from loaders.rdffile import plan_rdf_file
from loaders.references import FileIndex, KBView, TypesOf, TypesView, check_batch
from loaders.source import STDIN_NAME, LineFinder, display_name, is_stdin, read_input

FACT_FILE_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class PlannedFile:
    """What one input file loads: the named graphs it fills, with how many quads each.

    ``entities``: the ids a fact file defines (its ``entities:``), whose statements the
    store keeps in its entity graph (``kb.store.entity_graph``); RDF files define none.
    ``describes``: the graphs that hold the ``ek:Article`` they are named after.
    ``index``: what the file defines and references (``loaders.references``).
    """

    path: str
    graphs: dict[str, int]
    entities: frozenset[str] = field(default=frozenset())
    describes: frozenset[str] = field(default=frozenset())
    index: FileIndex = field(default_factory=FileIndex, compare=False, repr=False)

    @property
    def quad_count(self) -> int:
        return sum(self.graphs.values())


def is_fact_file(path: str | Path) -> bool:
    """A fact file by its suffix; standard input holds one."""
    return (
        is_stdin(path)
        or str(path) == STDIN_NAME
        or Path(str(path)).suffix.lower() in FACT_FILE_SUFFIXES
    )


def parse_file(
    path: str | Path, *, graph: str | None = None, data: bytes | None = None
) -> tuple[PlannedFile, dict[str, list[Quad]]]:
    """Read, parse and check one file (by its suffix): its record and its quads by graph.

    Raises InputError on any problem found in the file itself. Every label, alias and id
    gets its lookup key. References to other files and to the KB are not checked here.
    """
    name = display_name(path)
    fact_file = is_fact_file(path)
    rdf_format = None if fact_file else rdf_format_of_path(name)
    if not fact_file and rdf_format is None:
        suffix = Path(name).suffix.lower()
        known = ", ".join(FACT_FILE_SUFFIXES + tuple(rdf_extensions()))
        raise InputError(
            f"unknown file type {suffix or '(none)'!r}; expected one of {known}", path=name
        )
    if fact_file and graph is not None:
        raise InputError(
            "--graph applies to RDF files only: a fact file names its article graph "
            "(article.id); leave --graph out",
            path=name,
        )
    if data is None:
        data = read_input(path)
        finder = LineFinder(str(path))
    else:
        finder = LineFinder(name, data)
    if fact_file:
        graph_iri, quads, entities, index = plan_fact_file(name, data)
        graphs = {graph_iri: quads + lookup_quads(quads)}
        describes = frozenset({graph_iri})
    else:
        assert rdf_format is not None
        graphs, index = plan_rdf_file(name, data, rdf_format, graph, finder)
        entities = set()
        for quads in graphs.values():
            quads.extend(lookup_quads(quads))
        describes = frozenset(index.articles)
    counts = {g: len(quads) for g, quads in graphs.items()}
    return PlannedFile(name, counts, frozenset(entities), describes, index), graphs


def plan_file(
    path: str | Path,
    kb: KBView | TypesOf,
    *,
    graph: str | None = None,
    data: bytes | None = None,
) -> tuple[PlannedFile, dict[str, list[Quad]]]:
    """``parse_file``, then its references checked against ``kb`` (a batch of one file).

    ``kb``: a ``KBView``, or a function giving the types of entity IRIs outside a graph
    (``Backend.types_of``).
    """
    planned, graphs = parse_file(path, graph=graph, data=data)
    view = kb if hasattr(kb, "about") else TypesView(kb, set(graphs))  # type: ignore[arg-type]
    check_batch([planned], view)  # type: ignore[arg-type]
    return planned, graphs
