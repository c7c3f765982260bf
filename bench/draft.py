"""``python -m bench.draft``: how good ``kb draft`` is, against hand-written gold fact files.

Two sets of gold articles: the development set (the seed article in Korean and English,
``tests/articles/`` and ``tests/draft-gold/``, round 2's held-out set, scored once at the
frozen round-2 rules), which the rules are written on, and the held-out set of round 3
(``tests/draft-gold-3/``, written before the round-3 rules and scored with
``--heldout``). For each gold article it builds the KB the analyst would have had: the
ontology and the gazetteer, plus (for the articles of the folders) the seed article and
every gold article published before it.
The seed article (in Korean and in its English rendering) is drafted against the ontology
and gazetteer alone, so every entity must come from its text. It drafts the article and
compares the draft with the gold file:

- entities (people, organizations, places, sites, events): one a draft references by an id
  the KB had matches that id; a new one matches a gold entity the KB did not have that
  shares a name or alias with it (case, spaces and punctuation aside);
- posts (person, organization); meetings (participants overlapping by half or more, dates
  not different); agreements (the same parties, dates not different); expansions (the same
  organization, target places overlapping); "facts" is these four together; cooperations,
  kinships and remarks are reported beside them;
- dates: every date field of a matched fact (``date``, ``start``, purpose deadlines), right
  only if equal to the gold value with its precision (2025-05 is not 2025-05-22);
- quotes: every quote and saying must be verbatim in the article (whitespace aside).

It writes the table into ``docs/draft.md`` with ``--write`` (between the ``scores-dev`` or,
with ``--heldout``, the ``scores-heldout`` markers).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kb.draft import draft

REPO = Path(__file__).resolve().parent.parent
SEED_TEXT = REPO / "tests" / "data" / "seed-article.ko.txt"
SEED_EN_TEXT = REPO / "tests" / "data" / "seed-article.en.txt"
"""The seed article's English rendering (shared/seeds/*.en.md, paragraphs unwrapped): the
same facts, so the seed's gold file scores it too."""
SEED_GOLD = REPO / "facts" / "bizwatch-2025-05-23-naver-nvidia.yaml"
ARTICLES = REPO / "tests" / "articles"
ROUND_2 = REPO / "tests" / "draft-gold"
"""Round 2's held-out articles (scored once at the round-2 rules; development since)."""
HELD_OUT = REPO / "tests" / "draft-gold-3"
"""Round 3's held-out articles: the targets are judged on these."""
DOC = REPO / "docs" / "draft.md"
ENTITY_KINDS = {"Person", "Organization", "Place", "Site", "Country", "City", "Region", "Event",
                "Conference"}  # fmt: skip
FACT_KINDS = ("Post", "Meeting", "Agreement", "Expansion")
OTHER_KINDS = ("Cooperation", "Kinship", "Remark")


@dataclass
class Count:
    right: int = 0
    proposed: int = 0
    gold: int = 0

    def add(self, other: Count) -> None:
        self.right += other.right
        self.proposed += other.proposed
        self.gold += other.gold

    @property
    def precision(self) -> float | None:
        return self.right / self.proposed if self.proposed else None

    @property
    def recall(self) -> float | None:
        return self.right / self.gold if self.gold else None


@dataclass
class Score:
    name: str
    held_out: bool
    counts: dict[str, Count] = field(default_factory=dict)
    quotes: tuple[int, int] = (0, 0)
    validates: str = ""
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)


def gold_articles(*, held_out: bool = False) -> list[tuple[str, Path, Path]]:
    """(name, text, gold) of the development articles, the seed first, then in publication
    order; with ``held_out``, of the held-out articles (``tests/draft-gold-3/``) instead."""
    out = [] if held_out else [("seed", SEED_TEXT, SEED_GOLD), ("seed-en", SEED_EN_TEXT, SEED_GOLD)]
    folders = [HELD_OUT] if held_out else [ARTICLES, ROUND_2]
    for gold in sorted(g for f in folders for g in f.glob("[0-9][0-9][0-9]-*.yaml")):
        text = next(p for p in (gold.with_suffix(".txt"), gold.with_suffix(".html")) if p.exists())
        out.append((gold.name[:3], text, gold))
    return out


