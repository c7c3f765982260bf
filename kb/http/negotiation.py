"""Content negotiation: which media type an answer is written in.

``format=`` names a format the way ``kb.formats`` reads names (``json``, ``turtle``, an
extension or a media type) and wins over ``Accept``; else the best media range of ``Accept``
that is offered (``*/*`` and ``type/*`` take the first offered); else 406.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
    if fmt:
        wanted = by_name(fmt)
        for media, known in offered.items():
            if known == wanted:
                return media
        names = ", ".join(m for m in offered if m not in GENERIC_MEDIA_TYPES)
        raise HTTPError(406, f"format={fmt} is not offered here; use one of {names}")
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


def negotiator(accept: str | None, fmt: str | None) -> Callable[[str], str]:
    """``media(kind)``: the media type for a "solutions" or a "graph" answer."""

    def media(kind: str) -> str:
        if kind == "graph":
            return negotiate(accept, fmt, RDF_MEDIA_TYPES, rdf_format)
        return negotiate(accept, fmt, RESULTS_MEDIA_TYPES, results_format)

    return media
