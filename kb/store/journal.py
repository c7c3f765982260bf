"""The load journal: what a write in progress has put in the store and not yet swapped in.

A write that cannot be one transaction (a bulk load; staging graphs swapped in by a later
update) first lists what it adds in the journal graph ``ekg:load-journal``, as
``ekg:load-journal rdfs:member <graph>``. Readers leave listed graphs out; the update that
finishes the write deletes the entries; a store opened with entries left behind (the writer
was killed) removes the graphs they list. docs/architecture.md draws the whole design.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pyoxigraph import NamedNode, Quad

from kb.namespaces import LOAD_JOURNAL_GRAPH, RDFS, STAGING_GRAPH_PREFIX

JOURNAL = NamedNode(LOAD_JOURNAL_GRAPH)
MEMBER = NamedNode(RDFS + "member")


def entries(graphs: Iterable[Any]) -> list[Quad]:
    """The journal's quads listing ``graphs`` (IRIs as ``NamedNode``) as a write in progress."""
    return [Quad(JOURNAL, MEMBER, g, JOURNAL) for g in dict.fromkeys(graphs)]


def staged(token: str, insert: Iterable[Quad]) -> tuple[list[Quad], list[str]]:
    """``insert`` moved to staging graphs, and the updates that add them where they go."""
    moved: list[Quad] = []
    updates: list[str] = []
    added: dict[str, NamedNode] = {}
    for q in insert:
        into = str(q.graph_name)
        if into not in added:
            added[into] = NamedNode(f"{STAGING_GRAPH_PREFIX}{token}/add/{len(added)}")
            updates.append(f"ADD SILENT GRAPH {added[into]} TO {into}")
            updates.append(f"DROP SILENT GRAPH {added[into]}")
        moved.append(Quad(q.subject, q.predicate, q.object, added[into]))
    return moved, updates


def staging_graph(token: str, position: int) -> NamedNode:
    """Where the new content of the ``position``-th replaced graph of a write waits."""
    return NamedNode(f"{STAGING_GRAPH_PREFIX}{token}/{position}")
