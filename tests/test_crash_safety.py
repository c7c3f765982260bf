"""SIGKILL during ``kb load`` and the first seeding: the store opens afterwards with the old
article or the new, and a seeded store or one seeded on its next open.

A store holds version 1 of a large article (tests/large_article.py); a real ``kb load -v``
process replaces it with version 2 and is killed with SIGKILL inside the phase each kill
is aimed at: once while planning (nothing written yet), three times while writing, twice
while deriving; more kills hit the same reload written ahead (a change larger than one
transaction) and the first seeding of a store. Where each kill
landed is read from the phase lines the process printed before it died
(tests/phased_load.py), and what it left is read from the store before anything repairs
it. After each kill the store must open, hold exactly version 1 or exactly version 2 of
the article, a derived graph that matches that version, and no staging graphs, journal or
pending marker; a kill while planning leaves version 1, a kill while deriving version 2.
"""

from __future__ import annotations

import itertools
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kb import KB
from kb.namespaces import (
    DERIVE_PENDING_GRAPH,
    ENTITIES_GRAPH,
    GAZETTEER_GRAPH,
    LOAD_JOURNAL_GRAPH,
    ONTOLOGY_GRAPH,
    STAGING_GRAPH_PREFIX,
)
from kb.store import derived
from kb.store.backend import Backend
from tests.conftest import DATA
from tests.large_article import snapshot, write_version
from tests.phased_load import Kill, PhasedLoad, aimed_kill, aims, durations

KB_EXE = str(Path(sys.executable).with_name("kb"))
ORGANIZATIONS = 800  # version 2 is about 9 000 quads; a load takes a few seconds
KILL_PHASES = ("plan", "write", "write", "write", "derive", "derive")
SEED = 6  # issue 6


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The store with version 1; how long each phase of loading version 2 takes; both
    versions' content."""
    tmp = tmp_path_factory.mktemp("crash")
    v1 = write_version(tmp / "v1.yaml", 1, ORGANIZATIONS)
    v2 = write_version(tmp / "v2.yaml", 2, ORGANIZATIONS)
    baseline = tmp / "baseline"
    with KB(baseline) as kb:
        kb.load([v1])
        old = snapshot(kb)
    reference = tmp / "reference"
    shutil.copytree(baseline, reference)
    load = PhasedLoad(reference, [v2])
    assert load.finish() == 0, load.lines
    phases = durations(load)
    with KB(reference) as kb:
        new = snapshot(kb)
    assert old[0] != new[0] and old[1] != new[1]  # the versions differ in both graphs
    return {"tmp": tmp, "v2": v2, "baseline": baseline, "old": old, "new": new, "phases": phases}


def judge(kill: Kill, setup: dict[str, object]) -> str:
    """Open the killed store; assert it holds one whole version; say which."""
    with KB(kill.store) as kb:  # opens: drops staging graphs, finishes a pending derive
        state = snapshot(kb)
        leftovers = [
            g.value
            for g in kb.backend.store.named_graphs()
            if g.value.startswith(STAGING_GRAPH_PREFIX)
            or g.value in (DERIVE_PENDING_GRAPH, LOAD_JOURNAL_GRAPH)
        ]
    assert leftovers == [], str(kill)
    if state == setup["old"]:
        return "old"
    if state == setup["new"]:
        return "new"
    article_ok = state[0] in (setup["old"][0], setup["new"][0])  # type: ignore[index]
    pytest.fail(
        f"{kill}: a mix: article graph {'whole' if article_ok else 'MIXED'}, "
        "derived graph out of step"
    )


def test_sigkill_during_load_leaves_old_or_new_never_a_mix(setup: dict[str, object]) -> None:
    tmp, baseline = Path(str(setup["tmp"])), Path(str(setup["baseline"]))
    reference: dict[str, float] = setup["phases"]  # type: ignore[assignment]
    trials = itertools.count()

    def fresh() -> Path:
        store = tmp / f"trial-{next(trials)}"
        shutil.copytree(baseline, store)
        return store

    kills: list[Kill] = []
    for phase, fraction in aims(KILL_PHASES, SEED):
        for kill in aimed_kill(fresh, [setup["v2"]], phase, fraction, reference):
            kill.outcome = judge(kill, setup)
            kills.append(kill)
            shutil.rmtree(kill.store)
    summary = "; ".join(map(str, kills))
    took = ", ".join(f"{p} {t:.2f}s" for p, t in reference.items())
    print(f"\nload of {ORGANIZATIONS} organizations: {took}; kills: {summary}")
    for kill in kills:  # what each phase may leave
        if kill.landed in ("start", "plan"):
            assert kill.outcome == "old", str(kill)
        if kill.landed in ("derive", "done", "exited"):
            assert kill.outcome == "new", str(kill)
    # every kill landed in the phase it was aimed at: three inside the write
    final = [k for k in kills if k.landed == k.aimed]
    assert [k.aimed for k in final] == list(KILL_PHASES), summary
    assert sum(k.landed == "write" for k in kills) >= 3


