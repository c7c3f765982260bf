"""The files that ship with the package: ontology, gazetteer, canned queries, seed facts.

They live at the top of the source tree (ontology/, queries/, facts/). A built wheel
carries them as ``kb/_data/<name>`` (pyproject.toml maps them there); a source checkout
or an editable install reads them where they are.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    installed = _HERE / "_data" / name
    return installed if installed.is_dir() else _HERE.parent / name


def ontology_dir() -> Path:
    return _data_dir("ontology")


def queries_dir() -> Path:
    return _data_dir("queries")


def facts_dir() -> Path:
    return _data_dir("facts")
