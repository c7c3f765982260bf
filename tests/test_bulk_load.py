"""Large batches: planned by worker processes, spooled, written by the bulk loader.

The bulk path must give exactly the store the one-transaction path gives, refuse a batch
with one bad file without writing anything, and survive SIGKILL in any
phase (planning, the bulk write, the derivation) with all of the batch or none of it.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Quad, Store

from bench.generate import Generated, generate
from kb import KB, InputError, StoreError, api
from kb import batch as batch_planning
from kb.namespaces import (
    DERIVE_PENDING_GRAPH,
    ENTITIES_GRAPH,
    LOAD_JOURNAL_GRAPH,
    STAGING_GRAPH_PREFIX,
)
from kb.store.entity_graph import rebuild
from tests.conftest import canonical_dataset, export_nquads
from tests.phased_load import Kill, PhasedLoad, aimed_kill, aims, durations


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """About 80 000 quads of new articles (56 000 in article graphs: over the bulk
    threshold), in 300-odd files."""
    gen = generate(tmp_path_factory.mktemp("batch") / "data", 80_000, seed=5)
    assert gen.articles >= batch_planning.PARALLEL_MIN_FILES
    return gen


def entity_graph(kb: KB) -> set[Quad]:
    graph = NamedNode(ENTITIES_GRAPH)
    return set(kb.backend.store.quads_for_pattern(None, None, None, graph))


def test_bulk_load_gives_the_store_a_transaction_gives(
    batch: Generated, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = batch.fact_files()
    with KB(tmp_path / "bulk") as bulk:
        written: list[int] = []
        real = bulk.backend.bulk_write
        monkeypatch.setattr(
            bulk.backend, "bulk_write", lambda *a, **k: written.append(1) or real(*a, **k)
        )
        planned = bulk.load(files)
        assert written == [1]  # the batch took the bulk path
        bulk_data = canonical_dataset(bulk)
        assert entity_graph(bulk) == set(rebuild(bulk.backend))
    with monkeypatch.context() as patch:
        patch.setattr(api, "BULK_MIN_QUADS", 10**12)
        patch.setattr(batch_planning, "PARALLEL_MIN_FILES", 10**6)
        with KB(tmp_path / "one-transaction") as plain:
            plain.load(files)
            plain_data = canonical_dataset(plain)
    assert bulk_data == plain_data
    assert sum(p.quad_count for p in planned) > api.BULK_MIN_QUADS


def test_a_bad_file_in_a_large_batch_loads_nothing(batch: Generated, tmp_path: Path) -> None:
    files = [tmp_path / p.name for p in batch.fact_files()]
    for source, copy in zip(batch.fact_files(), files, strict=True):
        shutil.copyfile(source, copy)
    broken = files[len(files) * 2 // 3]
    text = broken.read_text(encoding="utf-8").replace("format: event-kb/1", "format: event-kb/9")
    broken.write_text(text, encoding="utf-8")
    with KB(tmp_path / "store") as kb:
        before = export_nquads(kb)
        with pytest.raises(InputError) as caught:
            kb.load(files)
        assert str(caught.value).startswith(f"{broken}:")
        assert "unsupported format 'event-kb/9'" in str(caught.value)
        assert export_nquads(kb) == before


def test_one_graph_twice_in_a_batch_is_refused(batch: Generated, tmp_path: Path) -> None:
    first = batch.fact_files()[0]
    again = tmp_path / "again.yaml"
    shutil.copyfile(first, again)
    with KB(None) as kb, pytest.raises(InputError, match=r"is also loaded by .* in this batch"):
        kb.load([first, again])


BULK_KILL_PHASES = ("plan", "write", "write", "derive")


def test_sigkill_during_a_bulk_load_leaves_all_of_the_batch_or_none(
    batch: Generated, tmp_path: Path
) -> None:
    """Kills aimed at the planning workers, at the bulk write (twice) and at the derivation
    of a real ``kb load -v``; where each landed is read from its phase lines
    (tests/phased_load.py), what it left from the store before it is reopened."""
    baseline = tmp_path / "baseline"
    KB(baseline).close()
    reference = tmp_path / "reference"
    shutil.copytree(baseline, reference)
    load = PhasedLoad(reference, batch.fact_files())
    assert load.finish() == 0, load.lines
    phases = durations(load)
    with KB(reference) as kb:
        expected = canonical_dataset(kb)
    trials = itertools.count()

    def fresh() -> Path:
        store = tmp_path / f"trial-{next(trials)}"
        shutil.copytree(baseline, store)
        return store

    kills: list[Kill] = []
    for phase, fraction in aims(BULK_KILL_PHASES, 5):
        for kill in aimed_kill(fresh, batch.fact_files(), phase, fraction, phases):
            seen = articles_a_snapshot_sees(kill.store)  # before any writer repairs it
            with KB(kill.store) as kb:  # opens: drops what the journal lists, re-derives
                graphs = {g.value for g in kb.backend.store.named_graphs()}
                assert not any(g.startswith(STAGING_GRAPH_PREFIX) for g in graphs)
                assert not graphs & {LOAD_JOURNAL_GRAPH, DERIVE_PENDING_GRAPH}
                articles = len([p for p in kb.stats()["articles"] if "bench-" in p["article"]])
                assert articles in (0, batch.articles), f"{kill} left {articles}"
                assert entity_graph(kb) == set(rebuild(kb.backend))
                if articles:
                    assert canonical_dataset(kb) == expected
            # a reader of what the kill left sees the articles the repaired store has:
            # never a cut-short write's staging graphs
            assert seen in (None, articles), f"{kill}: a snapshot saw {seen} articles"
            kill.outcome = "all" if articles else "none"
            kills.append(kill)
            shutil.rmtree(kill.store)  # also: no worker of the killed load is still writing
    summary = "; ".join(map(str, kills))
    took = ", ".join(f"{p} {t:.2f}s" for p, t in phases.items())
    print(f"\nbulk load of {batch.articles} articles: {took}; kills: {summary}")
    for kill in kills:
        if kill.landed in ("start", "plan"):
            assert kill.outcome == "none", str(kill)
        if kill.landed in ("derive", "done", "exited"):
            assert kill.outcome == "all", str(kill)
    final = [k for k in kills if k.landed == k.aimed]
    assert [k.aimed for k in final] == list(BULK_KILL_PHASES), summary


def articles_a_snapshot_sees(store: Path) -> int | None:
    """The benchmark articles a read-only snapshot of ``store`` finds in the union of its
    graphs; None if the snapshot is refused (a change cut short must be finished first)."""
    try:
        with KB(store, read_only=True) as reader:
            rows = reader.query(BENCH_ARTICLES).rows()
    except StoreError:
        return None
    return int(rows[0]["n"])


BENCH_ARTICLES = (
    "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a ek:Article "
    'FILTER(CONTAINS(STR(?a), "bench-")) }'
)


DIES_AT_THE_SWAP = """
import os, sys
from kb import KB

