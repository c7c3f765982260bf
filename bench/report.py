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

TOLERANCE = {
    "load": 1.5,
    "memory": 1.5,
    "speedup": 2.0,
    "cold": 1.5,
    "reload": 1.5,
    "page": 1.5,
    "throughput": 2.0,
}
"""How much worse than the committed figure a ratio may get before it is a regression: a
load ratio, peak memory against raw bulk_load's, cold start, reload against first load or
whole answer against first page 1.5x worse; a speed-up over rdflib or the endpoint's
throughput against oxigraph serve's halved. Small runs are noisy."""

TARGETS = {
    "load_ratio": 0.5,
    "query_p50_ms": 20.0,
    "speedup": 20.0,
    "cold_s": 0.6,
    "reload": 2.0,
    "page_p50_ms": 100.0,
}
"""Issue 18's targets (and issue 5's cold start)."""
LAST_UNDATED_RUN = "2026-11-29"
"""When the figures of a size carried over from a run that did not record its date were
measured (the last full run before issue 18)."""
PHASE_ORDER = ("parse", "validate", "entity records", "write", "search index", "derive", "other")


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
        out[f"memory {label}: raw bulk_load peak / KB load peak"] = (
            size["ox_bulk"]["rss_mb"] / size["kb_load"]["rss_mb"]
        )
        for name, q in size["queries"].items():
            theirs = q.get("rdflib", {})
            if "p50_ms" in theirs and "p50_ms" in q["kb"]:
                out[f"speedup {label}: {name} rdflib / KB"] = theirs["p50_ms"] / q["kb"]["p50_ms"]
        pages = [
            q["kb"]["p50_ms"] / q["page"]["p50_ms"]
            for q in size["queries"].values()
            if "p50_ms" in q.get("page", {}) and "p50_ms" in q["kb"]
        ]
        if pages:
            out[f"page {label}: whole answer / first page p50, geometric mean"] = _geomean(pages)
        if "reload" in size:
            reload = size["reload"]
            out[f"reload {label}: first load / reload"] = (
                reload["first"]["seconds"] / reload["again"]["seconds"]
            )
        if "throughput" in size:
            out[f"throughput {label}: kb serve / oxigraph serve, geometric mean"] = _geomean(
                list(throughput_ratios(size).values())
            )
    return out


def _geomean(values: list[float]) -> float:
    import math

    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else 0.0


def throughput_ratios(size: dict[str, Any]) -> dict[str, float]:
    """kb serve's requests per second over oxigraph serve's, per canned query."""
    out = {}
    for name, q in size["throughput"]["queries"].items():
        mine, theirs = q["kb"]["requests_per_s"], q["oxigraph"]["requests_per_s"]
        if mine and theirs:
            out[name] = mine / theirs
    return out


def carry_over(run: dict[str, Any], baseline: dict[str, Any]) -> list[str]:
    """Sizes of ``baseline`` this run did not measure, added to ``run`` with the date they
    were measured (so the document keeps its last 10M figures, labelled); their labels."""
    measured = {s["label"] for s in run["sizes"]}
    carried = []
    for size in baseline.get("sizes", []):
        if size["label"] not in measured:
            run["sizes"].append(
                {**size, "date": size.get("date") or baseline.get("date") or LAST_UNDATED_RUN}
            )
            carried.append(size["label"])
    return carried


def _when(size: dict[str, Any]) -> str:
    return f", measured {size['date']}, not repeated in this run" if "date" in size else ""


