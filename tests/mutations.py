"""``python -m tests.mutations``: break one behaviour at a time and see which tests notice.

Each entry of ``MUTATIONS`` is data: the file, the exact text it replaces (it must occur
once), the text it puts there, and the tests that should fail. The check copies the tree
(the files git knows, tracked or not ignored) to a temporary directory, and in that copy
applies one mutation, runs its tests with the copy first on ``PYTHONPATH`` (so ``kb``
subprocesses run the mutant too), records which failed, and restores the file before the
next one. The working tree is never written, so an interrupted run (Ctrl-C, SIGKILL)
leaves nothing to restore; the copy goes with its temporary directory.

Before the mutants, the same tests run on the unmutated copy and must pass: a test that
fails anyway proves nothing. A mutation none of its tests catches, or whose text is not in
its file (the tree moved on: update the table), makes the check exit 1.

    python -m tests.mutations                 # all of them (5-10 minutes on 2 shared cores)
    python -m tests.mutations --list          # the table
    python -m tests.mutations region-filter journal-replay
    python -m tests.mutations --markdown      # the result table for docs/robustness.md
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutation:
    name: str
    breaks: str  # the behaviour a user relies on that it breaks
    file: str
    old: str
    new: str
    tests: tuple[str, ...]  # pytest paths or node ids expected to fail


MUTATIONS: tuple[Mutation, ...] = (
    Mutation(
        "region-filter",
        "partners-expanding ignores the region",
        "queries/partners-expanding.rq",
        "?target ek:partOfPlace $region .",
        "?target ek:partOfPlace ?anyRegion .",
        ("tests/test_canned.py",),
    ),
    Mutation(
        "organization-filter",
        "partners-expanding takes the partners of any organization",
        "queries/partners-expanding.rq",
        "$org ek:partnerOf ?partner .",
        "?anyOrg ek:partnerOf ?partner .",
        ("tests/test_canned.py", "tests/test_load.py"),
    ),
    Mutation(
        "partner-definition",
        "an expansion naming a partner no longer makes the two partners",
        "queries/derive/30-partners.rq",
        "UNION {\n        ?fact ek:expandingOrganization ?p ; ek:partner ?q .\n      }",
        "UNION {\n        ?fact ek:expandingOrganization ?p ; ek:partner ?q . FILTER(false)\n      }",
        ("tests/test_canned.py",),
    ),
    Mutation(
        "all-or-nothing-load",
        "a bad file in a batch is skipped and the others load",
        "kb/batch.py",
        "        if isinstance(outcome, InputError):\n            raise outcome\n",
        "        if isinstance(outcome, InputError):\n            continue\n",
        (
            "tests/test_load.py::test_a_bad_file_among_good_ones_loads_nothing",
            "tests/test_bulk_load.py::test_a_bad_file_in_a_large_batch_loads_nothing",
            "tests/test_bad_inputs.py",
        ),
    ),
    Mutation(
        "service-block",
        "kb serve runs SERVICE and LOAD without --allow-federation",
        "kb/http/app.py",
        '        return () if self.config.allow_federation else ("SERVICE", "LOAD")\n',
        "        return ()\n",
        (
            "tests/test_endpoint_hardening.py::test_queries_cannot_read_files_or_call_out",
            "tests/test_endpoint_hardening.py::test_updates_cannot_read_files_or_call_out",
        ),
    ),
    Mutation(
        "read-only-server",
        "kb serve accepts updates without --allow-update and a token",
        "kb/http/app.py",
        "        config = self.config\n        if not config.allow_update:\n",
        "        config = self.config\n        return\n        if not config.allow_update:\n",
        (
            "tests/test_server.py::test_bad_requests_get_a_readable_4xx",
            "tests/test_server.py::test_updates_need_the_token",
            "tests/test_endpoint_hardening.py::test_updates_cannot_read_files_or_call_out",
        ),
    ),
    Mutation(
        "date-precision",
        "a month (2025-05) is stored as a day (2025-05-01)",
        "loaders/dates.py",
        '        return Literal(text, datatype=NamedNode(XSD + "gYearMonth"))',
        '        return Literal(text + "-01", datatype=NamedNode(XSD + "date"))',
        ("tests/test_seed_facts.py", "tests/test_canned.py", "loaders/dates.py"),
    ),
    Mutation(
        "korean-lookup",
        "Korean names and aliases no longer find their entity",
        "loaders/names.py",
        "        if predicate in _NAME_NODES and isinstance(quad.object, Literal):",
        "        if (\n            predicate in _NAME_NODES\n"
        "            and isinstance(quad.object, Literal)\n"
        '            and quad.object.language != "ko"\n        ):',
        ("tests/test_canned.py", "tests/test_names.py"),
    ),
    Mutation(
        "korean-term-labels",
        "--lang ko shows an agreement's kind in English",
        "queries/agreements.rq",
        "OPTIONAL { ?kindTerm $displayName ?kind }",
        "OPTIONAL { ?kindTerm ek:displayName-en ?kind }",
        ("tests/test_canned.py",),
    ),
    Mutation(
        "display-english-fallback",
        "a name missing in the language asked is not shown in English first",
        "kb/store/display.py",
        "for wanted in (lang, ENGLISH, *article_langs):",
        "for wanted in (lang, *article_langs):",
        ("tests/test_display.py",),
    ),
    Mutation(
        "display-description",
        "a fact without a name shows its id, not its type, parties and date",
        "kb/store/display.py",
        "        if not parties and not date:",
        "        if True:",
        ("tests/test_display.py", "tests/test_corpus.py", "tests/test_canned.py"),
    ),
    Mutation(
        "parameter-columns",
        "an answer echoes its parameters (org) as a column",
        "queries/people.rq",
        "SELECT DISTINCT ?personName ?role ?unit ?start ?end ?former ?person ?post\n",
        "SELECT DISTINCT ?personName ?role ?unit ?start ?end ?former ?person ?post $org\n",
        ("tests/test_canned.py",),
    ),
    Mutation(
        "normalisation-spaces",
        "names match only with the stored spacing and punctuation",
        "kb/names.py",
        '    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", name).casefold())',
        '    return unicodedata.normalize("NFKC", name).casefold()',
        ("tests/test_names.py", "kb/names.py"),
    ),
    Mutation(
        "normalisation-nfkc",
        "decomposed Hangul and full-width Latin no longer match",
        "kb/names.py",
        '    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", name).casefold())',
        '    return _NOT_WORD.sub("", name.casefold())',
        ("tests/test_names.py",),
    ),
    Mutation(
        "journal-replay",
        "a store opened after a killed write keeps the graphs its journal lists",
        "kb/store/embedded.py",
        "        if self.store.contains_named_graph(journal.JOURNAL):\n            for graph in",
        "        if False:\n            for graph in",
        (
            "tests/test_crash_safety.py::test_sigkill_during_load_leaves_old_or_new_never_a_mix",
            "tests/test_bulk_load.py::test_sigkill_during_a_bulk_load_leaves_all_of_the_batch_or_none",
        ),
    ),
    Mutation(
        "repair-on-open",
        "a store opened after a write cut short keeps a stale derived graph",
        "kb/api.py",
        "            self.repair()  # a write was killed before its derived graph was written",
        "            pass  # a write was killed before its derived graph was written",
        (
            "tests/test_crash_safety.py::test_sigkill_during_load_leaves_old_or_new_never_a_mix",
            "tests/test_crash_safety.py::test_a_load_cut_off_before_its_derivation_is_completed_on_next_open",
        ),
    ),
    Mutation(
        "snapshot-hides-staging",
        "a reader's snapshot of a bulk write cut short sees its journaled graphs",
        "kb/store/embedded.py",
        "        self._hidden = sorted(self._in_progress())",
        "        self._hidden = []",
        (
            "tests/test_bulk_load.py::test_a_snapshot_of_a_bulk_write_cut_before_its_swap_sees_none_of_it",
        ),
    ),
    Mutation(
        "client-reset",
        "kb serve drops connections to /ask/entity once busy",
        "kb/http/canned.py",
        "    return app.run(answer, name, params,",
        '    served = app.__dict__.setdefault("mutation_served", [])\n'
        "    served.append(name)\n"
        '    if name == "entity" and len(served) > 20:\n'
        '        raise ConnectionResetError("mutation")\n'
        "    return app.run(answer, name, params,",
        (
            "tests/test_endpoint_hardening.py::test_canned_queries_under_load_while_endless_queries_are_cut",
        ),
    ),
    Mutation(
        "rdf-literals",
        "RDF input loses every literal's language and datatype",
        "loaders/rdffile.py",
        "            quad = Quad(quad.subject, quad.predicate, obj, default)",
        "            quad = Quad(quad.subject, quad.predicate, type(obj)(obj.value), default)",
        ("tests/test_load.py::test_rdf_formats_load_into_the_article_graph",),
    ),
    Mutation(
        "quotes-dropped",
        "the MOU loads without its quotes (the mutation the old quote check let through)",
        "loaders/factfile.py",
        '        if kind == "quote":\n            items = raw if isinstance(raw, list) else [raw]\n',
        '        if kind == "quote":\n'
        '            if subject.value.endswith("/mou-naver-cloud-siam-ai-cloud-2025") and label.endswith(\n'
        '                ".quote"\n'
        "            ):\n"
        "                return []\n"
        "            items = raw if isinstance(raw, list) else [raw]\n",
        ("tests/test_seed_facts.py::test_every_fact_has_an_article_and_a_korean_quote",),
    ),
    Mutation(
        "seed-status",
        "the seed states as under way a cooperation the article calls a prospect",
        "facts/bizwatch-2025-05-23-naver-nvidia.yaml",
        "    status: prospective\n    date: 2025-05-22\n",
        "    status: underway\n    date: 2025-05-22\n",
        ("tests/test_seed_facts.py",),
    ),
    Mutation(
        "seed-occasion-named",
        "the seed names the IT event the article leaves unnamed",
        "facts/bizwatch-2025-05-23-naver-nvidia.yaml",
        "  - id: nvidia-it-event-taiwan-2025\n    type: Event\n",
        "  - id: nvidia-it-event-taiwan-2025\n    type: Event\n    aliases: {en: [Computex 2025]}\n",
        ("tests/test_seed_facts.py",),
    ),
    Mutation(
        "bench-tolerance",
        "python -m bench --check calls any figure below the committed one a regression",
        "bench/report.py",
        "        if value * allowed < old[key]:",
        "        if value < old[key]:",
        ("tests/test_bench.py",),
    ),
)


@dataclass
class Outcome:
    mutation: Mutation
    caught_by: list[str]
    seconds: float
    problem: str = ""  # the mutation did not apply, or its tests did not run

    @property
    def caught(self) -> bool:
        return bool(self.caught_by) and not self.problem


def copy_tree(into: Path) -> Path:
    """The files git knows (tracked, or untracked and not ignored) copied to ``into``."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in listed)):
        source = REPO / name
        if source.is_file():
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return into