def base_kb() -> Any:
    """A KB in memory holding only the ontology and the gazetteer."""
    from pyoxigraph import NamedNode, Quad, RdfFormat, parse

    from kb import KB, resources
    from kb.namespaces import SYSTEM_GRAPH_FILES
    from loaders.names import lookup_quads

    kb = KB(None, seed=False)
    graphs = {}
    for graph, filename in SYSTEM_GRAPH_FILES.items():
        data = (resources.ontology_dir() / filename).read_bytes()
        quads = [Quad(q.subject, q.predicate, q.object, NamedNode(graph))
                 for q in parse(data, format=RdfFormat.TURTLE)]  # fmt: skip
        graphs[graph] = quads + lookup_quads(quads)
    kb.replace(graphs)
    return kb


def kb_for(name: str) -> Any:
    """The KB an analyst drafting article ``name`` would have had."""
    kb = base_kb()
    if not name.startswith("seed"):
        both = gold_articles() + gold_articles(held_out=True)
        earlier = [SEED_GOLD] + [g for n, _, g in both if not n.startswith("seed") and n < name]
        for path in earlier:  # one at a time: a batch does not see its own definitions (issue 12)
            kb.load([str(path)])
    return kb


def _norm(text: str) -> str:
    from kb.names import normalise

    return normalise(text)


def _names(record: dict[str, Any]) -> set[str]:
    out = set()
    for key in ("name", "aliases"):
        for value in (record.get(key) or {}).values():
            for v in value if isinstance(value, list) else [value]:
                out.add(_norm(str(v)))
    return {n for n in out if n}


