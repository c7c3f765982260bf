"""``python -m bench.reload``: what replacing articles costs next to loading them new.

Issue 12's target: a reload costs at most about twice a first load, in time and in peak
memory. Two cases, built from the benchmark's generator (``bench.generate``), each load in
its own process (``bench.measure``), all side by side in one run:

- a batch of ``--articles`` (1,000) generated fact files: loaded into a new store; loaded
  again as they are (every article replaced by itself); loaded again edited (every quote
  changed, so every article's facts differ);
- one RDF article of about ``--megabytes`` (50) MB of N-Triples, made of the statements of
  generated articles: loaded into a new store; again as it is; replaced by a version in
  which every quad differs (every IRI of its own entities and facts renamed), the worst
  case.

Writes its section of ``docs/benchmarks.md`` (between ``<!-- reload:begin -->`` and
``<!-- reload:end -->``) and prints it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import yaml
from pyoxigraph import NamedNode, RdfFormat, parse

from bench import report
from bench.generate import QUADS_PER_ARTICLE, generate
from bench.run import REPO, child
from kb import resources
from kb.namespaces import EKR, GAZETTEER_GRAPH, SYSTEM_GRAPH_FILES

BEGIN, END = "<!-- reload:begin -->", "<!-- reload:end -->"
DATA = re.compile(r"<!-- reload:data (.*?) -->", re.S)
TARGET = 2.0
"""A reload may cost this many times a first load, in time and in peak memory."""
RECORD = b"<https://w3id.org/event-kb/ontology#entityStatement>"
LOOKUP_KEY = b"<https://w3id.org/event-kb/ontology#lookupKey>"
ARTICLE = "https://w3id.org/event-kb/article/example-2025-01-01-one-large-article"


def edited(source: Path, target: Path) -> None:
    """The fact file with every quote changed."""
    doc = yaml.safe_load(source.read_text(encoding="utf-8"))
    for fact in doc.get("facts", []):
        quote = fact["quote"]
        fact["quote"] = (
            [q + " (고침)" for q in quote] if isinstance(quote, list) else quote + " (고침)"
        )
    target.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def large_article(nquads: Path, target: Path, megabytes: int) -> int:
    """One N-Triples article of the statements of whole generated articles (no records, no
    lookup keys: what an RDF author writes), about ``megabytes`` MB; its triple count."""
    seen: set[bytes] = set()
    size = 0
    current = None
    with open(target, "wb") as out, open(nquads, "rb") as source:
        out.write(
            f"<{ARTICLE}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
            "<https://w3id.org/event-kb/ontology#Article> .\n".encode()
        )
        for line in source:
            body = line.rstrip(b"\n")[:-2].rstrip()
            triple, graph = body.rsplit(b" ", 1)
            if b"/article/" in graph and graph != current:
                current = graph  # a new article: stop here once there is enough
                if size > megabytes * 2**20:
                    break
            if (
                RECORD in line
                or LOOKUP_KEY in line
                or line.startswith(b"<https://w3id.org/event-kb/article/")
            ):
                continue
            text = triple + b" .\n"
            if text not in seen:
                seen.add(text)
                out.write(text)
                size += len(text)
    return len(seen) + 1


def renamed(source: Path, target: Path) -> None:
    """The article with every IRI of its own entities and facts renamed: every quad differs
    (gazetteer places keep theirs)."""
    data = (resources.ontology_dir() / SYSTEM_GRAPH_FILES[GAZETTEER_GRAPH]).read_bytes()
    places = {
        q.subject.value
        for q in parse(data, format=RdfFormat.TURTLE)
        if isinstance(q.subject, NamedNode)
    }
    pattern = re.compile(re.escape(EKR) + r"([^>]*)")

    def rename(match: re.Match[str]) -> str:
        return match.group(0) if match.group(0) in places else f"{EKR}v2-{match.group(1)}"

    target.write_text(pattern.sub(rename, source.read_text(encoding="utf-8")), encoding="utf-8")


def seeded(store: Path) -> None:
    """A new store, seeded here: the first load's process does not pay for the seeding."""
    from kb import KB

    shutil.rmtree(store, ignore_errors=True)
    KB(store).close()


