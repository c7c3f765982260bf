"""The derived graph ``ekg:derived``: what follows from the articles, computed on every write.

It holds the place closure (``ek:within`` chains and the reflexive ``ek:partOfPlace``), the
organization closure and ``ek:partOfOrganization``, and ``ek:partnerOf``, so a canned query
asks "the Middle East or a place within it" or "a partner of NVIDIA" with one triple
pattern; and the display values answers show (``kb.store.display``: one name per resource
and language, the fallback chain applied), so a canned query finds a name with one
lookup. The queries of ``queries/derive/`` read the union of all graphs, which is fast:
they read nothing the derived graph holds. (Naming every other graph instead costs a scan
per graph: 100 times slower with a few hundred articles.) ``ek:within`` is the exception,
as the derived graph holds its closure: that closure is computed here from the edges as
stated, so a removed edge takes its consequences with it.

Crash safety: a write puts the derive-pending marker (``ekg:derive-pending``) in with its
graphs, and the changes to the derived graph go in, and the marker out, in one transaction
(one SPARQL update, ``write_changes``); a store opened with the marker still there was cut
off in between, and derives again (``KB.repair``). A remote store has no transactions
across graphs: it gets the whole derived graph by one Graph Store ``PUT``.
"""

from __future__ import annotations

from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from kb.namespaces import DERIVE_PENDING_GRAPH, DERIVED_GRAPH, EK, RDFS, is_display_predicate
from kb.sparql.catalogue import derive_queries, fill_values, internal_query, values_query
from kb.store.backend import Backend
from kb.store.display import BATCH, Display, display_values

Pairs = list[tuple[NamedNode, NamedNode]]


def pending_marker() -> list[Quad]:
    """The marker graph's content: a write whose derivation has not yet been written."""
    pending = NamedNode(DERIVE_PENDING_GRAPH)
    note = Literal("ekg:derived is being recomputed after a write")
    return [Quad(NamedNode(DERIVED_GRAPH), NamedNode(RDFS + "comment"), note, pending)]


def derive(backend: Backend, *, touched: set[str] | None = None) -> None:
    """Recompute ``ekg:derived`` (and, on a transactional store, remove the marker with it).

    ``touched``: the IRIs whose display values the write may have changed (what its graphs
    and entity statements said before and say now, ``kb.store.display.touched_by``); only
    theirs are computed again. None: all of them.
    """
    derived = NamedNode(DERIVED_GRAPH)
    within = NamedNode(EK + "within")
    part_of = NamedNode(EK + "partOfPlace")
    direct, chained = place_closure(backend)
    quads = [Quad(s, within, o, derived) for s, o in chained]
    quads += [Quad(s, part_of, o, derived) for s, o in direct + chained]
    for _, sparql in derive_queries():
        result = backend.query(sparql)
        quads.extend(Quad(t.subject, t.predicate, t.object, derived) for t in result)
    if backend.transactional:
        display = display_values(backend, touched)
        write_changes(backend, quads + display.declarations, display)
    else:
        display = display_values(backend, None)
        backend.replace_graphs({DERIVED_GRAPH: quads + display.declarations + display.quads})


def write_changes(backend: Backend, quads: list[Quad], display: Display) -> None:
    """Make ``ekg:derived`` hold ``quads`` and the display values of ``display`` (for the
    resources in its scope; the others' stay as they are) by writing only what changed, and
    remove the marker, in one update (one transaction).

    Replacing the whole graph (a staging graph, then ``MOVE``) costs time for every quad
    it holds, and with the display values it holds about 100,000 at 1M quads (``MOVE`` of
    80,000 quads measured at 11 s); a load changes a few hundred of them."""
    held = [row["predicate"] for row in backend.query(internal_query("derived-predicates"))]
    shown = [p for p in held if is_display_predicate(p.value)]
    old = set(_derived_quads(backend, [p for p in held if not is_display_predicate(p.value)]))
    if display.scope is None:
        old |= set(_derived_quads(backend, shown))
    elif shown:
        subjects = sorted(display.scope)
        for start in range(0, len(subjects), BATCH):
            batch = [NamedNode(i) for i in subjects[start : start + BATCH]]
            sparql = fill_values(
                values_query("derived-values-of", "subject", batch), "predicate", shown
            )
            old |= {_quad(row) for row in backend.query(sparql)}
    new = set(quads) | set(display.quads)
    # the marker graph given no content: dropped in the same write. A large change (a first
    # load's display values, about 100,000 quads at 1M) is written ahead and bulk-loaded
    # (``Backend.write``), not parsed from the text of one SPARQL update (8 s at 1M).
    backend.write({DERIVE_PENDING_GRAPH: []}, insert=list(new - old), delete=list(old - new))


def _derived_quads(backend: Backend, predicates: list[NamedNode]) -> list[Quad]:
    if not predicates:
        return []
    return [
        _quad(row) for row in backend.query(values_query("derived-quads", "predicate", predicates))
    ]


def _quad(row: Any) -> Quad:
    return Quad(row["subject"], row["predicate"], row["object"], NamedNode(DERIVED_GRAPH))


def place_closure(backend: Backend) -> tuple[Pairs, Pairs]:
    """Pairs (place, container): joined by one stated ek:within (deduplicated), and joined
    by a chain of two or more and not by one."""
    up: dict[NamedNode, set[NamedNode]] = {}
    for row in backend.query(internal_query("asserted-within")):
        up.setdefault(row["place"], set()).add(row["container"])
    pairs = []
    for place, direct in up.items():
        seen: set[NamedNode] = set()
        todo = [c for d in direct for c in up.get(d, ())]
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(up.get(node, ()))
        pairs.extend((place, c) for c in seen - direct)
    return [(p, c) for p, cs in up.items() for c in cs], pairs
