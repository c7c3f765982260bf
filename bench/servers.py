"""``python -m bench.servers``: the KB on SPARQL servers, next to the embedded store.

For each size: the benchmark's articles (``bench.generate``, the same data as ``python -m
bench``) are loaded with ``kb load`` (a ``kb`` process, as a user runs it) into the
embedded on-disk store, into ``oxigraph serve --union-default-graph`` and into a private
Virtuoso (tests/servers.py starts both on loopback); then every canned query runs on each
through ``KB.ask`` with the same arguments (``bench.measure.query_arguments``): one
warm-up run, then timed runs, p50 and p95. Each server's row count is checked against the
embedded store's. On Virtuoso the queries run twice: as shipped (with the dialect's
``DEFINE sql:select-option "order"``: the join order written) and with Virtuoso's own plan.

Writes its tables between ``<!-- servers:begin -->`` and ``<!-- servers:end -->`` in
docs/benchmarks.md (the rest of the file is ``python -m bench``'s and hand-written) and
the results to ``bench/out/servers.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.generate import generate
from bench.measure import dir_size_mb, query_arguments, time_runs
from bench.report import machine
from bench.run import parse_size, size_label

REPO = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- servers:begin -->", "<!-- servers:end -->"
ENGINES = ("embedded", "oxigraph", "virtuoso")
HTTP_TIMEOUT = "120"
"""Seconds a query may take on a server before the client gives up (``KB_HTTP_TIMEOUT``)."""


@contextmanager
def engine(name: str, folder: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """The ``--store`` of one engine, and the settings that point kb at it."""
    from tests.servers import oxigraph_server, virtuoso_server

    folder.mkdir(parents=True, exist_ok=True)
    if name == "embedded":
        yield str(folder / "store"), {}
    elif name == "oxigraph":
        with oxigraph_server(folder / "store") as url:
            yield url, {}
    else:
        # 100,000 pages of 8 KiB (800 MB) of cache: the 1M store fits
        with virtuoso_server(folder, buffers=100_000) as server:
            yield server.url, server.env


def kb_load(store: str, env: dict[str, str], files: list[Path]) -> float:
    """``kb --store STORE load FILES...`` as a process; its wall time."""
    kb = shutil.which("kb", path=os.path.dirname(sys.executable)) or "kb"
    start = time.perf_counter()
    done = subprocess.run(
        [kb, "--store", store, "load", *map(str, files)],
        capture_output=True,
        text=True,
        env={**os.environ, **env, "KB_HTTP_TIMEOUT": HTTP_TIMEOUT},
    )
    if done.returncode != 0:
        raise RuntimeError(f"kb load into {store} failed: {done.stderr[-2000:]}")
    return time.perf_counter() - start


def time_queries(
    store: str,
    env: dict[str, str],
    params: dict[str, str],
    runs: int,
    budget: float,
    adjust: Callable[[Any], None] = lambda kb: None,
) -> dict[str, dict[str, Any]]:
    """Every canned query on ``store``: its figures (or the error it stopped with)."""
    from kb import KB
    from kb.sparql.catalogue import canned_queries

    os.environ.update({**env, "KB_HTTP_TIMEOUT": HTTP_TIMEOUT})
    try:
        kb = KB(store, seed=False)
        adjust(kb)
        out: dict[str, dict[str, Any]] = {}
        for name, canned in canned_queries().items():
            args = query_arguments(canned, params)
            try:
                out[name] = time_runs(
                    lambda name=name, args=args: len(kb.ask(name, args).rows()), runs, budget
                )
            except Exception as err:  # a server that refuses or times out: say so, go on
                out[name] = {"error": f"{type(err).__name__}: {str(err)[:200]}"}
        kb.close()
        return out
    finally:
        for key in env:
            os.environ.pop(key, None)


def virtuoso_own_plan(kb: Any) -> None:
    """Send the shipped queries without the dialect's join-order pragma."""
    kb.backend.dialect = dataclasses.replace(kb.backend.dialect, pragma="")


def measure_size(target: int, out: Path, runs: int, budget: float, log: Any) -> dict[str, Any]:
    label = size_label(target)
    gen = generate(out / label / "data", target, seed=1, processes=os.cpu_count() or 1)
    result: dict[str, Any] = {
        "label": label,
        "quads": gen.quads,
        "articles": gen.articles,
        "params": gen.params,
        "load_s": {},
        "store_mb": {},
        "queries": {},
    }
    for name in ENGINES:
        folder = out / label / f"servers-{name}"
        shutil.rmtree(folder, ignore_errors=True)
        with engine(name, folder) as (store, env):
            log(f"[{label}] kb load into {name}")
            result["load_s"][name] = kb_load(store, env, gen.fact_files())
            result["store_mb"][name] = dir_size_mb(folder)
            log(f"[{label}] canned queries on {name}")
            result["queries"][name] = time_queries(store, env, gen.params, runs, budget)
            if name == "virtuoso":
                log(f"[{label}] canned queries on virtuoso, its own plan")
                result["queries"]["virtuoso-own-plan"] = time_queries(
                    store, env, gen.params, runs, budget, virtuoso_own_plan
                )
        shutil.rmtree(folder, ignore_errors=True)
    return result


