"""``KB``: the Python API that the CLI, the server and notebooks share.

>>> kb = KB(None)                         # in memory, seeded with the bundled article
>>> rows = kb.ask("partners-expanding", {"org": "엔비디아", "region": "중동"}).rows()
>>> sorted({row["partnerName"] for row in rows})
['Naver', 'Naver Cloud']
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from pyoxigraph import Literal, NamedNode, Quad, QuerySolutions, RdfFormat, Variable, parse

from kb import entities, resources
from kb.backend import Backend, EmbeddedBackend
from kb.canned import CannedQuery, derive_queries, get_canned, internal_query
from kb.errors import ParameterError, a_or_an
from kb.namespaces import (
    DERIVE_PENDING_GRAPH,
    DERIVED_GRAPH,
    EK,
    EKR,
    ENTITIES_GRAPH,
    GAZETTEER_GRAPH,
    ONTOLOGY_GRAPH,
    RDFS,
    XSD,
    compact,
)
from kb.results import Result
from kb.wikidata import rewrite_service  # SERVICE <Wikidata> → $KB_WIKIDATA_SPARQL
from loaders.names import lookup_quads, normalise

if TYPE_CHECKING:  # loading pulls in YAML, the fact-file schema and multiprocessing,
    # which a query does not need: imported where used, for `kb ask`'s start-up time
    from kb.loading import Planned, Spool
    from loaders.plan import LoadPlan

SYSTEM_FILES = {ONTOLOGY_GRAPH: "event-kb.ttl", GAZETTEER_GRAPH: "gazetteer.ttl"}
MEMORY = ":memory:"
BULK_MIN_QUADS = 50_000
"""From this many quads, a batch of new articles is written by the bulk loader."""


def default_store_path() -> Path:
    """Per-user store location: ``$XDG_DATA_HOME/event-kb/store`` (``~/.local/share/...``)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return Path(base) / "event-kb" / "store"


def open_backend(location: str | Path | None, *, wait: float = 0.0) -> Backend:
    """``None`` or ``:memory:`` → in memory; ``http(s)://…`` → remote server; else a path.

    ``wait``: seconds to wait for another process's hold on an on-disk store to end.
    """
    if location is None or str(location) == MEMORY:
        return EmbeddedBackend(None)
    text = str(location)
    if text.startswith(("http://", "https://")):
        from kb.remote import RemoteBackend

        return RemoteBackend(text)
    return EmbeddedBackend(Path(text).expanduser(), wait=wait)