def measure(out: Path, articles: int, megabytes: int, seed: int, log: Any) -> dict[str, Any]:
    run: dict[str, Any] = {
        "machine": report.machine(),
        "articles": articles,
        "megabytes": megabytes,
    }
    log(f"generating {articles} articles")
    batch = generate(
        out / "batch", articles * QUADS_PER_ARTICLE * 2, seed=seed, processes=os.cpu_count() or 1
    )
    files = [str(p) for p in batch.fact_files()[:articles]]
    changed = out / "batch-edited"
    changed.mkdir(exist_ok=True)
    edits = []
    for path in files:
        edited(Path(path), changed / Path(path).name)
        edits.append(str(changed / Path(path).name))
    store = out / "batch-store"
    seeded(store)
    log("the batch: first load, reload, edited reload")
    run["batch"] = {
        "files": len(files),
        "first": child("kb-load-files", store=str(store), paths=files),
        "same": child("kb-load-files", store=str(store), paths=files),
        "edited": child("kb-load-files", store=str(store), paths=edits),
    }
    shutil.rmtree(store, ignore_errors=True)
    log(f"generating the statements of a {megabytes} MB article")
    source = generate(
        out / "large", megabytes * 2**20 // 40, seed=seed + 1, processes=os.cpu_count() or 1
    )
    one, other = out / "large-article.nt", out / "large-article-renamed.nt"
    triples = large_article(source.nquads, one, megabytes)
    renamed(one, other)
    store = out / "large-store"
    seeded(store)
    log("the large article: first load, reload, replaced by one where every quad differs")
    run["large"] = {
        "megabytes": one.stat().st_size / 2**20,
        "triples": triples,
        "first": child("kb-load-files", store=str(store), paths=[str(one)]),
        "same": child("kb-load-files", store=str(store), paths=[str(one)]),
        "replaced": child("kb-load-files", store=str(store), paths=[str(other)]),
    }
    shutil.rmtree(store, ignore_errors=True)
    return run


def table(run: dict[str, Any]) -> str:
    rows = []
    verdicts = []
    for case, label, kinds in (
        ("batch", f"{run['batch']['files']:,} fact files", ("same", "edited")),
        (
            "large",
            f"one article, {run['large']['megabytes']:.0f} MB, {run['large']['triples']:,} triples",
            ("same", "replaced"),
        ),
    ):
        first = run[case]["first"]
        rows.append(
            [label, "first load", f"{first['seconds']:.1f}", f"{first['rss_mb']:,.0f}", "1", "1"]
        )
        for kind in kinds:
            again = run[case][kind]
            time_ratio = again["seconds"] / first["seconds"]
            memory_ratio = again["rss_mb"] / first["rss_mb"]
            name = {
                "same": "reloaded as it is",
                "edited": "reloaded, every quote edited",
                "replaced": "replaced, every quad differs",
            }[kind]
            rows.append(
                [
                    label,
                    name,
                    f"{again['seconds']:.1f}",
                    f"{again['rss_mb']:,.0f}",
                    f"{time_ratio:.2f}",
                    f"{memory_ratio:.2f}",
                ]
            )
            met = time_ratio <= TARGET and memory_ratio <= TARGET
            verdicts.append(
                f"{label}, {name}: {'met' if met else 'missed'} "
                f"({time_ratio:.2f}x time, {memory_ratio:.2f}x memory)"
            )
    m = run["machine"]
    return "\n\n".join(
        [
            f"Machine: {m['cpu']}, {m['cores']} cores (shared with other work while measuring), "
            f"{m['ram_gib']} GiB RAM; Python {m['python']}, pyoxigraph {m['pyoxigraph']}. "
            "Reproduce with `python -m bench.reload "
            f"--articles {run['articles']} --megabytes {run['megabytes']}`.",
            report.markdown_table(
                ["case", "load", "seconds", "peak MB", "time / first", "memory / first"], rows
            ),
            f"Target (a reload costs at most {TARGET:g}x a first load): "
            + "; ".join(verdicts)
            + ".",
        ]
    )


def write_doc(run: dict[str, Any], doc: Path) -> None:
    block = "\n\n".join([BEGIN, table(run), f"<!-- reload:data {json.dumps(run)} -->", END])
    text = doc.read_text(encoding="utf-8")
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n## Reload\n\n" + block + "\n"
    doc.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.reload", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--megabytes", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "reload")
    parser.add_argument("--doc", type=Path, default=REPO / "docs" / "benchmarks.md")
    opts = parser.parse_args(argv)
    opts.out.mkdir(parents=True, exist_ok=True)

    def log(text: str) -> None:
        print(f"{time.strftime('%H:%M:%S')} {text}", file=sys.stderr, flush=True)

    run = measure(opts.out, opts.articles, opts.megabytes, opts.seed, log)
    print(table(run))
    write_doc(run, opts.doc)
    print(f"wrote {opts.doc}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