def check(run: dict[str, Any], baseline: dict[str, Any]) -> list[str]:
    """One line per ratio that got worse than the baseline allows."""
    problems = []
    old = ratios(baseline)
    # sizes carried over from an earlier run (``carry_over``) are no measurement of this one
    mine = ratios({**run, "sizes": [s for s in run["sizes"] if "date" not in s]})
    for key, value in mine.items():
        if key not in old:
            continue
        allowed = TOLERANCE[key.split()[0]]
        if value * allowed < old[key]:
            problems.append(
                f"{key}: {value:.3g}, was {old[key]:.3g} (allowed down to {old[key] / allowed:.3g})"
            )
    if not set(mine) & set(old):
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
                s["label"] + (f" ({s['date']})" if "date" in s else ""),
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
    phased = [s for s in run["sizes"] if "phases_s" in s["kb_load"]]
    if phased:
        rows = []
        for s in phased:
            spent, total = s["kb_load"]["phases_s"], s["kb_load"]["seconds"]
            rows.append(
                [s["label"], f"{total:,.1f}"]
                + [
                    f"{spent.get(p, 0.0):,.1f} ({spent.get(p, 0.0) / total:.0%})"
                    for p in PHASE_ORDER
                ]
            )
        parts.append(
            "### Load by phase (seconds, share of the load)\n\n"
            + markdown_table(["size", "load s", *PHASE_ORDER], rows)
        )
    reloaded = [s for s in run["sizes"] if "reload" in s]
    if reloaded:
        rows = []
        for s in reloaded:
            r = s["reload"]
            first, again = r["first"], r["again"]
            rows.append(
                [
                    s["label"],
                    f"{r['files']:,}",
                    f"{first['seconds']:.1f}",
                    f"{first['rss_mb']:,.0f}",
                    f"{again['seconds']:.1f}",
                    f"{again['rss_mb']:,.0f}",
                    f"{again['seconds'] / first['seconds']:.2f}",
                    f"{again['rss_mb'] / first['rss_mb']:.2f}",
                ]
            )
        parts.append(
            "### Reload: the same articles into a new store, then into the loaded store\n\n"
            + markdown_table(
                [
                    "size",
                    "articles",
                    "first load s",
                    "first peak MB",
                    "reload s",
                    "reload peak MB",
                    "time / first",
                    "memory / first",
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
            page = q.get("page")
            rows.append(
                [
                    name,
                    str(mine.get("rows", "-")),
                    _ms(mine, "p50_ms"),
                    _ms(mine, "p95_ms"),
                    _ms(page, "p50_ms") if page else "not measured",
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
            f"### Canned queries at {s['label']} ({s['quads']:,} quads; {args}{_when(s)})\n\n"
            + markdown_table(
                [
                    "query",
                    "rows",
                    "KB p50 ms",
                    "KB p95 ms",
                    "first 50 rows p50 ms",
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
    for s in run["sizes"]:
        if "throughput" not in s:
            continue
        t = s["throughput"]
        ratio = throughput_ratios(s)
        rows = []
        for name, q in t["queries"].items():
            mine, theirs = q["kb"], q["oxigraph"]
            same = "" if mine["rows"] == theirs["rows"] else f" (oxigraph: {theirs['rows']}!)"
            errors = mine["errors"] + theirs["errors"]
            rows.append(
                [
                    name,
                    f"{mine['rows']}{same}",
                    f"{mine['requests_per_s']:,.1f}",
                    f"{theirs['requests_per_s']:,.1f}",
                    f"{ratio[name]:.2f}" if name in ratio else "-",
                    str(errors) if errors else "",
                ]
            )
        parts.append(
            f"### Endpoint throughput at {s['label']}: requests/s, {t['clients']} clients, "
            f"{t['seconds']:g} s each\n\n"
            + markdown_table(
                [
                    "query",
                    "rows",
                    "kb serve /ask",
                    "oxigraph serve, same SPARQL",
                    "kb / oxigraph",
                    "failed requests",
                ],
                rows,
            )
        )
    parts.append("### Targets\n\n" + markdown_table(["target", "result"], targets(run)))
    return "\n\n".join(parts)


def targets(run: dict[str, Any]) -> list[list[str]]:
    """Each target of issue 18 (and issue 5's cold start) with this run's verdict."""
    rows = []
    sizes = run["sizes"]

    def label(s: dict[str, Any]) -> str:
        return s["label"] + (f" ({s['date']})" if "date" in s else "")

    def verdict(ok: bool) -> str:
        return "met" if ok else "missed"

    load = [(label(s), s["kb_load"]["quads_per_s"] / s["ox_bulk"]["quads_per_s"]) for s in sizes]
    rows.append(
        [
            f"load ≥ {TARGETS['load_ratio']}x raw bulk_load at every size",
            f"{verdict(all(r >= TARGETS['load_ratio'] for _, r in load))}: "
            + ", ".join(f"{lab} {r:.2f}x" for lab, r in load),
        ]
    )
    memory = [(label(s), s["kb_load"]["rss_mb"], s["ox_bulk"]["rss_mb"]) for s in sizes]
    rows.append(
        [
            "load peak memory ≤ raw bulk_load's at every size",
            f"{verdict(all(k <= r for _, k, r in memory))}: "
            + ", ".join(f"{lab} {k:,.0f} MB against {r:,.0f} MB" for lab, k, r in memory),
        ]
    )
    rss = [(label(s), s["kb_load"]["rss_mb"]) for s in sizes]
    flat = max(r for _, r in rss) <= 1.5 * min(r for _, r in rss) + 100
    rows.append(
        [
            "load memory flat as input grows",
            f"{verdict(flat)}: " + ", ".join(f"{lab} {r:,.0f} MB" for lab, r in rss),
        ]
    )
    reloads = [
        (
            label(s),
            s["reload"]["again"]["seconds"] / s["reload"]["first"]["seconds"],
            s["reload"]["again"]["rss_mb"] / s["reload"]["first"]["rss_mb"],
        )
        for s in sizes
        if "reload" in s
    ]
    rows.append(
        [
            f"reload of 1,000 articles ≤ {TARGETS['reload']:g}x their first load",
            (
                verdict(all(max(t, m) <= TARGETS["reload"] for _, t, m in reloads))
                + ": "
                + ", ".join(f"{lab} {t:.2f}x time, {m:.2f}x memory" for lab, t, m in reloads)
            )
            if reloads
            else "not measured in this run",
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
                f"every canned query at 1M: p50 ≤ {TARGETS['query_p50_ms']:g} ms",
                (verdict(not slow) + ("" if not slow else " by " + ", ".join(slow)))
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
                f"every canned query at 1M: ≥ {TARGETS['speedup']:g}x faster than rdflib",
                (verdict(not below) + ("" if not below else " by " + ", ".join(below)))
                + (f"; lowest {low[0]} {low[1]:,.0f}x" if low else ""),
            ]
        )
        if "throughput" in s:
            ratio = throughput_ratios(s)
            lo, hi = (
                min(ratio.items(), key=lambda kv: kv[1]),
                max(ratio.items(), key=lambda kv: kv[1]),
            )
            rows.append(
                [
                    "endpoint throughput at 1M, 8 clients, next to oxigraph serve (no target set)",
                    f"measured: kb serve {_geomean(list(ratio.values())):.2f}x oxigraph serve's "
                    f"requests/s (geometric mean; {lo[0]} {lo[1]:.2f}x to {hi[0]} {hi[1]:.2f}x)",
                ]
            )
    else:
        rows.append(["canned queries at 1M", "not measured in this run"])
    big = [s for s in sizes if s["quads"] >= 10_000_000]
    page_target = f"first 50 rows at 10M: every canned query p50 ≤ {TARGETS['page_p50_ms']:g} ms"
    paged = [q for q in big[0]["queries"].values() if "page" in q] if big else []
    if paged:
        worst = max(big[0]["queries"].items(), key=lambda kv: kv[1]["page"].get("p50_ms", 1e9))
        slow = [
            n
            for n, q in big[0]["queries"].items()
            if q["page"].get("p50_ms", 1e9) > TARGETS["page_p50_ms"]
        ]
        rows.append(
            [
                page_target,
                (verdict(not slow) + ("" if not slow else " by " + ", ".join(slow)))
                + f"; slowest {worst[0]} {worst[1]['page'].get('p50_ms', 0):,.1f} ms",
            ]
        )
    else:
        rows.append(
            [
                page_target,
                "not measured: no 10M run with pages"
                + (
                    f" (the 10M figures are from {big[0]['date']})"
                    if big and "date" in big[0]
                    else ""
                ),
            ]
        )
    cold = max(s["cold_start"]["median_s"] for s in sizes)
    rows.append(
        [
            "`kb ask` cold start ≤ 0.6 s",
            f"{verdict(cold <= TARGETS['cold_s'])}: at most {cold:.2f} s",
        ]
    )
    rows.append(
        [
            "10M triples load and answer",
            f"met: {big[0]['quads']:,} quads loaded in "
            f"{big[0]['kb_load']['seconds'] / 60:.1f} min, "
            "every canned query answered" + (f" ({big[0]['date']})" if "date" in big[0] else "")
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
