"""Shared fixtures: a real pyoxigraph store in memory or on disk, a CLI runner, sample files."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import CanonicalizationAlgorithm, Dataset, Quad, RdfFormat, parse

from kb import KB
from kb.store.entity_graph import article_content
from loaders.plan import plan_file
from tests.servers import Virtuoso, virtuoso_server

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).parent.parent
SEED_FACTS = REPO / "facts" / "bizwatch-2025-05-23-naver-nvidia.yaml"
HEADLINE_CSV = (
    "ask",
    "partners-expanding",
    "--org",
    "NVIDIA",
    "--region",
    "Middle East",
    "--format",
    "csv",
)
"""The headline question as `kb` arguments, answered as CSV."""
TURTLE_PREFIXES = (
    "@prefix ek: <https://w3id.org/event-kb/ontology#> .\n"
    "@prefix ekr: <https://w3id.org/event-kb/id/> .\n"
    "@prefix eka: <https://w3id.org/event-kb/article/> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
)
"""Prefix lines for Turtle and TriG written by tests."""


@pytest.fixture(scope="session")
def seed_kb() -> KB:
    """The seeded KB in memory, shared by tests that only read."""
    return KB(None)


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """A private Virtuoso for the session (started once: a few seconds), set up as
    docs/virtuoso.sql says. Skipped where Virtuoso is not installed, except in CI."""
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


@pytest.fixture
def kb() -> KB:
    """A fresh seeded KB in memory, for tests that write."""
    return KB(None)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def planned_graphs(kb: KB, path: Path) -> dict[str, list[Quad]]:
    """What loading ``path`` would write into each graph, in the store's layout."""
    planned, graphs = plan_file(path, kb.backend.types_of)
    return {g: article_content(g, qs, planned.entities)[0] for g, qs in graphs.items()}


def export_nquads(kb: KB) -> bytes:
    """The whole store as sorted N-Quads, for comparing a store before and after."""
    from pyoxigraph import RdfFormat

    out = io.BytesIO()
    kb.export(out, RdfFormat.N_QUADS)
    return b"\n".join(sorted(out.getvalue().splitlines()))


def canonical_dataset(kb: KB) -> Dataset:
    """Every quad of the store, blank nodes canonicalised (RDFC-1.0), for comparing stores."""
    data = Dataset(parse(export_nquads(kb), format=RdfFormat.N_QUADS))
    data.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return data
