"""Where ``SERVICE <https://query.wikidata.org/sparql>`` goes: the configured endpoint.

Canned federated queries are written against the public Wikidata IRI; ``$KB_WIKIDATA_SPARQL``
(a mirror, or a loopback server in tests) takes its place when set. A text rewrite, cheap when
the IRI is absent, so every query can go through it without importing the Wikidata client.
"""

from __future__ import annotations

import os

from kb.namespaces import WIKIDATA_SPARQL


def endpoint_from_env(explicit: str | None = None) -> str:
    """``explicit``, else ``$KB_WIKIDATA_SPARQL``, else the public endpoint."""
    return explicit or os.environ.get("KB_WIKIDATA_SPARQL") or WIKIDATA_SPARQL


def rewrite_service(sparql: str, endpoint: str | None = None) -> str:
    """Point ``SERVICE <https://query.wikidata.org/sparql>`` at the configured endpoint."""
    target = endpoint_from_env(endpoint)
    if target == WIKIDATA_SPARQL or WIKIDATA_SPARQL not in sparql:
        return sparql
    return sparql.replace(f"<{WIKIDATA_SPARQL}>", f"<{target}>")
