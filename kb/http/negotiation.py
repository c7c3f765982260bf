"""Content negotiation: which media type an answer is written in.

``format=`` names a format the way ``kb.formats`` reads names (``json``, ``xml``, ``csv``,
``tsv``, ``turtle``, ``n3``, ``json-ld``, ``jsonld``, an extension or a media type), and
wins over ``Accept`` when it names a format of the answer's kind: for a graph ``xml`` is
RDF/XML and ``json`` JSON-LD, as the Oxigraph CLI reads them. A name that means nothing
for the answer (``format=yaml``, or ``turtle`` for a SELECT) is left to ``Accept``, as
real clients send one whatever the query (SPARQLWrapper sends ``format=xml`` with every
CONSTRUCT by default, and both ``format=json-ld`` and ``format=application/ld+json``,
of which the last counts). Then the best media range of ``Accept`` that is offered
(``*/*`` and ``type/*`` take the first offered); else 406.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kb.formats import RDF_MEDIA_TYPES, RESULTS_MEDIA_TYPES, rdf_format, results_format
from kb.http.messages import HTTPError

GENERIC_MEDIA_TYPES = frozenset({"application/json", "application/xml", "text/xml", "text/plain"})
"""Media types offered for what clients send, not listed as the name of a format."""


def accepted(accept: str) -> list[str]:
    """Media ranges of an Accept header, best first (q=0 dropped; stable for ties)."""
    ranges: list[tuple[float, int, str]] = []
    for i, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media and q > 0:
            ranges.append((-q, i, media.lower()))
    return [media for _, _, media in sorted(ranges)]


def negotiate(
    accept: str | None,
    fmt: str | None,
    offered: Mapping[str, Any],
    by_name: Callable[[str], Any],
) -> str:
    """The media type of ``offered`` (media type → format) to answer with; 406 if none.

    ``by_name`` reads a ``format=`` name (``kb.formats.rdf_format`` or ``results_format``).
    """
    wanted = by_name(fmt) if fmt else None
    for media, known in offered.items():
        if wanted is not None and known == wanted:
            return media
    default = next(iter(offered))
    for media in accepted(accept or "*/*"):
        if media in offered:
            return media
        if media == "*/*":
            return default
        if media.endswith("/*"):
            prefix = media[:-1]
            for candidate in offered:
                if candidate.startswith(prefix):
                    return candidate
    listed = ", ".join(m for m in offered if m not in GENERIC_MEDIA_TYPES)
    raise HTTPError(406, f"cannot answer in {accept}; this answer is available as {listed}")


@dataclass(frozen=True)
class Negotiation:
    """``media(kind)``: the media type for a "solutions" or a "graph" answer, chosen once
    the answer's kind is known (in the worker that evaluates it: this travels there)."""

    accept: str | None
    fmt: str | None

    def __call__(self, kind: str) -> str:
        if kind == "graph":
            return negotiate(self.accept, self.fmt, RDF_MEDIA_TYPES, rdf_format)
        return negotiate(self.accept, self.fmt, RESULTS_MEDIA_TYPES, results_format)


def negotiator(accept: str | None, fmt: str | None) -> Negotiation:
    """The negotiation for a request's ``Accept`` header and ``format=`` parameter."""
    return Negotiation(accept, fmt)