def run_tests(tree: Path, tests: tuple[str, ...], report: Path) -> tuple[int, list[str]]:
    """pytest on ``tests`` in ``tree``; its exit code and the ids of failed tests."""
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--tb=no"]
    done = subprocess.run(
        [*command, f"--junitxml={report}", *tests],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )
    failed = []
    if report.exists():
        for case in ET.parse(report).iter("testcase"):
            if case.find("failure") is not None or case.find("error") is not None:
                name = case.get("name", "")
                module = case.get("classname", "").replace(".", "/")
                failed.append(f"{module}.py::{name}" if module else name)
        report.unlink()
    return done.returncode, failed


def check(mutations: list[Mutation], *, baseline: bool, log: bool = True) -> list[Outcome]:
    def say(text: str) -> None:
        if log:
            print(text, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="kb-mutants-") as tmp:
        tree = copy_tree(Path(tmp) / "tree")
        report = Path(tmp) / "report.xml"
        if baseline:
            tests = tuple(dict.fromkeys(t for m in mutations for t in m.tests))
            say(f"baseline: {len(tests)} test paths on the unmutated tree")
            code, failed = run_tests(tree, tests, report)
            if code != 0:
                raise SystemExit(
                    "the tests fail without any mutation; fix them first: " + ", ".join(failed)
                )
        outcomes = []
        for mutation in mutations:
            path = tree / mutation.file
            started = time.monotonic()
            original = path.read_text(encoding="utf-8") if path.exists() else ""
            if original.count(mutation.old) != 1:
                found = original.count(mutation.old)
                outcomes.append(
                    Outcome(mutation, [], 0.0, f"its text occurs {found} times in {mutation.file}")
                )
                say(f"{mutation.name}: does not apply")
                continue
            path.write_text(original.replace(mutation.old, mutation.new), encoding="utf-8")
            try:
                code, failed = run_tests(tree, mutation.tests, report)
            finally:
                path.write_text(original, encoding="utf-8")
            problem = "" if code in (0, 1) else f"pytest exited {code}"
            outcome = Outcome(mutation, failed, time.monotonic() - started, problem)
            outcomes.append(outcome)
            say(
                f"{mutation.name}: "
                + (f"caught by {len(failed)} tests" if outcome.caught else "NOT CAUGHT")
                + f" ({outcome.seconds:.0f} s)"
            )
        return outcomes


