"""The load journal: what a write in progress has done, and what it has yet to do.

A write that cannot be one transaction records itself in the journal graph
``ekg:load-journal`` first, in a transaction of its own:

- a bulk load of new graphs lists them, as ``ekg:load-journal rdfs:member <graph>``.
  Readers leave listed graphs out; the update that finishes the write deletes the
  entries; a store opened with entries left behind (the writer was killed) removes the
  graphs they list: the write did not happen.
- a large change (``kb.store.embedded``: written ahead to files in the store) is recorded
  as ``ekg:load-journal <#pendingChange> "TOKEN"``, with the graphs it drops whole and
  those whose blank-node quads it deletes. From then on it happens: a store opened with the
  record finishes applying it, and readers wait until it is applied.

docs/architecture.md draws the whole design.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad, Store

from kb.namespaces import LOAD_JOURNAL_GRAPH, RDFS, STAGING_GRAPH_PREFIX

JOURNAL = NamedNode(LOAD_JOURNAL_GRAPH)
MEMBER = NamedNode(RDFS + "member")
PENDING_CHANGE = NamedNode(LOAD_JOURNAL_GRAPH + "#pendingChange")
DROPS = NamedNode(LOAD_JOURNAL_GRAPH + "#drops")
CLEARS = NamedNode(LOAD_JOURNAL_GRAPH + "#deletesBlankNodesOf")


@dataclass(frozen=True)
class Redo:
    """A committed large change: its token (the names of its files) and the graphs it
    drops whole or deletes the blank-node quads of."""

    token: str
    drop: tuple[str, ...] = ()
    clear_blank: tuple[str, ...] = ()


def redo_entries(redo: Redo) -> list[Quad]:
    """The journal's record of ``redo``."""
    quads = [Quad(JOURNAL, PENDING_CHANGE, Literal(redo.token), JOURNAL)]
    quads += [Quad(JOURNAL, DROPS, NamedNode(g), JOURNAL) for g in redo.drop]
    quads += [Quad(JOURNAL, CLEARS, NamedNode(g), JOURNAL) for g in redo.clear_blank]
    return quads


def redo_of(store: Store) -> Redo | None:
    """The large change the journal of ``store`` records as committed, if any."""
    tokens = [
        q.object.value for q in store.quads_for_pattern(JOURNAL, PENDING_CHANGE, None, JOURNAL)
    ]
    if not tokens:
        return None

    def graphs(predicate: NamedNode) -> tuple[str, ...]:
        return tuple(
            sorted(
                q.object.value for q in store.quads_for_pattern(JOURNAL, predicate, None, JOURNAL)
            )
        )

    return Redo(tokens[0], graphs(DROPS), graphs(CLEARS))


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
