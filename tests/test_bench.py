"""The benchmark on a few thousand quads: its data is deterministic and loadable, and
``--check`` tells noise within its tolerance from a regression against committed figures
(baselines doctored from the run's own results, each kind of ratio on its own). Nothing
about time is asserted (machines are noisy); the figures live in docs/benchmarks.md."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench import report
from bench.generate import generate
from bench.report import DATA
from kb import KB
from kb.store.entity_graph import records_in
from tests.conftest import planned_graphs
from tests.servers import virtuoso_or_skip

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
    done = bench(
        out, doc, "--sizes", "3k", "--runs", "2", "--budget", "0.5", "--throughput-seconds", "0.3"
    )
    assert done.returncode == 0, done.stderr[-3000:]
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
    for heading in (
        "### Load",
        "### Load by phase",
        "### Reload",
        "cold start",
        "### Canned queries at 3k",
        "### Endpoint throughput at 3k",
        "### Targets",
    ):
        assert heading in text
    run = json.loads(DATA.search(text).group(1))
    size = run["sizes"][0]
    assert size["kb_load"]["quads_per_s"] > 0 and size["ox_bulk"]["quads_per_s"] > 0
    assert "rdflib_parse" in size and run["machine"]["pyoxigraph"]
    assert set(size["queries"]) >= {"partners-expanding", "meetings", "agreements"}
    phases = size["kb_load"]["phases_s"]
    assert set(phases) == set(report.PHASE_ORDER) and phases["write"] > 0
    assert abs(sum(phases.values()) - size["kb_load"]["seconds"]) < 1e-6
    for q in size["queries"].values():  # the first page: at most 50 of the answer's rows
        assert q["page"]["rows"] == min(50, q["kb"]["rows"])
    assert size["reload"]["files"] == size["articles"] and size["reload"]["again"]["seconds"] > 0
    for name, q in size["throughput"]["queries"].items():
        assert q["kb"]["requests"] > 0 and q["oxigraph"]["requests"] > 0, name
        assert q["kb"]["rows"] == q["oxigraph"]["rows"], name  # the same answer
        assert q["kb"]["errors"] == q["oxigraph"]["errors"] == 0, name


def scaled(run: dict[str, Any], factors: dict[str, float]) -> dict[str, Any]:
    """``run`` with each kind of ratio (``load``, ``cold``, ``speedup``, ...)
    ``factors[kind]`` times better: the figures of a baseline the run is compared with."""
    run = copy.deepcopy(run)
    for size in run["sizes"]:
        size["kb_load"]["quads_per_s"] *= factors.get("load", 1.0)
        size["ox_bulk"]["rss_mb"] *= factors.get("memory", 1.0)
        size["cold_start"]["python_s"] *= factors.get("cold", 1.0)
        size["reload"]["first"]["seconds"] *= factors.get("reload", 1.0)
        for q in size["queries"].values():
            if "p50_ms" in q.get("rdflib", {}):
                q["rdflib"]["p50_ms"] *= factors.get("speedup", 1.0)
            q["page"]["p50_ms"] /= factors.get("page", 1.0)
        for q in size["throughput"]["queries"].values():
            q["kb"]["requests_per_s"] *= factors.get("throughput", 1.0)
    return run


def with_baseline(doc: Path, run: dict[str, Any], path: Path) -> Path:
    text = doc.read_text(encoding="utf-8")
    path.write_text(
        DATA.sub(lambda _: f"<!-- bench:data {json.dumps(run)} -->", text), encoding="utf-8"
    )
    return path


def test_check_passes_when_figures_are_worse_within_the_tolerance(
    small_run: tuple[Path, Path], tmp_path: Path
) -> None:
    # the committed figures a little better than this run's, every ratio, by less than the
    # tolerance allows: noise, not a regression
    out, doc = small_run
    run = json.loads(DATA.search(doc.read_text(encoding="utf-8")).group(1))
    assert {k.split()[0] for k in report.ratios(run)} == set(report.TOLERANCE)  # every kind
    better = scaled(run, {kind: allowed * 0.9 for kind, allowed in report.TOLERANCE.items()})
    done = bench(out, with_baseline(doc, better, tmp_path / "benchmarks.md"), "--check", "--reuse")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no regression" in done.stdout


@pytest.mark.parametrize("kind", sorted(report.TOLERANCE))
def test_check_reports_each_ratio_worse_than_the_tolerance(
    small_run: tuple[Path, Path], kind: str
) -> None:
    _, doc = small_run
    run = json.loads(DATA.search(doc.read_text(encoding="utf-8")).group(1))
    problems = report.check(run, scaled(run, {kind: report.TOLERANCE[kind] * 1.1}))
    worse = [k for k in report.ratios(run) if k.startswith(kind)]
    assert worse and len(problems) == len(worse)
    assert all(p.startswith(kind + " ") for p in problems)
    assert report.check(run, scaled(run, {kind: report.TOLERANCE[kind] * 0.9})) == []


def test_check_reports_a_regression_against_a_doctored_baseline(
    small_run: tuple[Path, Path], tmp_path: Path
) -> None:
    out, doc = small_run
    run = json.loads(DATA.search(doc.read_text(encoding="utf-8")).group(1))
    doctored = with_baseline(doc, scaled(run, {"load": 100}), tmp_path / "benchmarks.md")
    done = bench(out, doctored, "--check", "--reuse")
    assert done.returncode == 1
    assert "REGRESSION: load 3k: KB load / raw bulk_load" in done.stdout


def test_check_needs_figures_in_common(small_run: tuple[Path, Path]) -> None:
    _, doc = small_run
    run = json.loads(DATA.search(doc.read_text(encoding="utf-8")).group(1))
    other = copy.deepcopy(run)
    for size in other["sizes"]:
        size["label"] = "7k"
    assert report.check(run, other) == ["no figure in common with the baseline: run the same sizes"]


def test_sizes_not_measured_are_kept_with_their_date(small_run: tuple[Path, Path]) -> None:
    _, doc = small_run
    run = json.loads(DATA.search(doc.read_text(encoding="utf-8")).group(1))
    earlier = copy.deepcopy(run)
    earlier["sizes"][0]["label"] = "10M"
    earlier.pop("date")
    assert report.carry_over(run, earlier) == ["10M"]
    assert run["sizes"][-1]["date"] == report.LAST_UNDATED_RUN
    assert f"10M ({report.LAST_UNDATED_RUN})" in report.table(run)
    # a carried size is not compared with itself: this run measured no 10M
    assert report.check(run, earlier) == [
        "no figure in common with the baseline: run the same sizes"
    ]


def test_servers_bench_answers_alike_on_every_engine(tmp_path: Path) -> None:
    # python -m bench.servers at 3k quads: each engine loaded with kb load, every canned
    # query answered on each with the embedded store's row count, the tables written
    virtuoso_or_skip()
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nkept\n", encoding="utf-8")
    args = ["--sizes", "3k", "--runs", "1", "--budget", "0.1", "--out", str(tmp_path)]
    done = subprocess.run(
        [sys.executable, "-m", "bench.servers", *args, "--doc", str(doc)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\nkept\n\n## SPARQL servers side by side\n")
    assert "### Canned queries at 3k" in text and "rows!" not in text
    run = json.loads((tmp_path / "servers.json").read_text(encoding="utf-8"))
    queries = run["sizes"][0]["queries"]
    assert set(queries) == {"embedded", "oxigraph", "virtuoso", "virtuoso-own-plan"}
    for engine, figures in queries.items():
        assert all("p50_ms" in f for f in figures.values()), (engine, figures)


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
