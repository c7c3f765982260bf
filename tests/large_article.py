"""A large fact file in two versions, for tests that need a load that takes a while.

Version 1 and version 2 describe the same article with the same organizations under
different English names, and pair them into cooperations differently, so that both the
article graph and the derived graph (``ek:partnerOf``) tell the versions apart.
"""

from __future__ import annotations

import io
from pathlib import Path

from pyoxigraph import RdfFormat

from kb import KB
from kb.namespaces import DERIVED_GRAPH, EKA

ARTICLE_ID = "example-2025-07-01-large"
ARTICLE = EKA + ARTICLE_ID


def write_version(path: Path, version: int, organizations: int) -> Path:
    """Write version ``version`` (1 or 2) of the article with that many organizations."""
    out = [
        "format: event-kb/1",
        "article:",
        f"  id: {ARTICLE_ID}",
        f"  headline: {{en: 'A large article, version {version}'}}",
        "  publisher: {en: Example News}",
        "  published: 2025-07-01T09:00:00+09:00",
        "  language: ko",
        "entities:",
    ]
    for i in range(organizations):
        out += [
            f"  - id: org-{i}",
            "    type: Organization",
            f"    name: {{en: Org {i} v{version}, ko: 조직 {i}}}",
            "    based_in: south-korea",
        ]
    out.append("facts:")
    for i in range(version % 2, organizations - 1, 2):
        out += [
            "  - type: Cooperation",
            f"    parties: [org-{i}, org-{i + 1}]",
            f"    quote: 조직 {i}와 조직 {i + 1}은 협력한다 (판 {version}).",
        ]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def graph_lines(kb: KB, graph: str) -> frozenset[bytes]:
    """One graph's N-Quads lines (the files make no blank nodes, so lines compare exactly)."""
    out = io.BytesIO()
    kb.export(out, RdfFormat.N_QUADS, [graph])
    return frozenset(out.getvalue().splitlines())


def snapshot(kb: KB) -> tuple[frozenset[bytes], frozenset[bytes]]:
    """The large article's graph and the derived graph."""
    return graph_lines(kb, ARTICLE), graph_lines(kb, DERIVED_GRAPH)
