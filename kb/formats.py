"""Every format the KB reads or writes, in one table built on pyoxigraph's own enums.

A format is named the way a user or a client names it, and every command and the server
take the same names:

- our short names: ``turtle``, ``ntriples``, ``nquads``, ``trig``, ``n3``, ``rdfxml``,
  ``jsonld`` for RDF; ``csv``, ``tsv``, ``json``, ``xml`` for SELECT/ASK results; plus the
  names real clients send (SPARQLWrapper's ``json-ld``, ``rdf+xml``);
- what the Oxigraph CLI takes: a file extension (``ttl``, ``nt``, ``rdf``, ``srj``) or a
  media type (``text/turtle``, ``application/sparql-results+json``).

A name means a results format for SELECT/ASK answers and an RDF format for graphs, as in
the Oxigraph CLI: ``json`` is SPARQL JSON for a SELECT and JSON-LD for a CONSTRUCT, ``xml``
is SPARQL XML or RDF/XML.

>>> rdf_format("ttl") == rdf_format("text/turtle") == rdf_format("turtle") == RdfFormat.TURTLE
True
>>> results_format("json") == QueryResultsFormat.JSON and rdf_format("json") == RdfFormat.JSON_LD
True
>>> rdf_format_of_path("ontology.owl") == RdfFormat.RDF_XML
True
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from pyoxigraph import QueryResultsFormat, RdfFormat

RDF_FORMATS: dict[str, RdfFormat] = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "nquads": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
    "n3": RdfFormat.N3,
    "rdfxml": RdfFormat.RDF_XML,
    "jsonld": RdfFormat.JSON_LD,
}
"""Our name of each RDF format pyoxigraph reads and writes (the first name of each)."""
RESULTS_FORMATS: dict[str, QueryResultsFormat] = {
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
}
"""Our name of each W3C SPARQL results format."""
TABLE = "table"
"""The aligned text table for people (``kb.sparql.table``): not a standard format."""

_RDF_ALIASES = {
    "json-ld": RdfFormat.JSON_LD,
    "rdf+xml": RdfFormat.RDF_XML,
    "owl": RdfFormat.RDF_XML,  # .owl files are RDF/XML unless they say otherwise
    "text/plain": RdfFormat.N_TRIPLES,  # the N-Triples media type before RDF 1.1
}
_RESULTS_ALIASES = {
    "sparql-results+json": QueryResultsFormat.JSON,
    "sparql-results+xml": QueryResultsFormat.XML,
}
RESULTS_MEDIA_TYPES: dict[str, QueryResultsFormat] = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
    "application/json": QueryResultsFormat.JSON,
    "application/xml": QueryResultsFormat.XML,
    "text/xml": QueryResultsFormat.XML,
}
"""Media types a SELECT/ASK answer is offered in, the default first; the last three are the
generic types that clients send and servers answer with."""
RDF_MEDIA_TYPES: dict[str, RdfFormat] = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/trig": RdfFormat.TRIG,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/n-quads": RdfFormat.N_QUADS,
    "text/n3": RdfFormat.N3,
    "text/plain": RdfFormat.N_TRIPLES,
}
"""Media types a graph is offered in, the default first."""


def _named(name: str, tables: tuple[dict[str, Any], ...], enum: Any) -> Any:
    """Look ``name`` up in our tables (names, aliases, then media types), then as an
    extension or media type of pyoxigraph's ``enum``; None if nothing knows it."""
    key = name.strip().lower().removeprefix(".")
    media = key.split(";")[0].strip()
    for table in tables:
        found = table.get(key) or table.get(media)
        if found is not None:
            return found
    return enum.from_extension(key) or enum.from_media_type(media)


def rdf_format(name: str) -> RdfFormat | None:
    """The RDF format ``name`` means: our name, an extension or a media type; else None."""
    found: RdfFormat | None = _named(name, (RDF_FORMATS, _RDF_ALIASES, RDF_MEDIA_TYPES), RdfFormat)
    return found


def results_format(name: str) -> QueryResultsFormat | None:
    """The SELECT/ASK results format ``name`` means, likewise; else None."""
    found: QueryResultsFormat | None = _named(
        name, (RESULTS_FORMATS, _RESULTS_ALIASES, RESULTS_MEDIA_TYPES), QueryResultsFormat
    )
    return found


FILE_EXTENSIONS: dict[str, RdfFormat] = {
    **{f".{fmt.file_extension}": fmt for fmt in RDF_FORMATS.values()},
    ".owl": RdfFormat.RDF_XML,
    ".xml": RdfFormat.RDF_XML,
    ".json": RdfFormat.JSON_LD,
}
"""The extensions ``kb load`` reads as RDF (not ``.txt``, which pyoxigraph would read as
N-Triples: a text file is more often notes than triples)."""


def rdf_format_of_path(path: str | PurePath) -> RdfFormat | None:
    """The RDF format a file's extension says (``.ttl``, ``.rdf``, ``.owl``, ...); else None."""
    return FILE_EXTENSIONS.get(PurePath(path).suffix.lower())


def rdf_name(fmt: RdfFormat) -> str:
    """Our name of an RDF format (``turtle``)."""
    return next(name for name, known in RDF_FORMATS.items() if known == fmt)


def results_name(fmt: QueryResultsFormat) -> str:
    """Our name of a results format (``json``)."""
    return next(name for name, known in RESULTS_FORMATS.items() if known == fmt)


def rdf_extensions() -> list[str]:
    """The file extensions ``kb load`` reads as RDF, for messages and help."""
    return sorted(FILE_EXTENSIONS)
