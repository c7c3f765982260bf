"""What a load will write, worked out before anything is written: one file at a time.

``parse_file`` reads, parses and checks one file on its own (syntax, schema, values) and
indexes what it defines and references; the references are checked once the whole batch
is parsed (``loaders.references.check_batch``), so files of one batch may refer to each
other in any order. ``plan_file`` does both for a batch of one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode, Quad, RdfFormat

from kb.errors import InputError
from kb.formats import RDF_FORMATS, rdf_extensions, rdf_format, rdf_format_of_path
from loaders.factfile import plan_fact_file
from loaders.names import lookup_quads
from loaders.rdffile import plan_rdf_file
from loaders.references import FileIndex, KBView, TypesOf, TypesView, check_batch
from loaders.source import STDIN_NAME, LineFinder, display_name, is_stdin, read_input

FACT_FILE_SUFFIXES = (".yaml", ".yml")
FACT_FILE_FORMATS = ("yaml", "yml", "application/yaml", "application/x-yaml", "text/yaml")
"""What ``--format`` calls a fact file (our name first)."""
FACT_FILE = "yaml"


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


def input_format(path: str | Path, format: str | None = None) -> str | RdfFormat:
    """How ``path`` is read: ``FACT_FILE`` or an RDF format. ``format`` (``--format``: a
    name, extension or media type of ``kb.formats``, or ``yaml``) says it for a file whose
    name says nothing, or overrides its name; without it the extension decides, and
    standard input holds a fact file. Raises InputError, naming the file, if neither does."""
    name = display_name(path)
    if format is not None:
        key = format.strip().lower().removeprefix(".")
        if key in FACT_FILE_FORMATS:
            return FACT_FILE
        found = rdf_format(key) if key else None
        if found is None:
            known = ", ".join((FACT_FILE, *RDF_FORMATS))
            raise InputError(
                f"unknown format {format!r} (--format); expected one of {known}, "
                "or an RDF file extension or media type",
                path=name,
            )
        return found
    if is_fact_file(path):
        return FACT_FILE
    found = rdf_format_of_path(name)
    if found is None:
        suffix = Path(name).suffix.lower()
        known = ", ".join(FACT_FILE_SUFFIXES + tuple(rdf_extensions()))
        raise InputError(
            f"unknown file type {suffix or '(none)'!r}; expected one of {known}, "
            "or say it with --format NAME",
            path=name,
        )
    return found


def check_base(base: str | None, path: str | Path) -> None:
    """InputError, naming the file, if ``base`` (``--base``) is not an absolute IRI."""
    if base is None:
        return
    try:
        NamedNode(base)
    except ValueError as err:
        raise InputError(
            f"--base {base!r} is not an absolute IRI ({err}); give one such as "
            "https://example.org/data/",
            path=display_name(path),
        ) from None


def parse_file(
    path: str | Path,
    *,
    graph: str | None = None,
    data: bytes | None = None,
    format: str | None = None,
    base: str | None = None,
) -> tuple[PlannedFile, dict[str, list[Quad]]]:
    """Read, parse and check one file: its record and its quads by graph.

    ``format``: how to read it (``input_format``), else its suffix says. ``base``: the IRI
    relative IRIs in RDF resolve against (default ``file:///`` and the file's path; none
    for standard input); fact files hold no relative IRIs. Raises InputError on any
    problem found in the file itself. Every label, alias and id gets its lookup key.
    References to other files and to the KB are not checked here.
    """
    name = display_name(path)
    how = input_format(path, format)
    check_base(base, path)
    fact_file = how == FACT_FILE
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
        assert isinstance(how, RdfFormat)
        if base is None and not is_stdin(path):
            base = f"file:///{name.lstrip('/')}"
        graphs, index = plan_rdf_file(name, data, how, graph, finder, base=base)
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
    format: str | None = None,
    base: str | None = None,
) -> tuple[PlannedFile, dict[str, list[Quad]]]:
    """``parse_file``, then its references checked against ``kb`` (a batch of one file).

    ``kb``: a ``KBView``, or a function giving the types of entity IRIs outside a graph
    (``Backend.types_of``).
    """
    planned, graphs = parse_file(path, graph=graph, data=data, format=format, base=base)
    view = kb if hasattr(kb, "about") else TypesView(kb, set(graphs))  # type: ignore[arg-type]
    check_batch([planned], view)  # type: ignore[arg-type]
    return planned, graphs
