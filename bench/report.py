"""Tables, ``docs/benchmarks.md`` and the regression check, from one run's results.

The generated part of the document sits between ``<!-- bench:begin -->`` and
``<!-- bench:end -->``; the rest (what the figures mean, why a target is missed) is written
by hand and kept when the benchmark rewrites its part. The results themselves are stored in
the document too, as JSON in an HTML comment, so that ``--check`` can compare ratios with
the committed figures without any other file.
"""

from __future__ import annotations

import json
import os
import platform
import re
import sys
from pathlib import Path
from typing import Any

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
DATA = re.compile(r"<!-- bench:data (.*?) -->", re.S)

TOLERANCE = {"load": 1.5, "speedup": 2.0, "cold": 1.5}
"""How much worse than the committed figure a ratio may get before it is a regression: a
load ratio or cold start 1.5x worse, a speed-up over rdflib halved. Small runs are noisy."""

TARGETS = {"load_ratio": 0.5, "query_p50_ms": 50.0, "speedup": 20.0, "cold_s": 0.6}


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    import pyoxigraph

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) / 2**20
    except OSError:
        pass
    try:
        import rdflib

        rdflib_version = rdflib.__version__
    except ImportError:
        rdflib_version = "not installed"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(ram, 1),
        "python": sys.version.split()[0],
        "pyoxigraph": pyoxigraph.__version__,
        "rdflib": rdflib_version,
        "os": platform.platform(),
    }


# -- ratios ---------------------------------------------------------------------------------


def ratios(run: dict[str, Any]) -> dict[str, float]:
    """The machine-independent figures a regression check compares (higher is better)."""
    out: dict[str, float] = {}
    for size in run["sizes"]:
        label = size["label"]
        out[f"load {label}: KB load / raw bulk_load"] = (
            size["kb_load"]["quads_per_s"] / size["ox_bulk"]["quads_per_s"]
        )
        cold = size["cold_start"]
        out[f"cold {label}: python startup / kb ask"] = cold["python_s"] / cold["median_s"]
        for name, q in size["queries"].items():
            theirs = q.get("rdflib", {})
            if "p50_ms" in theirs and "p50_ms" in q["kb"]:
                out[f"speedup {label}: {name} rdflib / KB"] = theirs["p50_ms"] / q["kb"]["p50_ms"]
    return out


def check(run: dict[str, Any], baseline: dict[str, Any]) -> list[str]:
    """One line per ratio that got worse than the baseline allows."""
    problems = []
    old = ratios(baseline)
    for key, value in ratios(run).items():
        if key not in old:
            continue
        allowed = TOLERANCE[key.split()[0]]
        if value * allowed < old[key]:
            problems.append(
                f"{key}: {value:.3g}, was {old[key]:.3g} (allowed down to {old[key] / allowed:.3g})"
            )
    if not set(ratios(run)) & set(old):
        problems.append("no figure in common with the baseline: run the same sizes")
    return problems


def read_baseline(doc: Path) -> dict[str, Any]:
    found = DATA.search(doc.read_text(encoding="utf-8"))
    if not found:
        raise SystemExit(f"{doc}: no benchmark results in it (<!-- bench:data ... -->)")
    return json.loads(found.group(1))


# -- tables ---------------------------------------------------------------------------------


