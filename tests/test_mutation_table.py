"""The mutation check's table (tests/mutations.py) still fits the tree: each mutation's text
occurs exactly once in its file, and the tests it names exist. Running the mutants is
``python -m tests.mutations`` (minutes, not part of the suite); this keeps the table from
rotting when code moves (update ``file`` and ``old`` there, then rerun the check)."""

from __future__ import annotations

import pytest

from tests.conftest import REPO
from tests.mutations import MUTATIONS, Mutation


def test_names_are_unique() -> None:
    names = [m.name for m in MUTATIONS]
    assert len(names) == len(set(names)) >= 12


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
def test_the_mutation_applies_once_and_names_real_tests(mutation: Mutation) -> None:
    text = (REPO / mutation.file).read_text(encoding="utf-8")
    assert text.count(mutation.old) == 1
    assert mutation.new != mutation.old
    for test in mutation.tests:
        path, _, function = test.partition("::")
        assert (REPO / path).is_file(), test
        if function:
            assert f"def {function}(" in (REPO / path).read_text(encoding="utf-8"), test