class KB:
    """An event knowledge base in a store.

    A store that was never loaded is seeded on open with the ontology, the gazetteer and
    the bundled seed article(s), so the first question a new user asks has an answer.
    ``seed=False`` opens it as it is (an empty store stays empty). ``wait``: see
    ``open_backend``; a store held by another process opens as a read-only snapshot.
    """

    def __init__(
        self, location: str | Path | None = None, *, seed: bool = True, wait: float = 0.0
    ) -> None:
        self.backend = open_backend(location, wait=wait)
        if seed and not self.backend.has_graph(ONTOLOGY_GRAPH):
            self.seed()
        elif self.backend.has_graph(DERIVE_PENDING_GRAPH) and not getattr(
            self.backend, "read_only", False
        ):
            self.repair()  # a write was killed before its derived graph was written

    def __enter__(self) -> KB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.backend.close()

    @property
    def location(self) -> str:
        return self.backend.location

    # -- loading ---------------------------------------------------------------------------

    def seed(self) -> None:
        """Load the ontology, the gazetteer and the bundled fact files."""
        from loaders.plan import plan_file

        graphs: dict[str, list[Quad]] = {}
        for graph, filename in SYSTEM_FILES.items():
            data = (resources.ontology_dir() / filename).read_bytes()
            quads = [
                Quad(q.subject, q.predicate, q.object, NamedNode(graph))
                for q in parse(data, format=RdfFormat.TURTLE)
            ]
            graphs[graph] = quads + lookup_quads(quads)
        self.backend.replace_graphs(graphs)
        seeds = sorted(resources.facts_dir().iterdir(), key=lambda e: e.name)
        plans = [
            plan_file(f"facts/{e.name}", self._types_of, data=e.read_bytes())
            for e in seeds
            if e.name.endswith((".yaml", ".yml"))
        ]
        self._write(plans)

    def plan(
        self,
        paths: Sequence[str | Path],
        *,
        graph: str | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> list[LoadPlan]:
        """Parse and validate every file; raise InputError on the first problem.

        This is ``kb validate``: nothing is written.
        """
        from loaders.plan import plan_file

        plans = []
        for path in paths:
            plans.append(plan_file(path, self._types_of, graph=graph))
            if progress:
                progress(str(path))
        return plans

    def load(
        self,
        paths: Sequence[str | Path],
        *,
        graph: str | None = None,
        progress: Callable[[str], None] | None = None,
        phase: Callable[[str, str], None] | None = None,
    ) -> list[Planned]:
        """Validate all files, then write them; a file with any error loads nothing.

        Each named graph in a file replaces the graph of that name (reloading an article
        replaces its facts). The derived graph is recomputed afterwards. Large batches are
        planned in parallel and spooled to disk (``kb.loading``); a large batch of new
        articles is written by the bulk loader (``EmbeddedBackend.bulk_write``).

        ``phase(name, detail)`` is told as each phase begins: ``plan`` (nothing written),
        ``write`` (the articles), ``derive`` (``ekg:derived``). ``kb load --verbose``
        prints them; the crash tests use them to know where a kill landed.
        """
        from kb.loading import Spool, plan_into

        def report(name: str, detail: str) -> None:
            if phase:
                phase(name, detail)

        store_path = None
        if isinstance(self.backend, EmbeddedBackend) and self.location != MEMORY:
            store_path = self.location
        report("plan", f"{len(paths)} file{'' if len(paths) == 1 else 's'}")
        with Spool() as spool:
            plan_into(
                spool,
                paths,
                self._types_of,
                graph=graph,
                store_path=store_path,
                progress=progress,
            )
            existing = set(self.backend.named_graphs())
            new = [g for g in spool.owner if g not in existing]
            bulk = (
                store_path is not None
                and len(new) == len(spool.owner)
                and spool.quad_count >= BULK_MIN_QUADS
            )
            how = "with the bulk loader" if bulk else "in one transaction"
            graphs = f"{len(spool.owner)} graph{'' if len(spool.owner) == 1 else 's'}"
            report("write", f"{spool.quad_count} quads into {graphs} {how}")

            def deriving() -> None:
                report("derive", "partnerships and closures into ekg:derived")

            if bulk:
                self._bulk_write(spool, new, existing, before_derive=deriving)
            else:
                self.replace(spool.graphs(), existing, before_derive=deriving)
            return spool.planned

    def _write(self, plans: Iterable[LoadPlan]) -> None:
        graphs: dict[str, list[Quad]] = {}
        for plan in plans:
            graphs.update(plan.graphs)
        self.replace(graphs)

    def replace(
        self,
        graphs: dict[str, list[Quad]],
        existing: set[str] | None = None,
        *,
        before_derive: Callable[[], None] | None = None,
    ) -> None:
        """Give each named graph exactly ``graphs[name]`` (``[]`` removes it), keep
        ``ekg:entities`` in step with the articles' records, and recompute ``ekg:derived``.

        ``existing``: the named graphs in the store, if the caller has just listed them;
        otherwise each of ``graphs`` is looked up (not every graph listed: a graph-store
        write of one article on a store of 38,000). ``before_derive`` is called between
        the write and the derivation.
        """
        if existing is None:
            existing = {g for g in graphs if self.backend.has_graph(g)}
        records = set().union(*(entities.records_in(quads) for quads in graphs.values()))
        insert, delete = entities.changes(self.backend, records, list(graphs), existing)
        if isinstance(self.backend, EmbeddedBackend):  # many graphs in one transaction
            graphs[DERIVE_PENDING_GRAPH] = self._pending_marker()
        # the graphs, their entity statements and the marker, all or nothing ...
        self.backend.replace_graphs(graphs, insert=insert, delete=delete)
        if before_derive:
            before_derive()
        self.derive()  # ... and this removes the marker with the new derived graph

    def _bulk_write(
        self,
        spool: Spool,
        new: list[str],
        existing: set[str],
        *,
        before_derive: Callable[[], None],
    ) -> None:
        assert isinstance(self.backend, EmbeddedBackend)
        insert, _ = entities.changes(self.backend, spool.records, new, existing)
        marker = {DERIVE_PENDING_GRAPH: self._pending_marker()}
        self.backend.bulk_write(spool.file, new, insert=insert, also=marker)
        before_derive()
        self.derive()

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update (``kb serve --allow-update``), then rebuild what follows from
        the articles: ``ekg:entities`` from their records, and ``ekg:derived``.

        An update may add, change or drop article graphs and with them their
        ``ek:entityStatement`` records, so the entity graph is rebuilt, not patched (what an
        update writes into ``ekg:entities`` itself does not last). The derive-pending
        marker goes in first: a crash before the rebuild is repaired on the next open.
        """
        marked = isinstance(self.backend, EmbeddedBackend) and not self.backend.has_graph(
            DERIVE_PENDING_GRAPH
        )
        if marked:
            self.backend.replace_graphs({DERIVE_PENDING_GRAPH: self._pending_marker()})
        try:
            self.backend.update(sparql)
        except Exception:
            if marked:  # nothing changed: no repair due for this update
                self.backend.replace_graphs({DERIVE_PENDING_GRAPH: []})
            raise
        self.repair()

    def repair(self) -> None:
        """Rebuild what a write cut short may have left stale: the entity graph (from the
        articles' ``ek:entityStatement`` records) and the derived graph."""
        self.backend.replace_graphs({ENTITIES_GRAPH: entities.rebuild(self.backend)})
        self.derive()

    @staticmethod
    def _pending_marker() -> list[Quad]:
        pending = NamedNode(DERIVE_PENDING_GRAPH)
        note = Literal("ekg:derived is being recomputed after a write")
        return [Quad(NamedNode(DERIVED_GRAPH), NamedNode(RDFS + "comment"), note, pending)]

    def derive(self) -> None:
        """Recompute ``ekg:derived``: place and organization closures, partnerships.

        The queries of ``queries/derive/`` read the union of all graphs, which is fast:
        they read nothing the derived graph holds. (Naming every other graph instead
        costs a scan per graph: 100 times slower with a few hundred articles.) ``ek:within``
        is the exception, as the derived graph holds its closure: its closure is computed
        here from the edges as stated, so a removed edge takes its consequences with it.
        """
        derived = NamedNode(DERIVED_GRAPH)
        within = NamedNode(EK + "within")
        part_of = NamedNode(EK + "partOfPlace")
        direct, chained = self._place_closure()
        quads = [Quad(s, within, o, derived) for s, o in chained]
        quads += [Quad(s, part_of, o, derived) for s, o in direct + chained]
        for _, sparql in derive_queries():
            result = self.backend.query(sparql)
            quads.extend(Quad(t.subject, t.predicate, t.object, derived) for t in result)
        graphs = {DERIVED_GRAPH: quads}
        if isinstance(self.backend, EmbeddedBackend):
            graphs[DERIVE_PENDING_GRAPH] = []  # gone in the same transaction
        self.backend.replace_graphs(graphs)

    def _place_closure(
        self,
    ) -> tuple[list[tuple[NamedNode, NamedNode]], list[tuple[NamedNode, NamedNode]]]:
        """Pairs (place, container): joined by one stated ek:within (deduplicated), and
        joined by a chain of two or more and not by one."""
        up: dict[NamedNode, set[NamedNode]] = {}
        for row in self.backend.query(internal_query("asserted-within")):
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

    def _types_of(self, iris: list[str], exclude_graph: str) -> dict[str, set[str]]:
        return self.backend.types_of(iris, exclude_graph)

    # -- querying --------------------------------------------------------------------------

    def query(self, sparql: str, substitutions: dict[str, Any] | None = None) -> Result:
        """Run SELECT, ASK, CONSTRUCT or DESCRIBE over the union of all graphs."""
        subs = {Variable(k): v for k, v in (substitutions or {}).items()}
        return Result(self.backend.query(rewrite_service(sparql), subs or None))

    def ask(self, name: str, params: dict[str, str] | None = None, *, lang: str = "en") -> Result:
        """Run canned query ``name``; entity parameters take a name, alias or id."""
        canned = get_canned(name)
        bound = self.bind(canned, params or {}, lang=lang)
        subs = {Variable(k): v for k, v in bound.items()}
        sparql = rewrite_service(canned.sparql)
        return Result(self.backend.query(sparql, subs), parameters=set(bound))

    def bind(
        self, canned: CannedQuery, params: dict[str, str], *, lang: str = "en"
    ) -> dict[str, Any]:
        """Resolve parameter values to RDF terms for ``canned``."""
        declared = {p.name: p for p in canned.parameters}
        for key in params:
            if key not in declared:
                names = ", ".join(f"--{p}" for p in declared) or "none"
                raise ParameterError(f"{canned.name}: unknown parameter --{key} (takes {names})")
        bound: dict[str, Any] = {"lang": Literal(lang)}
        for param in canned.parameters:
            value = params.get(param.name)
            if value is None:
                value = param.default
            if value is None:
                if param.required:
                    raise ParameterError(f"{canned.name}: --{param.name} is required")
                bound[param.name] = NamedNode(EK + "Any")  # the query reads it as "no limit"
                continue
            if param.type == "string":
                bound[param.name] = Literal(value)
            elif param.type == "integer":
                if not value.lstrip("-").isdigit():
                    raise ParameterError(f"--{param.name}: not an integer: {value!r}")
                bound[param.name] = Literal(value, datatype=NamedNode(XSD + "integer"))
            else:
                bound[param.name] = self.resolve(value, param.type, param=param.name)
        return bound

    def resolve(self, name: str, cls: str = "Entity", *, param: str = "name") -> NamedNode:
        """The one entity of class ``cls`` (an ``ek:`` local name) called ``name``.

        ``name`` is an English or Korean label, an alias, an id (``naver-cloud``) or an IRI.
        """
        if name.startswith(("http://", "https://")):
            try:
                return NamedNode(name)
            except ValueError as err:  # a space, '>', a newline: never reaches the query
                raise ParameterError(f"--{param}: {name!r} is not an IRI ({err})") from None
        key = normalise(name)
        if not key:
            raise ParameterError(f"--{param}: {name!r} is not a name")
        result = self.backend.query(internal_query("resolve"), {Variable("key"): Literal(key)})
        assert isinstance(result, QuerySolutions)
        candidates = {row["entity"].value: row["label"] for row in result}
        if not candidates:
            raise ParameterError(f"--{param}: nothing in the KB is called {name!r}")
        if cls != "Entity":
            types = self.backend.types_of(sorted(candidates), None)
            matching = {
                iri: label for iri, label in candidates.items() if EK + cls in types.get(iri, set())
            }
            if not matching:
                what = ", ".join(sorted(compact(i) for i in candidates))
                raise ParameterError(f"--{param}: {name!r} ({what}) is not {a_or_an(cls)}")
            candidates = matching
        if EKR + name in candidates:  # an exact id wins over names that normalise alike
            return NamedNode(EKR + name)
        if len(candidates) > 1:
            listed = "; ".join(
                f"{compact(iri)} ({label.value})" if label is not None else compact(iri)
                for iri, label in sorted(candidates.items(), key=lambda kv: kv[0])
            )
            raise ParameterError(f"--{param}: {name!r} is ambiguous: {listed}; give an id")
        return NamedNode(next(iter(candidates)))

    # -- whole-KB views --------------------------------------------------------------------

    def export(
        self, output: IO[bytes], fmt: RdfFormat = RdfFormat.TRIG, graphs: list[str] | None = None
    ) -> None:
        """Write every graph (or the ones named) as TriG or N-Quads."""
        self.backend.dump(output, fmt, graphs)

    def stats(self) -> dict[str, Any]:
        """Entity and fact counts per class, and fact counts per article."""
        classes = {
            compact(r["class"].value): int(r["count"].value)
            for r in self.backend.query(internal_query("stats-classes"))
        }
        articles = [
            {
                "article": compact(r["article"].value),
                "headline": r["headline"].value if r["headline"] else "",
                "facts": int(r["facts"].value),
                "quads": int(r["quads"].value),
            }
            for r in self.backend.query(internal_query("stats-articles"))
        ]
        return {
            "store": self.location,
            "graphs": len(self.backend.named_graphs()),
            "classes": classes,
            "articles": articles,
        }
