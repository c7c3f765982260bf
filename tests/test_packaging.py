"""The built wheel carries the ontology, queries and seed facts, and works without the source
tree: `pip install .` into a fresh environment must answer the headline question."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import HEADLINE_CSV

REPO = Path(__file__).parent.parent


def shipped_files() -> set[str]:
    """Every file of the source tree the wheel must carry, by its name in the wheel: each
    module of every package, the page's assets, and the data at the top of the tree
    (ontology/, queries/, facts/) under kb/_data/."""
    files = {
        str(p.relative_to(REPO))
        for package in ("kb", "loaders")
        for p in (REPO / package).rglob("*.py")
    }
    files |= {str(p.relative_to(REPO)) for p in (REPO / "kb" / "http" / "static").iterdir()}
    for folder, pattern in (("ontology", "*.ttl"), ("queries", "*.rq"), ("facts", "*.yaml")):
        files |= {
            f"kb/_data/{folder}/{p.relative_to(REPO / folder)}"
            for p in (REPO / folder).rglob(pattern)
        }
    return files


def test_wheel_installs_and_answers_outside_the_source_tree(tmp_path: Path) -> None:
    source = tmp_path / "source"  # a copy: a build/ left in the tree would fill any gap
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    for folder in ("kb", "loaders", "ontology", "queries", "facts"):
        shutil.copytree(
            REPO / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(source),
        ],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    (wheel,) = (tmp_path / "dist").glob("event_kb-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(shipped_files() - names)
    assert missing == []
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, "PYTHONPATH": str(site), "KB_STORE": str(tmp_path / "store")}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import kb, sys; assert kb.__file__.startswith(sys.argv.pop(1)), kb.__file__; "
            "from kb.cli import main; main()",
            str(site),
            *HEADLINE_CSV,
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert [line.split(",")[0] for line in done.stdout.splitlines()] == [
        "partnerName",
        "Naver",
        "Naver Cloud",
    ]