class DiesAtTheSwap:
    # the store of a bulk load whose process dies once the bulk loader has written the
    # journaled graphs, before the update that swaps them in and ends the journal
    def __init__(self, store):
        self.store, self.loaded = store, False
    def bulk_load(self, *args, **kwargs):
        self.store.bulk_load(*args, **kwargs)
        self.loaded = True
    def update(self, *args, **kwargs):
        if self.loaded:
            os._exit(9)
        self.store.update(*args, **kwargs)
    def __getattr__(self, name):
        return getattr(self.store, name)

kb = KB(sys.argv[1])
kb.backend.store = DiesAtTheSwap(kb.backend.store)
kb.load(sys.argv[2:])
"""


def test_a_snapshot_of_a_bulk_write_cut_before_its_swap_sees_none_of_it(
    batch: Generated, tmp_path: Path
) -> None:
    """The bulk loader's graphs are in the store, journaled, when the process dies: a
    reader's snapshot leaves them out, and the next writer removes them."""
    store = tmp_path / "store"
    KB(store).close()
    files = [str(f) for f in batch.fact_files()]
    died = subprocess.run([sys.executable, "-c", DIES_AT_THE_SWAP, str(store), *files])
    assert died.returncode == 9
    raw = Store.read_only(str(store))  # what is there, read without the KB's rules
    written = [g.value for g in raw.named_graphs() if "bench-" in g.value]
    del raw
    assert len(written) == batch.articles  # the bulk loader did write every article graph
    assert articles_a_snapshot_sees(store) == 0
    with KB(store) as kb:
        assert not kb.backend.existing_graphs(written)
    assert articles_a_snapshot_sees(store) == 0


def test_a_script_without_a_main_guard_loads_a_large_batch(
    batch: Generated, tmp_path: Path
) -> None:
    """Workers plan the batch without running the calling script again (multiprocessing
    would by default: its side effects repeated, then a broken pool)."""
    script = tmp_path / "load_all.py"
    script.write_text(
        "import sys\n"
        "from kb import KB\n"
        "print('script body ran', flush=True)\n"
        "with KB(sys.argv[1]) as kb:\n"
        "    print(len(kb.load(sys.argv[2:])), 'files loaded')\n",
        encoding="utf-8",
    )
    files = [str(f) for f in batch.fact_files()]
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "store"), *files],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["script body ran", f"{len(files)} files loaded"]
