"""What a write changes, worked out as text: the quads to delete and to insert, graph by graph.

Replacing an article with its new content used to write the whole new content to staging
graphs and ``MOVE`` each into place in one SPARQL update: a transaction as large as the
article twice over, which pyoxigraph makes slow and memory-hungry (152 s and 3.6 GB to
replace a 50 MB article that took 14 s to load). A reload mostly says what the article said
before, so the store is told only what differs: the stored graph is dumped as N-Triples,
the new content is N-Triples, and two set differences give the lines to delete and to
insert. Lines compare exactly because pyoxigraph writes both.

Blank nodes have no name that survives a load, so a graph's quads with blank nodes are
always deleted (by a pattern: ``DELETE DATA`` cannot name a blank node) and its new ones
inserted. A graph whose new content is empty is dropped whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Quad, RdfFormat, parse, serialize

_BLANK = re.compile(rb"(?:^|\s)_:")


@dataclass
class ChangeSet:
    """The lines (N-Triples, ``b"<s> <p> <o> ."``) each graph loses and gains."""

    drop: list[str] = field(default_factory=list)
    """Graphs removed whole."""
    clear_blank: list[str] = field(default_factory=list)
    """Graphs whose quads with blank nodes go (their new ones are among the inserts)."""
    delete: dict[str, list[bytes]] = field(default_factory=dict)
    insert: dict[str, list[bytes]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        """How many quads it deletes and inserts (dropped graphs not counted)."""
        return sum(map(len, self.delete.values())) + sum(map(len, self.insert.values()))

    def add_quads(self, quads: Iterable[Quad], *, deleted: bool = False) -> None:
        """Single quads to insert (or delete) besides the graphs' content."""
        into = self.delete if deleted else self.insert
        for graph, lines in by_graph(quads).items():
            into.setdefault(graph, []).extend(lines)

    def sparql(self) -> str:
        """All of it as one SPARQL update: one transaction."""
        return " ;\n".join(self.updates())

    def updates(self, chunk: int | None = None) -> Iterator[str]:
        """The update operations in order: drops, blank-node deletes, deletes, inserts;
        ``chunk``: at most that many quads per ``DELETE DATA`` / ``INSERT DATA``."""
        for graph in self.drop:
            yield f"DROP SILENT GRAPH <{graph}>"
        for graph in self.clear_blank:
            yield blank_node_delete(graph)
        for verb, lines in (("DELETE", self.delete), ("INSERT", self.insert)):
            for body in _data_blocks(lines, chunk):
                yield f"{verb} DATA {{ {body} }}"


def blank_node_delete(graph: str) -> str:
    """The update that deletes a graph's quads with a blank node."""
    return (
        f"DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{graph}> "
        "{ ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) } }"
    )


def diff(old: Callable[[str], bytes], new: dict[str, list[bytes]], existing: set[str]) -> ChangeSet:
    """What turns the stored graphs into ``new`` (graph -> N-Triples lines).

    ``old(graph)``: a stored graph as N-Triples; ``existing``: which graphs of ``new`` are
    stored now. A graph whose new content is empty is dropped.
    """
    changes = ChangeSet()
    for graph, lines in new.items():
        if not lines:
            if graph in existing:
                changes.drop.append(graph)
            continue
        if graph not in existing:
            changes.insert[graph] = list(dict.fromkeys(lines))
            continue
        stored_text = old(graph)
        before = stored_text.splitlines()
        blank_before = (
            [line for line in before if _has_blank_node(line)]
            if _BLANK.search(stored_text)  # one search of the whole dump, mostly
            else []
        )
        if blank_before:
            changes.clear_blank.append(graph)
            before = [line for line in before if not _has_blank_node(line)]
        wanted = set(lines)
        stored = set(before)
        gone = [line for line in before if line not in wanted]
        fresh = [
            line
            for line in dict.fromkeys(lines)
            if line not in stored or (blank_before and _has_blank_node(line))
        ]
        if gone:
            changes.delete[graph] = gone
        if fresh:
            changes.insert[graph] = fresh
    return changes


def by_graph(quads: Iterable[Quad]) -> dict[str, list[bytes]]:
    """Quads as N-Triples lines, by graph."""
    grouped: dict[str, list[Quad]] = {}
    for quad in quads:
        grouped.setdefault(quad.graph_name.value, []).append(quad)  # type: ignore[union-attr]
    return {
        graph: serialize([q.triple for q in qs], format=RdfFormat.N_TRIPLES).splitlines()
        for graph, qs in grouped.items()
    }


def content_lines(graphs: dict[str, list[Quad]]) -> dict[str, list[bytes]]:
    """Quads by graph as the N-Triples lines by graph ``Backend.write`` takes (a graph
    without quads stays, empty: it is removed)."""
    content: dict[str, list[bytes]] = {graph: [] for graph in graphs}
    content.update(by_graph(q for quads in graphs.values() for q in quads))
    return content


def split_nquads(data: bytes, into: dict[str, list[bytes]]) -> None:
    """N-Quads lines (each ending in its graph, as pyoxigraph writes them) into N-Triples
    lines by graph."""
    for line in data.splitlines():
        if not line:
            continue
        at = line.rindex(b" <", 0, len(line) - 2)
        graph = line[at + 2 : line.rindex(b">")].decode("utf-8")
        into.setdefault(graph, []).append(line[:at] + b" .")


def as_nquads(lines: dict[str, list[bytes]]) -> Iterator[bytes]:
    """N-Triples lines by graph, as N-Quads lines."""
    for graph, triples in lines.items():
        suffix = b" <" + graph.encode("utf-8") + b"> .\n"
        for line in triples:
            yield line[:-2] + suffix


def _has_blank_node(line: bytes) -> bool:
    if not _BLANK.search(line):
        return False
    triple = next(iter(parse(line, format=RdfFormat.N_TRIPLES)))  # "_:" may sit in a literal
    return isinstance(triple.subject, BlankNode) or isinstance(triple.object, BlankNode)


def _data_blocks(lines: dict[str, list[bytes]], chunk: int | None) -> Iterator[str]:
    """``GRAPH <g> { ... }`` blocks holding at most ``chunk`` lines in all (None: all)."""
    block: list[str] = []
    count = 0
    for graph, triples in lines.items():
        for start in range(0, len(triples), chunk or max(1, len(triples))):
            part = triples[start : start + chunk] if chunk else triples
            block.append(f"GRAPH <{graph}> {{ {b' '.join(part).decode('utf-8')} }}")
            count += len(part)
            if chunk and count >= chunk:
                yield " ".join(block)
                block, count = [], 0
    if block:
        yield " ".join(block)
