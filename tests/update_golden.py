"""``python -m tests.update_golden``: rewrite ``tests/golden/*.csv`` from the seed KB.

The golden tests (tests/test_canned.py, and the remote and HTTP tests that share its files)
only compare; this is the one thing that writes the files. After a deliberate change to the
facts, the ontology or a query, run it, then review ``git diff tests/golden`` line by line
against the Korean article (shared/seeds/000_fd6963133e5062bc.txt) before committing.
It prints the files whose content changed.
"""

from __future__ import annotations

from kb import KB
from tests.test_canned import CASES, GOLDEN, golden_answer, normalised


def main() -> int:
    kb = KB(None)
    GOLDEN.mkdir(exist_ok=True)
    for name in sorted(CASES):
        for lang in ("en", "ko"):
            path = GOLDEN / f"{name}.{lang}.csv"
            answer = golden_answer(kb, name, lang)
            old = path.read_text(encoding="utf-8") if path.exists() else ""
            if normalised(old) != normalised(answer):
                path.write_text(answer, encoding="utf-8", newline="")
                print(f"changed {path.relative_to(GOLDEN.parent.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
