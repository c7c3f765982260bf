"""Virtuoso as a remote store, beyond what test_remote.py runs against every server (the
whole CLI, the golden answers, loads and exports): how its dialect is chosen, writes by an
account through its authenticated endpoints, and its row limit, which it applies without
an error (docs/server.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kb import KB, StoreError
from kb.cli import cli
from tests.conftest import DATA
from tests.servers import Virtuoso, virtuoso_server


@pytest.fixture
def seeded(virtuoso: Virtuoso, monkeypatch: pytest.MonkeyPatch) -> str:
    return virtuoso.use(monkeypatch, seeded=True)


def test_the_dialect_is_the_servers(seeded: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert KB(seeded).backend.dialect.name == "virtuoso"  # from its Server header
    monkeypatch.setenv("KB_SPARQL_DIALECT", "virtuoso-8")
    with pytest.raises(StoreError) as caught:
        KB(seeded)
    assert str(caught.value) == (
        "KB_SPARQL_DIALECT='virtuoso-8' is not a known SPARQL dialect (known: standard, virtuoso)"
    )


def test_writes_through_the_authenticated_endpoints_with_an_account(
    virtuoso: Virtuoso, monkeypatch: pytest.MonkeyPatch
) -> None:
    # /sparql reads for anyone; /sparql-auth and /sparql-graph-crud-auth write for an
    # account with SPARQL_UPDATE, by HTTP digest authentication
    url = virtuoso.use(monkeypatch, seeded=False)
    monkeypatch.setenv("KB_UPDATE_URL", url + "/sparql-auth")
    monkeypatch.setenv("KB_GSP_URL", url + "/sparql-graph-crud-auth")
    with pytest.raises(StoreError) as refused:
        KB(url)  # the first open seeds the store: a write
    assert "HTTP 401" in str(refused.value)
    assert str(refused.value).endswith("KB_USER and KB_PASSWORD if it needs a user")
    monkeypatch.setenv("KB_USER", virtuoso.user[0])
    monkeypatch.setenv("KB_PASSWORD", virtuoso.user[1])
    kb = KB(url)
    kb.load([DATA / "minimal-article.yaml"])
    assert {
        r["partnerName"]
        for r in kb.ask("partners-expanding", {"org": "Globex", "region": "Middle East"}).rows()
    } == {"Acme AI"}


def test_an_answer_cut_at_virtuosos_row_limit_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Virtuoso cuts answers at ResultSetMaxRows (default 10000) without an error, only a
    # header: the export of a graph larger than that would be silently short
    with virtuoso_server(tmp_path / "small", max_rows=1000) as small:
        url = small.use(monkeypatch, seeded=True)
        result = CliRunner().invoke(
            cli, ["--store", url, "export", "--graph", "https://w3id.org/event-kb/graph/gazetteer"]
        )
    assert result.exit_code == 1
    assert result.output == (
        f"Error: the server's answer to GET {small.env['KB_GSP_URL']}"
        "?graph=https%3A%2F%2Fw3id.org%2Fevent-kb%2Fgraph%2Fgazetteer reached its limit of "
        "1000 rows, so it may be cut short; raise the limit (Virtuoso: ResultSetMaxRows in "
        "the [SPARQL] section of virtuoso.ini)\n"
    )
