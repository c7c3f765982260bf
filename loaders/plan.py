"""What a load will write, worked out before anything is written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, Quad

from kb.errors import InputError
from kb.store.entity_graph import records_in, split_entity_statements, statements
from loaders.factfile import TypesOf, plan_fact_file
from loaders.names import lookup_quads
from loaders.rdffile import FORMATS, plan_rdf_file

FACT_FILE_SUFFIXES = (".yaml", ".yml")


@dataclass
class LoadPlan:
    """The graphs one input file replaces, each with its complete new content."""

    path: str
    graphs: dict[str, list[Quad]]

    @property
    def quad_count(self) -> int:
        return sum(len(q) for q in self.graphs.values())


def plan_file(
    path: str | Path, types_of: TypesOf, *, graph: str | None = None, data: bytes | None = None
) -> LoadPlan:
    """Read, parse and validate one file (by its suffix); raise InputError on any problem."""
    name = str(path)
    suffix = Path(name).suffix.lower()
    if suffix not in FACT_FILE_SUFFIXES and suffix not in FORMATS:
        known = ", ".join(FACT_FILE_SUFFIXES + tuple(FORMATS))
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
        quads.extend(lookup_quads(quads))
        return LoadPlan(
            name, {graph_iri: split_entity_statements(NamedNode(graph_iri), quads, entities)}
        )
    graphs = plan_rdf_file(name, data, suffix, graph)
    for quads in graphs.values():
        try:  # records written by hand, or a graph exported by kb export
            described = {t.subject for t in statements(records_in(quads))}
        except SyntaxError as err:
            raise InputError(
                f"an ek:entityStatement is not one N-Triples statement: {err}", path=name
            ) from None
        # an entity described by records has its lookup keys there too
        quads.extend(q for q in lookup_quads(quads) if q.subject not in described)
    return LoadPlan(name, graphs)