def test_a_load_cut_off_before_its_derivation_is_completed_on_next_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window the kills above rarely hit: the article is written, ``ekg:derived`` not
    yet. Ctrl-C there (KeyboardInterrupt from derive) must not leave a stale partnership."""
    minimal = (DATA / "minimal-article.yaml").read_text(encoding="utf-8")
    trimmed = tmp_path / "trimmed.yaml"  # the same article without its agreement and expansion
    trimmed.write_text(minimal[: minimal.index("  - id: mou-acme-globex-2025")], encoding="utf-8")
    partners = "ASK { ekr:acme ek:partnerOf ekr:globex }"
    store = tmp_path / "store"
    with KB(store) as kb:
        kb.load([DATA / "minimal-article.yaml"])
        assert kb.query(partners).raw

    def interrupted(backend: Backend, **what: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(derived, "derive", interrupted)
        kb = KB(store)
        with pytest.raises(KeyboardInterrupt):
            kb.load([trimmed])
        kb.close()
    with KB(store) as kb:
        assert not kb.query(partners).raw
        assert DERIVE_PENDING_GRAPH not in kb.backend.named_graphs()


class _UpdateFails:
    """A pyoxigraph store whose SPARQL updates fail (a full disk, say) after writes by
    ``extend`` have gone in: the swap of a replace half done, in a live process."""

    def __init__(self, store: object) -> None:
        self._store = store

    def update(self, *args: object, **kwargs: object) -> None:
        raise OSError("No space left on device")

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)


def test_a_failed_swap_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    """The staging graphs of a replace whose update fails go at once: later writes to the
    same graphs survive, and queries in the same process never see the staging graphs."""
    v1 = write_version(tmp_path / "v1.yaml", 1, 20)
    v2 = write_version(tmp_path / "v2.yaml", 2, 20)
    store = tmp_path / "store"
    with KB(store) as kb:
        kb.load([v1])
        before = snapshot(kb)
        real = kb.backend.store
        kb.backend.store = _UpdateFails(real)  # type: ignore[assignment]
        with pytest.raises(OSError, match="No space left"):
            kb.load([v2, DATA / "minimal-article.yaml"])
        kb.backend.store = real
        graphs = {g.value for g in real.named_graphs()}
        assert not any(g.startswith(STAGING_GRAPH_PREFIX) for g in graphs)
        assert snapshot(kb) == before
        staged = f"ASK {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), '{STAGING_GRAPH_PREFIX}')) }}"
        assert not bool(kb.query(staged).raw)
        kb.load([DATA / "minimal-article.yaml"])
        added = {g.value for g in real.named_graphs()} - graphs
    with KB(store) as kb:  # reopened: nothing the journal listed is dropped now
        assert added <= set(kb.backend.named_graphs())
        assert added and all(kb.has_graph(g) for g in added)


# -- the first seeding ---------------------------------------------------------------------

SEED_KILLS = 12
SEED_ARTICLE = "https://w3id.org/event-kb/article/bizwatch-2025-05-23-naver-nvidia"


def seeding(store: Path) -> subprocess.Popen[bytes]:
    """A real ``kb`` process whose first act is to seed a store that does not exist yet."""
    return subprocess.Popen(
        [KB_EXE, "--store", str(store), "stats"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def seed_state(store: Path) -> str:
    """What a killed seeding left, read with pyoxigraph alone (opening a KB would finish
    it): nothing, everything with its derivation pending, or everything."""
    from pyoxigraph import Store

    if not store.exists() or not any(store.iterdir()):
        return "no store"
    try:
        snapshot = Store.read_only(str(store))
    except (OSError, RuntimeError):  # killed while RocksDB made its files
        return "store not yet made"
    graphs = {g.value for g in snapshot.named_graphs()}
    del snapshot
    seeded = {ONTOLOGY_GRAPH, GAZETTEER_GRAPH, SEED_ARTICLE, ENTITIES_GRAPH}
    if not graphs:
        return "empty"
    if not seeded <= graphs:
        return "PARTIAL: " + ", ".join(sorted(graphs))
    return "seeded, derive pending" if DERIVE_PENDING_GRAPH in graphs else "seeded"


def test_sigkill_during_the_first_seeding_never_loses_the_seed_article(tmp_path: Path) -> None:
    started = time.monotonic()
    done = seeding(tmp_path / "reference")
    _, err = done.communicate(timeout=120)
    duration = time.monotonic() - started
    assert done.returncode == 0, err
    rng = random.Random(SEED + 12)
    landed: list[tuple[float, str]] = []
    for k in range(SEED_KILLS):
        delay = duration * (k + rng.random()) / SEED_KILLS
        store = tmp_path / f"seed-{k}"
        proc = seeding(store)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        state = seed_state(store)
        assert not state.startswith("PARTIAL"), f"kill {k} at {delay:.2f}s left {state}"
        landed.append((delay, state))
        with KB(store) as kb:  # seeds what was never seeded, derives what is pending
            rows = kb.ask("partners-expanding", {"org": "NVIDIA", "region": "Middle East"})
            assert {r["partnerName"] for r in rows.rows()} == {"Naver", "Naver Cloud"}
            assert kb.has_graph(SEED_ARTICLE)
        shutil.rmtree(store, ignore_errors=True)
    assert {state for _, state in landed} - {"seeded"}  # some kills landed inside the seeding
    summary = ", ".join(f"{d:.2f}s→{s}" for d, s in landed)
    print(f"\nseeding took {duration:.2f}s as a process; kills: {summary}")


# -- a large change, written ahead and applied in steps ------------------------------------

LARGE_KILLS = 6
WRITE_AHEAD = (
    "import sys\n"
    "import kb.store.embedded as embedded\n"
    "embedded.TRANSACTION_MAX_CHANGES = 500  # this article's change goes through the files\n"
    "from kb.cli import main\n"
    "main(sys.argv[1:])\n"
)


def kb_load_written_ahead(store: Path, path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITE_AHEAD, "--store", str(store), "load", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_sigkill_during_a_large_change_leaves_old_or_new(setup: dict[str, object]) -> None:
    """The same reload as above, made larger than one transaction takes: written ahead to
    files, committed by the journal, applied in steps. Killed before the commit the store
    keeps the old article; after it, the next open finishes the new one."""
    tmp, baseline, v2 = Path(str(setup["tmp"])), Path(str(setup["baseline"])), setup["v2"]
    reference = tmp / "ahead-reference"
    shutil.copytree(baseline, reference)
    started = time.monotonic()
    proc = kb_load_written_ahead(reference, Path(str(v2)))
    _, err = proc.communicate(timeout=300)
    duration = time.monotonic() - started
    assert proc.returncode == 0, err
    with KB(reference) as kb:
        assert snapshot(kb) == setup["new"]
    rng = random.Random(SEED + 120)
    outcomes: list[tuple[float, str]] = []
    for k in range(LARGE_KILLS):
        delay = duration * (k + rng.random()) / LARGE_KILLS
        store = tmp / f"ahead-{k}"
        shutil.copytree(baseline, store)
        proc = kb_load_written_ahead(store, Path(str(v2)))
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        pending = (store / "kb-redo").exists() and any((store / "kb-redo").iterdir())
        with KB(store) as kb:
            state = snapshot(kb)
            assert not kb.has_graph(LOAD_JOURNAL_GRAPH)
        assert not any((store / "kb-redo").iterdir()) if (store / "kb-redo").exists() else True
        if state == setup["old"]:
            outcomes.append((delay, "old"))
        elif state == setup["new"]:
            outcomes.append((delay, "new" + (" (finished on open)" if pending else "")))
        else:
            pytest.fail(f"kill {k} at {delay:.2f}s left a mix")
        shutil.rmtree(store)
    summary = ", ".join(f"{d:.2f}s→{o}" for d, o in outcomes)
    print(f"\nwritten-ahead load took {duration:.2f}s; kills: {summary}")


def test_a_change_cut_off_after_its_commit_is_finished_on_next_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window between the journal's commit and the end of applying it: the next open
    applies the whole change."""
    import kb.store.embedded as embedded

    v1 = write_version(tmp_path / "v1.yaml", 1, 60)
    v2 = write_version(tmp_path / "v2.yaml", 2, 60)
    store = tmp_path / "store"
    with KB(store) as kb:
        kb.load([v2])
        new = snapshot(kb)
    shutil.rmtree(store)
    with KB(store) as kb:
        kb.load([v1])
        old = snapshot(kb)
    monkeypatch.setattr(embedded, "TRANSACTION_MAX_CHANGES", 10)

    def cut(self: embedded.EmbeddedBackend, redo: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(embedded.EmbeddedBackend, "_apply_redo", cut)
        kb = KB(store)
        with pytest.raises(KeyboardInterrupt):
            kb.load([v2])
        kb.close()
    assert any((store / "kb-redo").iterdir())
    with KB(store) as kb:
        assert snapshot(kb) == new != old
        assert not kb.has_graph(LOAD_JOURNAL_GRAPH)
    assert not any((store / "kb-redo").iterdir())