def _ms(figures: dict[str, Any] | None, key: str) -> str:
    if not figures:
        return "skipped"
    if "error" in figures:
        return "error"
    if "timeout_s" in figures:
        return f"> {figures['timeout_s']} s"
    value = figures[key]
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def table(run: dict[str, Any]) -> str:
    """Every figure of the run as Markdown tables (also what the command prints)."""
    parts = []
    rows = []
    for s in run["sizes"]:
        kb, ox, rd = s["kb_load"], s["ox_bulk"], s.get("rdflib_parse")
        rows.append(
            [
                s["label"],
                f"{s['quads']:,}",
                f"{s['articles']:,}",
                f"{kb['quads_per_s']:,.0f}",
                f"{kb['rss_mb']:,.0f}",
                f"{ox['quads_per_s']:,.0f}",
                f"{ox['rss_mb']:,.0f}",
                f"{kb['quads_per_s'] / ox['quads_per_s']:.2f}",
                f"{rd['quads_per_s']:,.0f}" if rd else "skipped",
                f"{rd['rss_mb']:,.0f}" if rd else "skipped",
                f"{kb['store_mb']:,.0f}",
                f"{ox['store_mb']:,.0f}",
            ]
        )
    parts.append(
        "### Load\n\n"
        + markdown_table(
            [
                "size",
                "quads",
                "articles",
                "KB load quads/s",
                "KB peak MB",
                "raw bulk_load quads/s",
                "raw peak MB",
                "KB / raw",
                "rdflib parse quads/s",
                "rdflib peak MB",
                "KB store MB",
                "raw store MB",
            ],
            rows,
        )
    )
    rows = []
    for s in run["sizes"]:
        c = s["cold_start"]
        rows.append(
            [s["label"], f"{c['median_s']:.3f}", f"{c['python_s']:.3f}", f"`{c['command']}`"]
        )
    parts.append(
        "### `kb ask` cold start (whole process, median of runs)\n\n"
        + markdown_table(["size", "kb ask s", "bare python s", "command"], rows)
    )
    for s in run["sizes"]:
        rows = []
        for name, q in s["queries"].items():
            mine, theirs = q["kb"], q.get("rdflib")
            speed = "-"
            if theirs and "p50_ms" in mine:
                if "p50_ms" in theirs:
                    speed = f"{theirs['p50_ms'] / mine['p50_ms']:,.0f}x"
                elif "timeout_s" in theirs:
                    speed = f"> {theirs['timeout_s'] * 1000 / mine['p50_ms']:,.0f}x"
            same = "" if not theirs or theirs.get("rows") == mine.get("rows") else " ≠"
            rows.append(
                [
                    name,
                    str(mine.get("rows", "-")),
                    _ms(mine, "p50_ms"),
                    _ms(mine, "p95_ms"),
                    _ms(theirs, "p50_ms"),
                    _ms(theirs, "p95_ms"),
                    speed,
                    (str(theirs["rows"]) + same) if theirs and "rows" in theirs else "-",
                ]
            )
        args = ", ".join(f"{k} = {v}" for k, v in s["params"].items())
        skipped = f"\n\nrdflib skipped: {s['rdflib_skipped']}." if "rdflib_skipped" in s else ""
        errors = [
            f"{name}: {q['rdflib']['error']}"
            for name, q in s["queries"].items()
            if "error" in q.get("rdflib", {})
        ]
        if errors:
            skipped += "\n\nrdflib failed on " + "; ".join(errors) + "."
        parts.append(
            f"### Canned queries at {s['label']} ({s['quads']:,} quads; {args})\n\n"
            + markdown_table(
                [
                    "query",
                    "rows",
                    "KB p50 ms",
                    "KB p95 ms",
                    "rdflib p50 ms",
                    "rdflib p95 ms",
                    "speed-up",
                    "rdflib rows",
                ],
                rows,
            )
            + skipped
        )
    for s in run["sizes"]:
        if "search" not in s:  # a run from before kb search
            continue
        rows = [
            [
                label,
                f"`{f['text']}`",
                str(f["rank"]) if f["rank"] else "not found",
                _ms(f, "p50_ms"),
                _ms(f, "p95_ms"),
            ]
            for label, f in s["search"].items()
        ]
        cold = s["search_cold_start"]
        parts.append(
            f"### `kb search` at {s['label']} ({s['quads']:,} quads)\n\n"
            + markdown_table(
                ["text", "searched", "rank of the organization", "p50 ms", "p95 ms"], rows
            )
            + f"\n\nAs a whole process: `{cold['command']}` {cold['median_s']:.3f} s "
            f"(bare python {cold['python_s']:.3f} s)."
        )
    parts.append("### Targets\n\n" + markdown_table(["target", "result"], targets(run)))
    return "\n\n".join(parts)


