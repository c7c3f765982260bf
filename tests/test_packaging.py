"""The built wheel carries the ontology, queries and seed facts, and works without the source
tree: `pip install .` into a fresh environment must answer the headline question."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import HEADLINE_CSV

REPO = Path(__file__).parent.parent


def test_wheel_installs_and_answers_outside_the_source_tree(tmp_path: Path) -> None:
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
            str(REPO),
        ],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    (wheel,) = (tmp_path / "dist").glob("event_kb-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in (
        "kb/_data/ontology/event-kb.ttl",
        "kb/_data/ontology/shapes.ttl",
        "kb/_data/ontology/gazetteer.ttl",
        "kb/_data/queries/partners-expanding.rq",
        "kb/_data/queries/internal/resolve.rq",
        "kb/_data/queries/derive/30-partners.rq",
        "kb/_data/queries/dialects/virtuoso/derive/20-organization-closure.rq",
        "kb/_data/queries/dialects/virtuoso/row-limit.rq",
        "kb/_data/facts/bizwatch-2025-05-23-naver-nvidia.yaml",
    ):
        assert shipped in names, shipped
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
