"""Reads during a load, and loads at the same time.

pyoxigraph's on-disk store lets one process write (RocksDB's lock). A second process that
opens a held store waits ``--wait`` seconds for it (``kb load``, default 10) and otherwise
gets a read-only snapshot: queries answer from the last committed state; a write fails
with one clear line. Inside one process (``kb serve``'s threads) a query started during a
write never sees the write's staging graphs.

What a reader may see, checked on every read below: the large article's organizations all
carry version 1 names or all version 2 names (never some of each, never both), and the
derived partnerships match that version unless the ``ekg:derive-pending`` marker is
visible, which says the derived graph is still the one from before the write.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kb import KB
from tests.conftest import DATA
from tests.large_article import ARTICLE, write_version

KB_EXE = str(Path(sys.executable).with_name("kb"))
ORGANIZATIONS = 800
MINIMAL = DATA / "minimal-article.yaml"
MINIMAL_ARTICLE = "https://w3id.org/event-kb/article/example-2025-06-02-acme-signs-mou"

# One query, so one snapshot: the versions of the names, the partnership only version 2
# has, and whether the derive-pending marker is there.
VIEW = """
SELECT ?version (COUNT(DISTINCT ?e) AS ?n) (SAMPLE(?v2) AS ?partnersV2) (SAMPLE(?p) AS ?pending)
WHERE {
  ?e rdfs:label ?label .
  FILTER(STRSTARTS(STR(?e), STR(ekr:org-)) && lang(?label) = "en")
  BIND(STRAFTER(STR(?label), " v") AS ?version)
  BIND(EXISTS { ekr:org-0 ek:partnerOf ekr:org-1 } AS ?v2)
  BIND(EXISTS { GRAPH ekg:derive-pending { ?s ?p ?o } } AS ?p)
} GROUP BY ?version
"""


def check_view(kb: KB) -> str:
    """Assert the reader's view is consistent; return the version it saw ("1" or "2")."""
    rows = kb.query(VIEW).rows()
    assert len(rows) == 1, f"organizations of two versions at once: {rows}"
    (row,) = rows
    assert int(row["n"]) == ORGANIZATIONS
    version = str(row["version"])
    partners_v2 = row["partnersV2"] == "true"
    pending = row["pending"] == "true"
    assert partners_v2 == (version == "2") or pending, f"derived graph out of step: {row}"
    return version + ("+pending" if pending else "")


def env_for(store: Path) -> dict[str, str]:
    return {**os.environ, "KB_STORE": str(store)}


@pytest.fixture
def store_v1(tmp_path: Path) -> tuple[Path, Path]:
    """A store with version 1 of the large article; and the version 2 file."""
    store = tmp_path / "store"
    with KB(store) as kb:
        kb.load([write_version(tmp_path / "v1.yaml", 1, ORGANIZATIONS)])
    return store, write_version(tmp_path / "v2.yaml", 2, ORGANIZATIONS)


WRITE_AHEAD = (
    "import sys\n"
    "import kb.store.embedded as embedded\n"
    "embedded.TRANSACTION_MAX_CHANGES = 500  # the change is written ahead, applied in steps\n"
    "from kb.cli import main\n"
    "main(sys.argv[1:])\n"
)
WAYS = pytest.mark.parametrize("ahead", [False, True], ids=["one-transaction", "written-ahead"])


@WAYS
def test_reads_from_another_process_during_a_load(store_v1: tuple[Path, Path], ahead: bool) -> None:
    store, v2 = store_v1
    command = [sys.executable, "-c", WRITE_AHEAD] if ahead else [KB_EXE]
    load = subprocess.Popen(
        [*command, "load", str(v2)], env=env_for(store), stderr=subprocess.PIPE, text=True
    )
    seen: list[tuple[bool, str]] = []
    deadline = time.monotonic() + 120
    while load.poll() is None and time.monotonic() < deadline:
        with KB(store) as kb:  # a snapshot while the load holds the store
            seen.append((kb.backend.read_only, check_view(kb)))
        if not seen[-1][0]:  # the load has not opened the store yet: let it in first
            time.sleep(0.05)
    assert load.wait(timeout=120) == 0, load.stderr.read() if load.stderr else ""
    with KB(store) as kb:
        assert check_view(kb) == "2"
    assert any(snapshot for snapshot, _ in seen)  # some reads ran while the load wrote
    print(f"\n{len(seen)} reads during the load saw: {sorted({v for _, v in seen})}")


@WAYS
def test_reads_in_threads_during_a_write_in_the_same_process(
    store_v1: tuple[Path, Path], ahead: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kb serve's case: reader threads and a writer share one open store."""
    import kb.store.embedded as embedded

    if ahead:
        monkeypatch.setattr(embedded, "TRANSACTION_MAX_CHANGES", 500)
    store, v2 = store_v1
    seen: list[str] = []
    errors: list[BaseException] = []
    with KB(store) as kb:
        writer = threading.Thread(target=kb.load, args=([v2],))

        def read() -> None:
            try:
                while writer.is_alive():
                    seen.append(check_view(kb))
            except BaseException as err:
                errors.append(err)

        readers = [threading.Thread(target=read) for _ in range(2)]
        writer.start()
        for reader in readers:
            reader.start()
        writer.join(timeout=120)
        for reader in readers:
            reader.join(timeout=120)
        assert errors == []
        assert check_view(kb) == "2"
    assert seen  # the readers did run during the write
    print(f"\n{len(seen)} reads in threads during the write saw: {sorted(set(seen))}")


def test_two_loads_at_once_both_land(store_v1: tuple[Path, Path]) -> None:
    """The second `kb load` waits for the first (--wait, default 10 s); nothing is lost."""
    store, v2 = store_v1
    loads = [
        subprocess.Popen(
            [KB_EXE, "load", str(path)], env=env_for(store), stderr=subprocess.PIPE, text=True
        )
        for path in (v2, MINIMAL)
    ]
    for load in loads:
        _, err = load.communicate(timeout=120)
        assert load.returncode == 0, err
    with KB(store) as kb:
        assert check_view(kb) == "2"
        assert MINIMAL_ARTICLE in kb.backend.named_graphs()
        assert ARTICLE in kb.backend.named_graphs()


def test_a_held_store_fails_a_load_with_one_line_then_lets_a_waiting_one_in(
    store_v1: tuple[Path, Path],
) -> None:
    store, _ = store_v1
    holder = KB(store)  # another process's hold, as kb serve keeps it
    try:
        done = subprocess.run(
            [KB_EXE, "load", "--wait", "0", str(MINIMAL)],
            env=env_for(store),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 1
        assert done.stderr == (
            f"Error: the store {store} is in use by another kb process (a load or kb serve); "
            "wait for it to finish (kb load --wait SECONDS), or write through its server\n"
        )
        assert MINIMAL_ARTICLE not in holder.backend.named_graphs()
        waiting = subprocess.Popen(
            [KB_EXE, "load", "--wait", "60", str(MINIMAL)],
            env=env_for(store),
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(1)  # let it start waiting (if it is slower, it simply finds the store free)
    finally:
        holder.close()
    _, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    with KB(store) as kb:
        assert MINIMAL_ARTICLE in kb.backend.named_graphs()
        assert check_view(kb) == "1"
