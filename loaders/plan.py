"""What a load will write, worked out before anything is written: one file at a time."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Quad

from kb.errors import InputError
from kb.formats import rdf_extensions, rdf_format_of_path
from loaders.factfile import TypesOf, plan_fact_file
from loaders.names import lookup_quads
from loaders.rdffile import plan_rdf_file

FACT_FILE_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class PlannedFile:
    """What one input file loads: the named graphs it fills, with how many quads each.

    ``entities``: the ids a fact file defines (its ``entities:``), whose statements the
    store keeps in its entity graph (``kb.store.entity_graph``); RDF files define none.
    """

    path: str
    graphs: dict[str, int]
    entities: frozenset[str] = field(default=frozenset())

    @property
    def quad_count(self) -> int:
        return sum(self.graphs.values())


def plan_file(
    path: str | Path, types_of: TypesOf, *, graph: str | None = None, data: bytes | None = None
) -> tuple[PlannedFile, dict[str, list[Quad]]]:
    """Read, parse and validate one file (by its suffix): its record and its quads by graph.

    Raises InputError on any problem. Every label, alias and id gets its lookup key.
    """
    name = str(path)
    suffix = Path(name).suffix.lower()
    rdf_format = rdf_format_of_path(name)
    if suffix not in FACT_FILE_SUFFIXES and rdf_format is None:
        known = ", ".join(FACT_FILE_SUFFIXES + tuple(rdf_extensions()))
        raise InputError(
            f"unknown file type {suffix or '(none)'!r}; expected one of {known}", path=name
        )
    if data is None:
        try:
            data = Path(name).read_bytes()
        except OSError as err:
            raise InputError(f"cannot read: {err.strerror}", path=name) from None
    if suffix in FACT_FILE_SUFFIXES:
        graph_iri, quads, entities = plan_fact_file(name, data, types_of)
        graphs = {graph_iri: quads + lookup_quads(quads)}
    else:
        assert rdf_format is not None
        graphs = plan_rdf_file(name, data, rdf_format, graph)
        entities = set()
        for quads in graphs.values():
            quads.extend(lookup_quads(quads))
    counts = {g: len(quads) for g, quads in graphs.items()}
    return PlannedFile(name, counts, frozenset(entities)), graphs
