"""One measurement per process, so each peak memory figure is that measurement's own.

``python -m bench.measure KIND JSON-ARGS`` runs one measurement and prints one JSON line:
its figures and ``rss_mb``, the peak resident memory of this process
(``resource.getrusage``). ``bench.run`` starts one child per measurement.

Kinds: ``kb-load`` (fact files into the KB's on-disk store through ``KB.load``),
``kb-load-files`` (given files into a store as it is: a first load, or a reload),
``throughput`` (requests per second of ``kb serve`` and ``oxigraph serve``, in
``bench.throughput``), ``ox-bulk`` (raw ``pyoxigraph.Store.bulk_load`` of the same N-Quads on disk),
``rdflib-parse`` (rdflib parsing them into a ``Dataset``), ``kb-query`` and
``rdflib-queries`` (every canned query, warm runs, median and p95).
"""

from __future__ import annotations

import json
import resource
import signal
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RDFLIB_QUERY_TIMEOUT = 10  # seconds for one rdflib query run; slower ones are reported as such


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def dir_size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def time_runs(run: Callable[[], int], runs: int, budget: float) -> dict[str, Any]:
    """One warm-up run, then up to ``runs`` timed runs (fewer if they exceed ``budget`` s)."""
    start = time.perf_counter()
    rows = run()
    first = time.perf_counter() - start
    times: list[float] = []
    spent = 0.0
    for _ in range(runs):
        if times and spent + statistics.median(times) > budget:
            break
        if not times and first > budget:
            times.append(first)  # too slow to repeat: the one run is all there is
            break
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
        spent += times[-1]
    return {
        "rows": rows,
        "runs": len(times),
        "p50_ms": statistics.median(times) * 1000,
        "p95_ms": percentile(times, 95) * 1000,
    }


# -- loads --------------------------------------------------------------------------------


PHASES = (
    ("parse", "kb.batch", "plan_into"),
    ("validate", "loaders.references", "check_batch"),
    ("validate", "kb.store.integrity", "dangling"),
    ("entity records", "kb.store.entity_graph", "changes"),
    ("search index", "kb.store.search_index", "build"),
    ("search index", "kb.store.search_index", "refresh"),
    ("derive", "kb.store.derived", "derive"),
)
"""Where ``KB.load`` spends its time: the functions it calls, by phase (``write`` is the
backend's ``bulk_write`` or ``write``; ``other`` what is left)."""


