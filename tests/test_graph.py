"""``kb graph`` and ``kb.graph``: people and organizations joined by meetings, agreements,
cooperations, posts, family ties, partnerships and units; written as DOT that Graphviz
reads, GraphML that networkx reads, cytoscape.js JSON, and PNG.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import networkx
import pytest
from click.testing import CliRunner

from kb import KB
from kb.cli import cli
from kb.errors import KBError, ParameterError
from kb.graph import neighbourhood


def edges_by_pair(graph_json: dict) -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = {}
    for edge in graph_json["edges"]:
        d = edge["data"]
        found.setdefault(tuple(sorted((d["source"], d["target"]))), set()).add(d["label"])
    return found


def test_the_graph_around_nvidia(seed_kb: KB) -> None:
    drawn = neighbourhood(seed_kb, "NVIDIA").to_json()
    assert drawn["focus"] == "nvidia"
    nodes = {n["data"]["id"]: (n["data"]["label"], n["data"]["class"]) for n in drawn["nodes"]}
    assert nodes == {
        "nvidia": ("NVIDIA", "Organization"),
        "nvidia-korea": ("NVIDIA Korea", "Organization"),
        "naver": ("Naver", "Organization"),
        "naver-cloud": ("Naver Cloud", "Organization"),
        "jensen-huang": ("Jensen Huang", "Person"),
        "hue-davis": ("Hue Davis", "Person"),
        "raymond-teh": ("Raymond Teh", "Person"),
    }
    pairs = edges_by_pair(drawn)
    assert pairs[("naver", "nvidia")] == {"cooperation 2025-05-22"}
    assert pairs[("jensen-huang", "nvidia")] == {"chief executive officer"}  # a post, its role
    # a partner through a unit: Naver Cloud partners NVIDIA by the cooperation of its parent
    assert pairs[("naver-cloud", "nvidia")] == {"partner of"}
    assert pairs[("nvidia", "nvidia-korea")] == {"sub-organization of"}
    assert all(n["data"]["href"] == f"/entity/{n['data']['id']}" for n in drawn["nodes"])


def test_two_steps_out_in_korean(seed_kb: KB) -> None:
    drawn = neighbourhood(seed_kb, "엔비디아", depth=2, lang="ko").to_json()
    labels = {n["data"]["id"]: n["data"]["label"] for n in drawn["nodes"]}
    assert labels["lee-hae-jin"] == "이해진"  # met Jensen Huang: two steps from NVIDIA
    assert labels["siam-ai-cloud"] == "시암 AI 클라우드"  # signed with Naver Cloud
    pairs = edges_by_pair(drawn)
    assert pairs[("jensen-huang", "lee-hae-jin")] == {"회동 2024-06", "회동 2025-05-22"}
    assert pairs[("naver-cloud", "siam-ai-cloud")] == {"양해각서 2025-05"}
    depths = {n["data"]["id"]: n["data"]["depth"] for n in drawn["nodes"]}
    assert depths["nvidia"] == 0 and depths["jensen-huang"] == 1 and depths["lee-hae-jin"] == 2


def test_people_present_at_a_signing_are_not_its_parties(seed_kb: KB) -> None:
    drawn = neighbourhood(seed_kb, "Naver Cloud").to_json()
    agreements = [e["data"] for e in drawn["edges"] if e["data"]["kind"] == "Agreement"]
    assert agreements and all(
        {a["source"], a["target"]} == {"naver-cloud", "siam-ai-cloud"} for a in agreements
    )


def test_the_whole_kb_when_small_enough(seed_kb: KB) -> None:
    drawn = neighbourhood(seed_kb).to_json()
    assert drawn["focus"] is None
    ids = {n["data"]["id"] for n in drawn["nodes"]}
    assert {"nvidia", "naver", "siam-ai-cloud", "lee-hae-jin", "jensen-huang"} <= ids
    with pytest.raises(KBError, match=r"the KB has \d+ people and organizations, more than 5"):
        neighbourhood(seed_kb, max_nodes=5)


def test_too_large_and_unknown(seed_kb: KB) -> None:
    with pytest.raises(
        KBError, match=r"at depth 2 has \d+ people and organizations, more than 4 to draw"
    ):
        neighbourhood(seed_kb, "NVIDIA", depth=2, max_nodes=4)
    with pytest.raises(ParameterError, match=r"nothing in the KB is called 'Nobody'"):
        neighbourhood(seed_kb, "Nobody")
    with pytest.raises(ParameterError, match=r"not 1 or 2"):
        neighbourhood(seed_kb, "NVIDIA", depth=3)


def graph_cli(runner: CliRunner, tmp_path: Path, fmt: str, *more: str) -> Path:
    out = tmp_path / f"graph.{fmt}"
    done = runner.invoke(
        cli,
        [
            "--store",
            ":memory:",
            "graph",
            "--entity",
            "NVIDIA",
            "--format",
            fmt,
            "-o",
            str(out),
            *more,
        ],
    )
    assert done.exit_code == 0, done.output
    return out


def dot_exe() -> str:
    exe = shutil.which("dot")
    if exe is None:  # .ci/run installs Debian's graphviz; its absence is a broken setup
        raise RuntimeError("Graphviz is missing: apt-get install graphviz")
    return exe


def test_graphviz_reads_the_dot(runner: CliRunner, tmp_path: Path, seed_kb: KB) -> None:
    path = graph_cli(runner, tmp_path, "dot", "--depth", "2", "--lang", "ko")
    done = subprocess.run([dot_exe(), "-Tplain", str(path)], capture_output=True, check=True)
    plain = done.stdout.decode()
    expected = neighbourhood(seed_kb, "NVIDIA", depth=2, lang="ko").to_json()
    assert len(re.findall(r"^node ", plain, re.M)) == len(expected["nodes"])
    assert len(re.findall(r"^edge ", plain, re.M)) == len(expected["edges"])
    assert "이해진" in plain and "회동 2024-06" in plain


def test_networkx_reads_the_graphml(runner: CliRunner, tmp_path: Path, seed_kb: KB) -> None:
    path = graph_cli(runner, tmp_path, "graphml")
    read = networkx.read_graphml(path)
    expected = neighbourhood(seed_kb, "NVIDIA").to_json()
    assert set(read.nodes) == {n["data"]["id"] for n in expected["nodes"]}
    assert read.number_of_edges() == len(expected["edges"])
    assert read.nodes["naver"] == {
        "label": "Naver",
        "class": "Organization",
        "iri": "https://w3id.org/event-kb/id/naver",
    }
    kinds = {d["kind"] for _, _, d in read.edges(data=True)}
    assert kinds == {"Cooperation", "Post", "partnerOf", "subOrganizationOf"}


def test_json_and_png(runner: CliRunner, tmp_path: Path, seed_kb: KB) -> None:
    path = graph_cli(runner, tmp_path, "json")
    assert (
        json.loads(path.read_text(encoding="utf-8")) == neighbourhood(seed_kb, "NVIDIA").to_json()
    )
    dot_exe()
    png = graph_cli(runner, tmp_path, "png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000


def test_kb_graph_errors_are_one_line(runner: CliRunner) -> None:
    done = runner.invoke(cli, ["--store", ":memory:", "graph", "--entity", "Nobody"])
    assert (done.exit_code, done.output) == (
        1,
        "Error: --entity: nothing in the KB is called 'Nobody'\n",
    )
    done = runner.invoke(
        cli, ["--store", ":memory:", "graph", "--entity", "NVIDIA", "--depth", "3"]
    )
    assert done.exit_code == 2 and "3 is not in the range 1<=x<=2" in done.output
