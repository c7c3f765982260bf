"""The benchmark on a few thousand quads: its data is deterministic and loadable, and
``--check`` catches a regression against the committed figures. Nothing about time is
asserted (machines are noisy); the figures themselves live in docs/benchmarks.md."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.generate import generate
from bench.report import DATA
from kb import KB
from kb.store.entity_graph import records_in
from tests.conftest import planned_graphs

REPO = Path(__file__).parent.parent


def test_generator_is_deterministic_by_seed(tmp_path: Path) -> None:
    one = generate(tmp_path / "one", 3000, seed=7)
    two = generate(tmp_path / "two", 3000, seed=7, processes=2)
    other = generate(tmp_path / "other", 3000, seed=8)
    assert one.quads >= 3000 and one.articles > 5
    assert one.nquads.read_bytes() == two.nquads.read_bytes()
    assert [p.read_bytes() for p in one.fact_files()] == [p.read_bytes() for p in two.fact_files()]
    assert one.params == two.params
    assert one.nquads.read_bytes() != other.nquads.read_bytes()


def test_generated_articles_load_validate_and_answer(tmp_path: Path) -> None:
    gen = generate(tmp_path / "data", 3000, seed=3)
    kb = KB(None)
    plans = [planned_graphs(kb, path) for path in gen.fact_files()]
    assert len(kb.load(gen.fact_files())) == gen.articles
    # the N-Quads are the same quads: each article's graph and what it asserts in ekg:entities
    records = [records_in(q for qs in p.values() for q in qs) for p in plans]
    quads = [sum(len(qs) for qs in p.values()) for p in plans]
    assert sum(n + len(r) for n, r in zip(quads, records, strict=True)) == gen.quads
    from kb.shacl import check

    articles = sorted(next(iter(p)) for p in plans)[:3]
    assert check(kb, articles) == []
    rows = kb.ask("meetings", {"person": gen.params["person"]}).rows()
    assert rows and all(gen.params["person"] in str(r["participants"]) for r in rows)


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One whole benchmark run at 3k quads, written to a document of its own."""
    out = tmp_path_factory.mktemp("bench")
    doc = out / "benchmarks.md"
    bench(out, doc, "--sizes", "3k", "--runs", "2", "--budget", "0.5")
    return out, doc


def bench(out: Path, doc: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench", "--out", str(out), "--doc", str(doc), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )


def test_run_writes_every_figure(small_run: tuple[Path, Path]) -> None:
    _, doc = small_run
    text = doc.read_text(encoding="utf-8")
    for heading in ("### Load", "cold start", "### Canned queries at 3k", "### Targets"):
        assert heading in text
    run = json.loads(DATA.search(text).group(1))
    size = run["sizes"][0]
    assert size["kb_load"]["quads_per_s"] > 0 and size["ox_bulk"]["quads_per_s"] > 0
    assert "rdflib_parse" in size and run["machine"]["pyoxigraph"]
    assert set(size["queries"]) >= {"partners-expanding", "meetings", "agreements"}


def test_check_passes_against_its_own_figures(small_run: tuple[Path, Path]) -> None:
    out, doc = small_run
    done = bench(out, doc, "--check", "--reuse")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no regression" in done.stdout


def test_check_reports_a_regression_against_a_doctored_baseline(
    small_run: tuple[Path, Path], tmp_path: Path
) -> None:
    out, doc = small_run
    text = doc.read_text(encoding="utf-8")
    run = json.loads(DATA.search(text).group(1))
    run["sizes"][0]["kb_load"]["quads_per_s"] *= 100  # the committed load was far faster
    doctored = tmp_path / "benchmarks.md"
    doctored.write_text(
        DATA.sub(lambda _: f"<!-- bench:data {json.dumps(run)} -->", text), encoding="utf-8"
    )
    done = bench(out, doctored, "--check", "--reuse")
    assert done.returncode == 1
    assert "REGRESSION: load 3k: KB load / raw bulk_load" in done.stdout


def test_the_reload_benchmark_runs_and_writes_its_section(tmp_path: Path) -> None:
    """``python -m bench.reload`` on 20 articles and a 1 MB article: every case measured and
    its section written into the document, beside what was there."""
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nkept\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bench.reload", "--articles", "20", "--megabytes", "1",
         "--out", str(tmp_path / "out"), "--doc", str(doc)],
        capture_output=True, text=True, cwd=Path(__file__).parent.parent, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\nkept\n")
    for case in ("first load", "reloaded as it is", "every quote edited", "every quad differs"):
        assert case in text, case
