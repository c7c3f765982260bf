"""``python -m bench``: the whole benchmark of issue 5 in one run.

For each size: generate the articles (``bench.generate``), then, each measurement in its own
process (``bench.measure``): load the fact files into the KB's on-disk store (the time of
each phase with it), bulk-load the same N-Quads with raw pyoxigraph, parse them with
rdflib, time every canned query on the store (the whole answer and its first page of 50
rows) and on rdflib, load 1,000 of the articles into a new store and again into the loaded
one (a reload), measure requests per second of ``kb serve`` and ``oxigraph serve`` with 8
clients (``bench.throughput``, up to 1M), time ``kb ask`` as a whole process from cold,
and measure the store on disk. Prints the table and writes ``docs/benchmarks.md``
(``bench.report``).

``--check`` compares the ratios of this run with the committed ``docs/benchmarks.md``
instead of writing it, and exits 1 on a regression.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import report
from bench.generate import generate

REPO = Path(__file__).resolve().parent.parent
RDFLIB_MAX_QUADS = 2_000_000
"""rdflib holds everything in Python objects: about 1.8 GB and 30 s per million quads here,
and its queries take seconds to minutes at 1M. Above this it is skipped."""
COLD_RUNS = 7


def parse_size(text: str) -> int:
    """``100k`` → 100000, ``1m`` → 1000000, ``2500`` → 2500."""
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    number = text[:-1] if factor > 1 else text
    return int(float(number) * factor)


def size_label(quads: int) -> str:
    if quads >= 1_000_000 and quads % 1_000_000 == 0:
        return f"{quads // 1_000_000}M"
    if quads >= 1_000 and quads % 1_000 == 0:
        return f"{quads // 1_000}k"
    return str(quads)


QUERY_TIMEOUT = 10  # seconds for one canned query's runs on the store
PAGE = 50
"""Rows of the first page measured for each canned query (``KB.ask(limit=50)``)."""
RELOAD_ARTICLES = 1_000
"""Articles loaded into a new store and then again into the loaded store (every one there)."""
THROUGHPUT_MAX_QUADS = 2_000_000
"""Endpoint throughput (``bench.throughput``) is measured up to this size."""
CLIENTS = 8


def child(kind: str, timeout: float | None = None, **args: Any) -> dict[str, Any]:
    """Run one measurement in a fresh Python process; its JSON line is the result."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.measure", kind, json.dumps(args)],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"timeout_s": timeout}
    if done.returncode != 0:
        raise RuntimeError(f"bench.measure {kind} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def cold_start(
    store: Path, args: list[str], runs: int = COLD_RUNS, command_name: str = "ask"
) -> dict[str, Any]:
    """Wall time of ``kb --store STORE ask ...`` (or another command) as a whole process
    (median of ``runs``)."""
    kb = shutil.which("kb", path=os.path.dirname(sys.executable)) or "kb"
    command = [kb, "--store", str(store), command_name, *args, "--format", "csv"]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()}")
    bare = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append(time.perf_counter() - start)
    return {
        "command": f"kb {command_name} " + " ".join(f'"{a}"' if " " in a else a for a in args),
        "median_s": statistics.median(times),
        "python_s": statistics.median(bare),
    }