def targets(run: dict[str, Any]) -> list[list[str]]:
    """Each target of issue 5 with this run's verdict."""
    rows = []
    sizes = run["sizes"]
    worst = min(sizes, key=lambda s: s["kb_load"]["quads_per_s"] / s["ox_bulk"]["quads_per_s"])
    ratio = worst["kb_load"]["quads_per_s"] / worst["ox_bulk"]["quads_per_s"]
    rows.append(
        [
            "fact-file load ≥ 0.5x raw bulk_load",
            f"{'met' if ratio >= TARGETS['load_ratio'] else 'missed'}: lowest {ratio:.2f}x "
            f"(at {worst['label']})",
        ]
    )
    rss = [(s["label"], s["kb_load"]["rss_mb"]) for s in sizes]
    flat = max(r for _, r in rss) <= 1.5 * min(r for _, r in rss) + 100
    rows.append(
        [
            "load memory flat as input grows",
            f"{'met' if flat else 'missed'}: " + ", ".join(f"{lab} {r:,.0f} MB" for lab, r in rss),
        ]
    )
    at_1m = [s for s in sizes if s["label"] == "1M"]
    if at_1m:
        s = at_1m[0]

        def p50(q: dict[str, Any]) -> float:
            return q["kb"].get("p50_ms", q["kb"].get("timeout_s", 0) * 1000.0)

        slow = [n for n, q in s["queries"].items() if p50(q) > TARGETS["query_p50_ms"]]
        worst_q = max(s["queries"].items(), key=lambda kv: p50(kv[1]))
        rows.append(
            [
                "every canned query at 1M: p50 ≤ 50 ms",
                ("met" if not slow else "missed by " + ", ".join(slow))
                + f"; slowest {worst_q[0]} {p50(worst_q[1]):,.1f} ms",
            ]
        )
        speed = {
            n: q["rdflib"]["p50_ms"] / q["kb"]["p50_ms"]
            for n, q in s["queries"].items()
            if "p50_ms" in q.get("rdflib", {}) and "p50_ms" in q["kb"]
        }
        below = [n for n, v in speed.items() if v < TARGETS["speedup"]]
        low = min(speed.items(), key=lambda kv: kv[1]) if speed else None
        rows.append(
            [
                "every canned query at 1M: ≥ 20x faster than rdflib",
                ("met" if not below else "missed by " + ", ".join(below))
                + (f"; lowest {low[0]} {low[1]:,.0f}x" if low else ""),
            ]
        )
    else:
        rows.append(["canned queries at 1M", "not measured in this run"])
    cold = max(s["cold_start"]["median_s"] for s in sizes)
    rows.append(
        [
            "`kb ask` cold start ≤ 0.6 s",
            f"{'met' if cold <= TARGETS['cold_s'] else 'missed'}: at most {cold:.2f} s",
        ]
    )
    big = [s for s in sizes if s["quads"] >= 10_000_000]
    rows.append(
        [
            "10M triples load and answer",
            f"met: {big[0]['quads']:,} quads loaded in "
            f"{big[0]['kb_load']['seconds'] / 60:.1f} min, "
            "every canned query answered"
            if big
            else "not measured in this run",
        ]
    )
    return rows


def machine_text(run: dict[str, Any]) -> str:
    m = run["machine"]
    return (
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM, {m['os']}; "
        f"Python {m['python']}, pyoxigraph {m['pyoxigraph']}, rdflib {m['rdflib']}.\n\n"
        f"Reproduce with `{run['command'].strip()}` (from the repository root, with the "
        "`test` extra installed)."
    )


def write_doc(run: dict[str, Any], doc: Path) -> None:
    """Put this run's tables and data between the markers of ``doc`` (created if missing)."""
    block = "\n\n".join(
        [
            BEGIN,
            machine_text(run),
            table(run),
            f"<!-- bench:data {json.dumps(run, ensure_ascii=False)} -->",
            END,
        ]
    )
    if doc.exists() and BEGIN in (text := doc.read_text(encoding="utf-8")) and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        doc.write_text(head + block + tail, encoding="utf-8")
    else:
        doc.parent.mkdir(parents=True, exist_ok=True)
        doc.write_text("# Benchmarks\n\n" + block + "\n", encoding="utf-8")