def _cell(figures: dict[str, Any], rows: int | None) -> str:
    if "error" in figures:
        return "error"
    p50 = figures["p50_ms"]
    text = f"{p50:,.1f}" if p50 < 100 else f"{p50:,.0f}"
    return text if rows is None or figures["rows"] == rows else f"{text} ({figures['rows']} rows!)"


def tables(run: dict[str, Any]) -> str:
    m = run["machine"]
    parts = [
        f"Machine: {m['cpu']}, {m['cores']} cores (shared with other work while measured), "
        f"{m['ram_gib']} GiB RAM; Python {m['python']}, pyoxigraph {m['pyoxigraph']}, "
        f"{run['virtuoso']}.",
        f"Reproduce with `{run['command']}`.",
        "### Load through `kb load --store` (fact files; parse, validate, write, derive)\n\n"
        "| size | quads | articles | embedded s | oxigraph serve s | Virtuoso s "
        "| embedded MB | oxigraph MB | Virtuoso MB |\n|---|---|---|---|---|---|---|---|---|\n"
        + "\n".join(
            f"| {s['label']} | {s['quads']:,} | {s['articles']:,} | "
            + " | ".join(f"{s['load_s'][e]:,.1f}" for e in ENGINES)
            + " | "
            + " | ".join(f"{s['store_mb'][e]:,.0f}" for e in ENGINES)
            + " |"
            for s in run["sizes"]
        ),
    ]
    for s in run["sizes"]:
        q = s["queries"]
        lines = [
            f"### Canned queries at {s['label']}, p50 ms ({s['quads']:,} quads)\n",
            "| query | rows | embedded | oxigraph serve | Virtuoso | Virtuoso, its own plan |",
            "|---|---|---|---|---|---|",
        ]
        for name, base in sorted(q["embedded"].items()):
            rows = base.get("rows")
            cells = [
                _cell(q[e][name], rows)
                for e in ("embedded", "oxigraph", "virtuoso", "virtuoso-own-plan")
            ]
            count = rows if rows is not None else "-"
            lines.append(f"| {name} | {count} | " + " | ".join(cells) + " |")
        errors = [
            f"{e} {name}: {f['error']}" for e in q for name, f in q[e].items() if "error" in f
        ]
        parts.append("\n".join(lines) + ("\n\n" + "; ".join(errors) if errors else ""))
    return "\n\n".join(parts)


def write_doc(run: dict[str, Any], doc: Path) -> None:
    block = f"{BEGIN}\n\n{tables(run)}\n\n{END}"
    text = doc.read_text(encoding="utf-8")
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n## SPARQL servers side by side\n\n" + block + "\n"
    doc.write_text(text, encoding="utf-8")


def virtuoso_version() -> str:
    done = subprocess.run(["virtuoso-t", "-?"], capture_output=True, text=True)
    for line in (done.stdout + done.stderr).splitlines():
        if line.startswith("Version"):
            return "Virtuoso " + line.split()[1]
    return "Virtuoso"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.servers", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--sizes", default="100k,1m")
    parser.add_argument("--runs", type=int, default=7, help="warm runs per query")
    parser.add_argument("--budget", type=float, default=2.0, help="seconds of runs per query")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    parser.add_argument("--doc", type=Path, default=REPO / "docs" / "benchmarks.md")
    opts = parser.parse_args(argv)

    def log(text: str) -> None:
        print(f"{time.strftime('%H:%M:%S')} {text}", file=sys.stderr, flush=True)

    run: dict[str, Any] = {
        "machine": machine(),
        "virtuoso": virtuoso_version(),
        "command": "python -m bench.servers " + " ".join(sys.argv[1:] if argv is None else argv),
        "sizes": [],
    }
    for size in opts.sizes.split(","):
        run["sizes"].append(measure_size(parse_size(size), opts.out, opts.runs, opts.budget, log))
        opts.out.mkdir(parents=True, exist_ok=True)
        (opts.out / "servers.json").write_text(json.dumps(run, indent=1), encoding="utf-8")
    print(tables(run))
    write_doc(run, opts.doc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