def timed_phases(kb: Any) -> dict[str, float]:
    """Wrap the functions a load calls with timers (nothing in ``kb`` changes); the seconds
    spent in each phase, filled in as the load runs."""
    import importlib

    spent: dict[str, float] = {}
    active: list[str] = []  # a timed call inside another (bulk_write calling write) is its

    def timer(phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            if active:
                return function(*args, **kwargs)
            active.append(phase)
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[phase] = spent.get(phase, 0.0) + time.perf_counter() - start
                active.pop()

        return timed

    for phase, module, name in PHASES:
        found = importlib.import_module(module)
        setattr(found, name, timer(phase, getattr(found, name)))
    for name in ("bulk_write", "write"):
        setattr(kb.backend, name, timer("write", getattr(kb.backend, name)))
    return spent


def kb_load(store: str, facts: str, quads: int) -> dict[str, Any]:
    """Load every fact file under ``facts`` into a new KB on disk, the way ``kb load`` does,
    with the time of each phase."""
    from kb import KB

    paths = sorted(str(p) for p in Path(facts).glob("*.yaml"))
    kb = KB(store)  # seeded: ontology, gazetteer, seed article
    spent = timed_phases(kb)
    start = time.perf_counter()
    kb.load(paths)
    elapsed = time.perf_counter() - start
    kb.close()
    spent["other"] = elapsed - sum(spent.values())
    return {
        "seconds": elapsed,
        "quads_per_s": quads / elapsed,
        "store_mb": dir_size_mb(Path(store)),
        "phases_s": spent,
    }


def kb_load_files(store: str, paths: list[str]) -> dict[str, Any]:
    """Load ``paths`` in one ``KB.load`` into the store as it is (seeded if new): a first
    load into a new store, or a reload into one that holds them."""
    from kb import KB

    kb = KB(store)
    start = time.perf_counter()
    kb.load(paths)
    elapsed = time.perf_counter() - start
    kb.close()
    return {"seconds": elapsed}


def ox_bulk(store: str, nquads: str, quads: int) -> dict[str, Any]:
    """The engine's limit: ``Store.bulk_load`` of the same N-Quads into a new on-disk store."""
    from pyoxigraph import RdfFormat, Store

    st = Store(store)
    start = time.perf_counter()
    st.bulk_load(path=nquads, format=RdfFormat.N_QUADS)
    st.flush()
    elapsed = time.perf_counter() - start
    del st
    return {
        "seconds": elapsed,
        "quads_per_s": quads / elapsed,
        "store_mb": dir_size_mb(Path(store)),
    }


def rdflib_parse(nquads: str, quads: int) -> dict[str, Any]:
    import rdflib

    ds = rdflib.Dataset(default_union=True)
    start = time.perf_counter()
    ds.parse(nquads, format="nquads")
    elapsed = time.perf_counter() - start
    return {"seconds": elapsed, "quads_per_s": quads / elapsed}


# -- queries ------------------------------------------------------------------------------


def kb_bind(store: str, params: dict[str, str]) -> dict[str, Any]:
    """Each canned query's arguments and the RDF terms they resolve to in the store."""
    from kb import KB
    from kb.sparql.catalogue import canned_queries

    out: dict[str, Any] = {}
    with KB(store, seed=False) as kb:
        for name, canned in canned_queries().items():
            args = query_arguments(canned, params)
            bound = kb.bind(canned, args)
            out[name] = {"args": args, "bound": {k: term_json(v) for k, v in bound.items()}}
    return out


def kb_query(
    store: str,
    name: str,
    args: dict[str, str],
    runs: int,
    budget: float,
    limit: int | None = None,
) -> dict[str, Any]:
    """One canned query on the on-disk store, warm runs (a process per query, so that one
    that runs away can be stopped); ``limit``: its first page of that many rows."""
    from kb import KB

    kb = KB(store, seed=False)

    def run() -> int:
        return len(kb.ask(name, args, limit=limit).rows())

    figures = time_runs(run, runs, budget)
    kb.close()
    return figures


def kb_search(store: str, org: str, runs: int, budget: float) -> dict[str, Any]:
    """``KB.search`` on the on-disk store, warm runs: an organization's name as written, the
    start of it, with two letters swapped, and its Korean name as written and misspelt."""
    from kb import KB

    kb = KB(store, seed=False)
    wanted = kb.search(org, cls="Organization")[0]
    korean = wanted.names.get("ko", org)
    texts = {
        "name": org,
        "start of the name": org[:5],
        "two letters swapped": org[:2] + org[3] + org[2] + org[4:],
        "Korean name": korean,
        "Korean, one vowel off": _other_vowel(korean),
    }
    out: dict[str, Any] = {}
    for label, text in texts.items():

        def run(text: str = text) -> int:
            return len(kb.search(text))

        figures = time_runs(run, runs, budget)
        ids = [hit.id for hit in kb.search(text)]
        out[label] = {
            "text": text,
            **figures,
            "rank": ids.index(wanted.id) + 1 if wanted.id in ids else None,
        }
    kb.close()
    return out


def _other_vowel(text: str) -> str:
    """``text`` with the vowel of its first Hangul syllable changed (아 → 애)."""
    for i, char in enumerate(text):
        code = ord(char) - 0xAC00
        if 0 <= code < 11172:
            vowel = (code // 28) % 21
            shifted = code + 28 * (((vowel + 1) % 21) - vowel)
            return text[:i] + chr(0xAC00 + shifted) + text[i + 1 :]
    return text


def query_arguments(canned: Any, params: dict[str, str]) -> dict[str, str]:
    """Arguments for ``canned``: its example's places, the generated data's people and orgs."""
    example = _example_args(canned.example)
    args: dict[str, str] = {}
    for p in canned.parameters:
        if p.type == "Organization":
            args[p.name] = params["org"]
        elif p.type == "Person":
            args[p.name] = params["other" if p.name == "other" else "person"]
        elif p.type == "Entity":
            args[p.name] = params["other"] if p.name == "other" else params["person"]
            if p.name == "name":
                args[p.name] = params["org"]
        elif p.name in example:
            args[p.name] = example[p.name]
        if (p.optional or p.default is not None) and p.name not in example:
            args.pop(p.name, None)  # the example leaves it out: so does the benchmark
    return args


def _example_args(example: str) -> dict[str, str]:
    import shlex

    words = shlex.split(example) if example else []
    return {
        w[2:]: words[i + 1]
        for i, w in enumerate(words[:-1])
        if w.startswith("--") and not words[i + 1].startswith("--")
    }


def term_json(term: Any) -> dict[str, str]:
    from pyoxigraph import Literal

    if isinstance(term, Literal):
        return {"literal": term.value, "lang": term.language or "", "datatype": term.datatype.value}
    return {"iri": term.value}


def rdflib_queries(
    nquads: str, bound: dict[str, dict[str, dict[str, str]]], runs: int, budget: float
) -> dict[str, Any]:
    """The same canned queries with the same bindings on rdflib (``default_union=True``)."""
    import rdflib

    from kb.namespaces import PREFIXES
    from kb.sparql.catalogue import canned_queries

    ds = rdflib.Dataset(default_union=True)
    start = time.perf_counter()
    ds.parse(nquads, format="nquads")
    parse_s = time.perf_counter() - start

    def rdflib_term(t: dict[str, str]) -> Any:
        if "iri" in t:
            return rdflib.URIRef(t["iri"])
        if t["lang"]:
            return rdflib.Literal(t["literal"], lang=t["lang"])
        return rdflib.Literal(t["literal"], datatype=rdflib.URIRef(t["datatype"]))

    def on_alarm(*_: Any) -> None:
        raise TimeoutError

    signal.signal(signal.SIGALRM, on_alarm)
    out: dict[str, Any] = {"_parse_s": parse_s}
    for name, canned in canned_queries().items():
        bindings = {rdflib.Variable(k): rdflib_term(v) for k, v in bound[name].items()}

        def run(sparql: str = canned.sparql, bindings: dict[Any, Any] = bindings) -> int:
            signal.alarm(RDFLIB_QUERY_TIMEOUT)
            try:
                return len(list(ds.query(sparql, initNs=PREFIXES, initBindings=bindings)))
            finally:
                signal.alarm(0)

        try:
            out[name] = time_runs(run, runs, budget)
        except TimeoutError:
            out[name] = {"timeout_s": RDFLIB_QUERY_TIMEOUT}
        except Exception as err:  # rdflib fails on some queries: say so, go on
            out[name] = {"error": f"{type(err).__name__}: {err}"}
    return out


def throughput(**args: Any) -> dict[str, Any]:
    from bench.throughput import measure

    return measure(**args)


KINDS: dict[str, Callable[..., dict[str, Any]]] = {
    "throughput": throughput,
    "kb-load": kb_load,
    "kb-load-files": kb_load_files,
    "ox-bulk": ox_bulk,
    "rdflib-parse": rdflib_parse,
    "kb-bind": kb_bind,
    "kb-query": kb_query,
    "kb-search": kb_search,
    "rdflib-queries": rdflib_queries,
}


def main(argv: list[str]) -> None:
    kind, args = argv[0], json.loads(argv[1])
    result = KINDS[kind](**args)
    result["rss_mb"] = peak_rss_mb()
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