def summarise(failed: list[str], limit: int = 4) -> str:
    """Failed test ids grouped by test function, parametrisations counted."""
    groups: dict[str, int] = {}
    for test in failed:
        groups[test.split("[")[0]] = groups.get(test.split("[")[0], 0) + 1
    parts = [f"{name} ({n})" if n > 1 else name for name, n in groups.items()]
    more = f", and {len(parts) - limit} more" if len(parts) > limit else ""
    return ", ".join(parts[:limit]) + more


def markdown(outcomes: list[Outcome]) -> str:
    lines = [
        "| mutation | file | what it breaks | caught by (failed tests) |",
        "|---|---|---|---|",
    ]
    for o in outcomes:
        m = o.mutation
        verdict = (
            f"{len(o.caught_by)}: {summarise(o.caught_by)}"
            if o.caught
            else f"**not caught** {o.problem}"
        )
        lines.append(f"| `{m.name}` | `{m.file}` | {m.breaks} | {verdict} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mutations", description=__doc__)
    parser.add_argument("names", nargs="*", help="mutations to run (default: all)")
    parser.add_argument("--list", action="store_true", help="print the table and stop")
    parser.add_argument("--markdown", action="store_true", help="print the results as a table")
    parser.add_argument(
        "--no-baseline", action="store_true", help="skip running the tests unmutated first"
    )
    opts = parser.parse_args(argv)
    known = {m.name: m for m in MUTATIONS}
    unknown = [n for n in opts.names if n not in known]
    if unknown:
        parser.error(f"unknown mutation(s): {', '.join(unknown)} (see --list)")
    chosen = [known[n] for n in opts.names] if opts.names else list(MUTATIONS)
    if opts.list:
        for m in chosen:
            print(f"{m.name}: {m.breaks}\n  {m.file}\n  tests: {', '.join(m.tests)}")
        return 0
    outcomes = check(chosen, baseline=not opts.no_baseline)
    if opts.markdown:
        print(markdown(outcomes))
    else:
        for o in outcomes:
            status = "caught" if o.caught else "NOT CAUGHT " + o.problem
            print(f"{o.mutation.name}: {status}")
            for test in o.caught_by:
                print(f"  {test}")
    missed = [o.mutation.name for o in outcomes if not o.caught]
    print(
        f"{len(outcomes) - len(missed)} of {len(outcomes)} mutations caught"
        + (f"; not caught: {', '.join(missed)}" if missed else ""),
        file=sys.stderr,
    )
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
