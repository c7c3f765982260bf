"""The tree keeps its architecture: layers import one way, and `kb ask` starts light.

docs/architecture.md draws the layers; this test reads every import (module level, inside
functions and under TYPE_CHECKING alike) with ``ast`` and fails on one that points the
wrong way, or on a module that belongs to no layer.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from kb import KB

REPO = Path(__file__).parent.parent
BASE = frozenset(
    {"kb", "kb.errors", "kb.namespaces", "kb.resources", "kb.formats", "kb.ontology", "kb.names"}
)
"""Vocabulary every layer shares: errors, IRIs, formats, shipped files, the ontology."""
LAYERS = {
    # layer: the layers it may import (besides itself and the base)
    "sparql": set(),
    "store": {"sparql"},
    "loaders": set(),
    "api": {"sparql", "store", "loaders"},
    "wikidata": {"sparql", "store", "loaders", "api"},
    "http": {"sparql", "store", "api"},
    "draft": {"sparql", "loaders", "api"},
    "cli": {"sparql", "store", "loaders", "api", "wikidata", "http", "draft"},
}
API_MODULES = frozenset({"kb.api", "kb.batch", "kb.shacl", "kb.graph", "kb.workers"})


def layer_of(module: str) -> str:
    if module in BASE:
        return "base"
    if module in API_MODULES:
        return "api"
    if module == "kb.__main__":
        return "cli"
    parts = module.split(".")
    if parts[0] == "loaders":
        return "loaders"
    if parts[0] == "kb" and len(parts) > 1 and parts[1] in LAYERS:
        return parts[1]
    raise AssertionError(f"{module} belongs to no layer: add it to tests/test_layout.py")


def modules() -> dict[str, Path]:
    found = {}
    for package in ("kb", "loaders"):
        for path in sorted((REPO / package).rglob("*.py")):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports(path: Path, module: str) -> set[str]:
    """Every kb/loaders module ``path`` imports, resolved to its module name."""
    names: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    known = modules()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            names.add(base)
            # `from kb.store import entity_graph` imports the module kb.store.entity_graph
            names.update(f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in known)
    return {n for n in names if n.split(".")[0] in ("kb", "loaders")}


def test_every_module_belongs_to_a_layer() -> None:
    for module in modules():
        layer_of(module)


def test_layers_import_one_way() -> None:
    wrong = []
    for module, path in modules().items():
        mine = layer_of(module)
        allowed = {"base", mine, *LAYERS.get(mine, set())}
        if module == "kb":  # the package: ``from kb import KB`` reaches the API lazily
            allowed.add("api")
        for imported in sorted(imports(path, module)):
            theirs = layer_of(imported)
            if theirs not in allowed:
                wrong.append(f"{module} ({mine}) imports {imported} ({theirs})")
    assert wrong == []


def test_nothing_imports_the_cli() -> None:
    offenders = [
        f"{module} imports {imported}"
        for module, path in modules().items()
        if layer_of(module) != "cli"
        for imported in imports(path, module)
        if layer_of(imported) == "cli"
    ]
    assert offenders == []


STARTUP = """
import sys
from kb.cli import main
try:
    main(sys.argv[1:])
except SystemExit as done:
    assert not done.code, done.code
print("-- modules --", *sorted(sys.modules), sep="\\n")
"""
HEAVY = (
    "yaml",
    "multiprocessing",
    "importlib.metadata",
    "rdflib",
    "pyshacl",
    "kb.http",
    "kb.wikidata",
    "kb.draft",
    "kiwipiepy",
    "trafilatura",
)
"""What a question does not need: YAML and the loaders' pool (loading), the version lookup
(--version), SHACL (kb check), the server, the Wikidata client, drafting."""


@pytest.mark.parametrize(
    ("args", "answer"),
    [
        (("ask", "entity", "--name", "NVIDIA"), "엔비디아"),
        (("query", "ASK { ?s ?p ?o }"), "yes"),
        (("queries",), "partners-expanding"),
    ],
    ids=["ask", "query", "queries"],
)
def test_asking_imports_nothing_heavy(tmp_path: Path, args: tuple[str, ...], answer: str) -> None:
    store = tmp_path / "store"
    KB(store).close()  # seeded once, as a user's store is after the first command
    done = subprocess.run(
        [sys.executable, "-c", STARTUP, "--store", str(store), *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        timeout=60,
    )
    answered, _, listing = done.stdout.partition("-- modules --\n")
    assert answer in answered
    loaded = listing.splitlines()
    heavy = sorted(m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY))
    assert heavy == []