def measure_size(
    target: int,
    out: Path,
    *,
    seed: int,
    runs: int,
    budget: float,
    log: Any,
    throughput_seconds: float = 3.0,
) -> dict[str, Any]:
    label = size_label(target)
    folder = out / label
    log(f"[{label}] generating articles")
    t0 = time.perf_counter()
    gen = generate(folder / "data", target, seed=seed, processes=os.cpu_count() or 1)
    result: dict[str, Any] = {
        "label": label,
        "quads": gen.quads,
        "articles": gen.articles,
        "params": gen.params,
        "generate_s": time.perf_counter() - t0,
    }
    store, raw = folder / "kb-store", folder / "raw-store"
    for path in (store, raw):
        shutil.rmtree(path, ignore_errors=True)
    log(f"[{label}] {gen.quads} quads in {gen.articles} articles; kb load")
    result["kb_load"] = child("kb-load", store=str(store), facts=str(gen.facts), quads=gen.quads)
    log(f"[{label}] raw bulk_load")
    result["ox_bulk"] = child("ox-bulk", store=str(raw), nquads=str(gen.nquads), quads=gen.quads)
    shutil.rmtree(raw, ignore_errors=True)
    log(f"[{label}] canned queries on the store")
    queries = child("kb-bind", store=str(store), params=gen.params)
    queries.pop("rss_mb")
    result["queries"] = {}
    for name, q in queries.items():
        log(f"[{label}]   {name}")
        timed = {"store": str(store), "name": name, "args": q["args"], "runs": runs}
        figures = child("kb-query", timeout=QUERY_TIMEOUT, budget=budget, **timed)
        result["queries"][name] = {"kb": {**figures, **q}}
        result["queries"][name]["page"] = child(
            "kb-query", timeout=QUERY_TIMEOUT, budget=budget, limit=PAGE, **timed
        )
    files = [str(p) for p in gen.fact_files()[:RELOAD_ARTICLES]]
    log(f"[{label}] reload: {len(files)} articles into a new store, then into the loaded one")
    fresh = folder / "reload-store"
    _seeded(fresh)
    result["reload"] = {
        "files": len(files),
        "first": child("kb-load-files", store=str(fresh), paths=files),
        "again": child("kb-load-files", store=str(store), paths=files),
    }
    shutil.rmtree(fresh, ignore_errors=True)
    if gen.quads <= THROUGHPUT_MAX_QUADS:
        log(f"[{label}] endpoint throughput: kb serve and oxigraph serve, {CLIENTS} clients")
        result["throughput"] = child(
            "throughput",
            store=str(store),
            params=gen.params,
            clients=CLIENTS,
            seconds=throughput_seconds,
        )
        result["throughput"].pop("rss_mb")
    log(f"[{label}] kb search")
    result["search"] = child(
        "kb-search", store=str(store), org=gen.params["org"], runs=runs, budget=budget
    )
    result["search"].pop("rss_mb")
    misspelt = result["search"]["two letters swapped"]["text"]
    result["search_cold_start"] = cold_start(store, [misspelt], command_name="search")
    log(f"[{label}] kb ask cold start")
    # a point lookup: what is measured is starting up, not a query's work
    result["cold_start"] = cold_start(store, ["entity", "--name", gen.params["org"]])
    if gen.quads <= RDFLIB_MAX_QUADS:
        log(f"[{label}] rdflib parse")
        result["rdflib_parse"] = child("rdflib-parse", nquads=str(gen.nquads), quads=gen.quads)
        export = folder / "export.nq"
        _export(store, export)
        bound = {name: q["kb"]["bound"] for name, q in result["queries"].items()}
        log(f"[{label}] canned queries on rdflib")
        theirs = child("rdflib-queries", nquads=str(export), bound=bound, runs=runs, budget=budget)
        result["rdflib_queries_rss_mb"] = theirs.pop("rss_mb")
        result["rdflib_export_parse_s"] = theirs.pop("_parse_s")
        for name, figures in theirs.items():
            result["queries"][name]["rdflib"] = figures
        export.unlink()
    else:
        result["rdflib_skipped"] = (
            f"{gen.quads:,} quads is above {RDFLIB_MAX_QUADS:,}: rdflib would need about "
            f"{gen.quads / 1e6 * 1.8:.0f} GB and its queries minutes each"
        )
    for figures in result["queries"].values():
        figures["kb"].pop("bound", None)
    return result


def _seeded(store: Path) -> None:
    """A new store, seeded here: the first load's process does not pay for the seeding."""
    from kb import KB

    shutil.rmtree(store, ignore_errors=True)
    KB(store).close()


def _export(store: Path, path: Path) -> None:
    """The whole store as N-Quads, so rdflib answers over exactly what the KB holds."""
    from pyoxigraph import RdfFormat

    from kb import KB

    with KB(store, seed=False) as kb, open(path, "wb") as out:
        kb.export(out, RdfFormat.N_QUADS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100k,1m,10m", help="comma-separated: 100k,1m,10m")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=20, help="warm runs per query")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds of runs per query")
    parser.add_argument(
        "--throughput-seconds", type=float, default=3.0, help="seconds of requests per query"
    )
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    parser.add_argument("--doc", type=Path, default=REPO / "docs" / "benchmarks.md")
    parser.add_argument(
        "--check", action="store_true", help="compare ratios with --doc; exit 1 on regression"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="use the last run's results instead of measuring"
    )
    opts = parser.parse_args(argv)
    latest = opts.out / "results.json"
    if opts.reuse:
        run = json.loads(latest.read_text(encoding="utf-8"))
    else:
        sizes = [parse_size(s) for s in opts.sizes.split(",") if s.strip()]
        run = {
            "machine": report.machine(),
            "command": _command(argv),
            "date": time.strftime("%Y-%m-%d", time.gmtime()),
            "sizes": [],
        }

        def log(text: str) -> None:
            print(f"{time.strftime('%H:%M:%S')} {text}", file=sys.stderr, flush=True)

        for target in sizes:
            run["sizes"].append(
                measure_size(
                    target,
                    opts.out,
                    seed=opts.seed,
                    runs=opts.runs,
                    budget=opts.budget,
                    log=log,
                    throughput_seconds=opts.throughput_seconds,
                )
            )
            opts.out.mkdir(parents=True, exist_ok=True)
            latest.write_text(json.dumps(run, ensure_ascii=False, indent=1), encoding="utf-8")
    print(report.table(run))
    if opts.check:
        problems = report.check(run, report.read_baseline(opts.doc))
        for line in problems:
            print(f"REGRESSION: {line}")
        if problems:
            return 1
        print(f"no regression against {opts.doc}")
        return 0
    if opts.doc.exists() and report.DATA.search(opts.doc.read_text(encoding="utf-8")):
        carried = report.carry_over(run, report.read_baseline(opts.doc))
        if carried:
            print(f"kept the last figures of {', '.join(carried)} from {opts.doc}", file=sys.stderr)
    report.write_doc(run, opts.doc)
    print(f"wrote {opts.doc}", file=sys.stderr)
    return 0


def _command(argv: list[str] | None) -> str:
    args = sys.argv[1:] if argv is None else argv
    return "python -m bench " + " ".join(args)