def _entity_refs(doc: dict[str, Any], kinds: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The entities a fact file counts: defined (of the entity kinds) or referenced by facts."""
    out: dict[str, dict[str, Any]] = {}
    for ent in doc.get("entities") or []:
        if ent["type"] in ENTITY_KINDS:
            out[ent["id"]] = ent
    for fact in doc.get("facts") or []:
        for key, value in fact.items():
            if key in ("id", "type", "kind", "status", "quote", "saying", "name", "note",
                       "relation", "date", "start", "end", "former", "purposes",
                       "speaker_description", "unnamed_participants"):  # fmt: skip
                continue
            for ident in value if isinstance(value, list) else [value]:
                if isinstance(ident, str) and kinds.get(ident) in ENTITY_KINDS and ident not in out:
                    out[ident] = {"id": ident}
    return out


def _kinds(kb: Any, *docs: dict[str, Any]) -> dict[str, str]:
    from kb.draft.names import kind_of
    from kb.sparql.catalogue import internal_query

    classes: dict[str, set[str]] = {}
    for row in kb.query(internal_query("draft-names")).rows():
        classes.setdefault(row["entity"].rsplit("/", 1)[-1], set()).add(row["class"])
    kinds = {i: kind_of(c) or "" for i, c in classes.items()}
    for doc in docs:
        for ent in doc.get("entities") or []:
            kinds.setdefault(ent["id"], ent["type"])
    return kinds


def match_entities(
    draft: dict[str, Any], gold: dict[str, Any], known: set[str], kinds: dict[str, str]
) -> tuple[dict[str, str], Count, list[str]]:
    """Draft id → gold id for the entities that match, and the count."""
    d_ents = _entity_refs(draft, kinds)
    g_ents = _entity_refs(gold, kinds)
    mapping: dict[str, str] = {}
    for ident in d_ents:
        if ident in known and ident in g_ents:
            mapping[ident] = ident
    taken = set(mapping.values())
    for ident, ent in d_ents.items():
        if ident in mapping or ident in known:
            continue
        names = _names(ent)
        for gid, gent in g_ents.items():
            if gid in taken or gid in known:
                continue
            if names & _names(gent):
                mapping[ident] = gid
                taken.add(gid)
                break
    misses = [f"entity missed: {g}" for g in g_ents if g not in taken]
    misses += [
        f"entity extra: {d} {_names(e) or ''}" for d, e in d_ents.items() if d not in mapping
    ]
    return mapping, Count(len(mapping), len(d_ents), len(g_ents)), misses


def _ids(value: Any, mapping: dict[str, str]) -> set[str]:
    items = value if isinstance(value, list) else [value] if value else []
    return {mapping.get(i, "?" + i) for i in items}


def _compatible(a: Any, b: Any) -> bool:
    return a is None or b is None or str(a) == str(b)


def _same(kind: str, d: dict[str, Any], g: dict[str, Any], m: dict[str, str]) -> bool:
    if kind == "Post":
        return m.get(d["person"]) == g["person"] and m.get(d["organization"]) == g["organization"]
    if kind == "Meeting":
        a, b = _ids(d["participants"], m), set(g["participants"])
        return len(a & b) * 2 >= len(a | b) and _compatible(d.get("date"), g.get("date"))
    if kind == "Agreement":
        return _ids(d["parties"], m) == set(g["parties"]) and _compatible(
            d.get("date"), g.get("date")
        )
    if kind == "Expansion":
        return m.get(d["organization"]) == g["organization"] and bool(
            _ids(d["into"], m) & set(g["into"])
        )
    if kind == "Cooperation":
        return _ids(d["parties"], m) == set(g["parties"])
    if kind == "Kinship":
        return m.get(d["person"]) == g["person"] and m.get(d["relative"]) == g["relative"]
    if kind == "Remark":
        said = {_norm(s) for s in (g["saying"] if isinstance(g["saying"], list) else [g["saying"]])}
        mine = {_norm(s) for s in (d["saying"] if isinstance(d["saying"], list) else [d["saying"]])}
        return bool(said & mine)
    raise ValueError(kind)


def _dates(fact: dict[str, Any]) -> dict[str, str]:
    out = {k: str(fact[k]) for k in ("date", "start", "end") if fact.get(k)}
    for i, purpose in enumerate(fact.get("purposes") or []):
        if purpose.get("deadline"):
            out[f"deadline-{i}"] = str(purpose["deadline"])
    return out


def match_facts(
    draft: dict[str, Any], gold: dict[str, Any], mapping: dict[str, str]
) -> tuple[dict[str, Count], Count, list[str]]:
    counts: dict[str, Count] = {}
    dates = Count()
    misses: list[str] = []
    for kind in FACT_KINDS + OTHER_KINDS:
        mine = [f for f in draft.get("facts") or [] if f["type"] == kind]
        theirs = [f for f in gold.get("facts") or [] if f["type"] == kind]
        used: set[int] = set()
        right = 0
        for d in mine:
            hit = next(
                (i for i, g in enumerate(theirs) if i not in used and _same(kind, d, g, mapping)),
                None,
            )
            if hit is None:
                misses.append(f"{kind.lower()} extra: {d['id']}")
                continue
            used.add(hit)
            right += 1
            mine_dates, gold_dates = _dates(d), _dates(theirs[hit])
            if kind == "Agreement":  # deadlines compared as a set: purposes are not aligned
                md = {v for k, v in mine_dates.items() if k.startswith("deadline")}
                gd = {v for k, v in gold_dates.items() if k.startswith("deadline")}
                mine_dates = {k: v for k, v in mine_dates.items() if not k.startswith("deadline")}
                gold_dates = {k: v for k, v in gold_dates.items() if not k.startswith("deadline")}
                dates.add(Count(len(md & gd), len(md), len(gd)))
                for v in md - gd:
                    misses.append(f"deadline wrong: {d['id']} {v} (gold {sorted(gd)})")
            for key, value in mine_dates.items():
                dates.proposed += 1
                if gold_dates.get(key) == value:
                    dates.right += 1
                else:
                    misses.append(
                        f"date wrong: {d['id']}.{key} {value} (gold {gold_dates.get(key)})"
                    )
            dates.gold += len(gold_dates)
        misses += [
            f"{kind.lower()} missed: {theirs[i]['id']}" for i in range(len(theirs)) if i not in used
        ]
        counts[kind] = Count(right, len(mine), len(theirs))
    return counts, dates, misses


def article_text(path: Path) -> str:
    from kb.draft.source import read_article

    return read_article(path.read_bytes(), str(path)).text


def quotes_verbatim(draft: dict[str, Any], text: str) -> tuple[int, int]:
    flat = " ".join(text.split())
    items = []
    for item in (draft.get("entities") or []) + (draft.get("facts") or []):
        for key in ("quote", "saying"):
            value = item.get(key)
            items += value if isinstance(value, list) else [value] if value else []
    return sum(1 for q in items if " ".join(str(q).split()) in flat), len(items)


def validates(kb: Any, text: str) -> str:
    from kb.errors import InputError

    if "\n  publisher:" not in text:  # the one field an article never states about itself
        text = re.sub(r"\n  published:", "\n  publisher: {en: Gold}\n  published:", text, count=1)
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", encoding="utf-8", delete=False) as out:
        out.write(text)
    try:
        kb.validate([out.name])
        return "yes"
    except InputError as err:
        return f"no: {str(err).split(':', 2)[-1].strip()}"
    finally:
        Path(out.name).unlink()


def score(name: str, text_path: Path, gold_path: Path, *, held_out: bool) -> Score:
    kb = kb_for(name)
    gold = yaml.load(gold_path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    published = str(gold["article"]["published"])
    started = time.perf_counter()
    drafted = draft(kb, text_path.read_bytes(), path=str(text_path.relative_to(REPO)),
                       published=published)  # fmt: skip
    seconds = time.perf_counter() - started
    text = drafted.yaml()
    proposed = yaml.load(text, Loader=yaml.BaseLoader)
    known = set(_kinds(kb))
    kinds = _kinds(kb, proposed, gold)
    mapping, entities, misses = match_entities(proposed, gold, known, kinds)
    facts, dates, fact_misses = match_facts(proposed, gold, mapping)
    result = Score(name, held_out, {"entities": entities}, seconds=seconds)
    result.counts.update(facts)
    combined = Count()
    for kind in FACT_KINDS:
        combined.add(facts[kind])
    result.counts["facts"] = combined
    result.counts["dates"] = dates
    result.quotes = quotes_verbatim(proposed, article_text(text_path))
    result.validates = validates(kb, text)
    result.misses = misses + fact_misses
    kb.close()
    return result


def _pr(count: Count) -> str:
    p, r = count.precision, count.recall
    ps = f"{p:.0%}" if p is not None else "n/a"
    rs = f"{r:.0%}" if r is not None else "n/a"
    return f"{ps} / {rs} ({count.right}/{count.proposed}/{count.gold})"


ROWS = ("entities", "facts", "Post", "Meeting", "Agreement", "Expansion", "dates",
        "Cooperation", "Kinship", "Remark")  # fmt: skip


def table(scores: list[Score]) -> str:
    """One column an article, and the totals of the set."""
    total_name = "held out, all" if all(s.held_out for s in scores) else "development, all"
    head = "| | " + " | ".join(s.name for s in scores)
    head += f" | {total_name} |\n|---" + "|---" * (len(scores) + 1) + "|\n"
    lines = [head.rstrip("\n")]
    for row in ROWS:
        total = Count()
        for s in scores:
            total.add(s.counts[row])
        lines.append(
            f"| {row} | " + " | ".join(_pr(s.counts[row]) for s in scores) + f" | {_pr(total)} |"
        )
    q_right = sum(s.quotes[0] for s in scores)
    q_all = sum(s.quotes[1] for s in scores)
    lines.append("| quotes verbatim | " + " | ".join(f"{s.quotes[0]}/{s.quotes[1]}" for s in scores)
                 + f" | {q_right}/{q_all} |")  # fmt: skip
    lines.append("| validates | " + " | ".join(s.validates for s in scores) + " | |")
    lines.append("| draft time (s) | " + " | ".join(f"{s.seconds:.2f}" for s in scores) + " | |")
    return "\n".join(lines)


SPEED_PROBE = """
import resource, sys, time
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
from kb.draft.sentences import kiwi
kiwi().split_into_sents("모델을 불러온다.")
loaded = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
import trafilatura
imported = time.perf_counter() - started
print(f"{loaded:.2f} {(after - before) / 1024:.0f} {imported:.2f}")
"""


def speed(rounds: int = 5) -> str:
    """Model load time and memory (in a fresh process), and the time to draft a
    2,000-character article once the model is loaded (median of ``rounds``)."""
    import statistics
    import subprocess

    probe = subprocess.run(
        [sys.executable, "-c", SPEED_PROBE], capture_output=True, text=True, check=True, cwd=REPO
    )
    loaded, memory, imported = probe.stdout.split()
    text = article_text(SEED_TEXT)
    cut = text[:2000]
    cut = cut[: cut.rfind(".") + 1]  # whole sentences, just under 2,000 characters
    body = f"{SEED_TEXT.read_text(encoding='utf-8').splitlines()[2]}\n{cut}\n"
    kb = base_kb()
    from kb.draft.sentences import kiwi

    kiwi().split_into_sents("모델을 불러온다.")
    started = time.perf_counter()
    draft(kb, body, published="2025-05-23T12:16:00+09:00")  # compiles the KB's name patterns
    first = time.perf_counter() - started
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        draft(kb, body, published="2025-05-23T12:16:00+09:00")
        times.append(time.perf_counter() - started)
    english = article_text(ARTICLES / "004-al-noor-nvidia-riyadh.txt")
    en_times = []
    for _ in range(rounds):
        started = time.perf_counter()
        draft(kb, english, published="2025-07-02", language="en")
        en_times.append(time.perf_counter() - started)
    return "\n".join(
        [
            "| measure | value |",
            "|---|---|",
            f"| kiwipiepy model load (fresh process, first analysis included) | {loaded} s |",
            f"| peak RSS growth: importing kb.draft and loading the model | {memory} MiB |",
            f"| trafilatura import | {imported} s |",
            f"| first draft of a {len(cut):,}-character Korean article, model loaded (the "
            f"KB's name patterns compiled) | {first:.2f} s |",
            f"| draft of a {len(cut):,}-character Korean article, model loaded (median of "
            f"{rounds} more) | {statistics.median(times):.2f} s |",
            f"| draft of a {len(english):,}-character English article (median of {rounds}) "
            f"| {statistics.median(en_times):.2f} s |",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.draft", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--write", action="store_true", help="write the table into docs/draft.md")
    parser.add_argument(
        "--misses", action="store_true", help="list what each draft missed or added"
    )
    parser.add_argument("--only", help="score only this article (seed, 001, ...)")
    parser.add_argument(
        "--heldout",
        action="store_true",
        help="score the held-out set (tests/draft-gold/) instead of the development set",
    )
    parser.add_argument("--speed", action="store_true", help="measure model load and draft time")
    args = parser.parse_args(argv)
    if args.speed:
        out = speed()
        print(out)
        if args.write:
            doc = DOC.read_text(encoding="utf-8")
            new = re.sub(r"(<!-- speed -->\n).*?(\n<!-- /speed -->)", lambda m: m[1] + out + m[2],
                         doc, flags=re.S)  # fmt: skip
            DOC.write_text(new, encoding="utf-8")
        return 0
    articles = gold_articles(held_out=args.heldout)
    scores = [
        score(n, t, g, held_out=args.heldout)
        for n, t, g in articles
        if not args.only or n == args.only
    ]
    out = table(scores)
    print("precision / recall (right/proposed/gold)\n" + out)
    if args.misses:
        for s in scores:
            print(f"\n## {s.name}")
            print("\n".join(s.misses))
    if args.write:
        marker = "scores-heldout" if args.heldout else "scores-dev"
        doc = DOC.read_text(encoding="utf-8")
        new = re.sub(
            rf"(<!-- {marker} -->\n).*?(\n<!-- /{marker} -->)",
            lambda m: m[1] + out + m[2],
            doc,
            flags=re.S,
        )
        DOC.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
