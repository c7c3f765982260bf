"""``python -m tests.update_golden``: rewrite ``tests/golden/*.csv`` from the seed KB and
``tests/golden/corpus/*.csv`` from the corpus (tests/test_corpus.py).

The golden tests (tests/test_canned.py, tests/test_corpus.py, and the remote and HTTP tests
that share their files) only compare; this is the one thing that writes the files. After a
deliberate change to the facts, the ontology or a query, run it, then review
``git diff tests/golden`` line by line against the articles (the seed:
shared/seeds/000_fd6963133e5062bc.txt; the corpus: tests/articles/) before committing.
It prints the files whose content changed.
"""

from __future__ import annotations

from pathlib import Path

from kb import KB
from tests.test_canned import CASES, GOLDEN, Cases, golden_answer, normalised
from tests.test_corpus import CORPUS_CASES, CORPUS_GOLDEN, load_corpus


def write(kb: KB, cases: Cases, folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    for name in sorted(cases):
        for lang in ("en", "ko"):
            path = folder / f"{name}.{lang}.csv"
            answer = golden_answer(kb, name, lang, cases)
            old = path.read_text(encoding="utf-8") if path.exists() else ""
            if normalised(old) != normalised(answer):
                path.write_text(answer, encoding="utf-8", newline="")
                print(f"changed {path.relative_to(GOLDEN.parent.parent)}")


def main() -> int:
    write(KB(None), CASES, GOLDEN)
    write(load_corpus(KB(None)), CORPUS_CASES, CORPUS_GOLDEN)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
