"""``KB``: the Python API that the CLI, the server and notebooks share.

A thin facade: it opens a store (``kb.store``), plans input files (``loaders``, in batches
by ``kb.batch``), writes them with the store's layout (``kb.store.entity_graph``,
``kb.store.derived``), and answers queries (``kb.sparql``). docs/architecture.md maps it.

>>> kb = KB(None)                         # in memory, seeded with the bundled article
>>> rows = kb.ask("partners-expanding", {"org": "엔비디아", "region": "중동"}).rows()
>>> sorted({row["partnerName"] for row in rows})
['Naver', 'Naver Cloud']
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from pyoxigraph import NamedNode, Quad, RdfFormat, Variable, serialize

from kb import resources
from kb.errors import KBError
from kb.namespaces import (
    DERIVE_PENDING_GRAPH,
    ENTITIES_GRAPH,
    ONTOLOGY_GRAPH,
    PREFIXES,
    SYSTEM_GRAPH_FILES,
    compact,
)
from kb.sparql import binding
from kb.sparql.catalogue import CannedQuery, get_canned, internal_query
from kb.sparql.federation import rewrite_service  # SERVICE <Wikidata> → $KB_WIKIDATA_SPARQL
from kb.sparql.results import PREFIXED_FORMATS, Result
from kb.store import derived, display, entity_graph, search_index
from kb.store.backend import Backend, Dataset, open_store

if TYPE_CHECKING:  # planning pulls in YAML, the fact-file schema and multiprocessing,
    # which a query does not need: imported where used, for `kb ask`'s start-up time
    from kb.batch import Spool
    from loaders.plan import PlannedFile

BULK_MIN_QUADS = 50_000
"""From this many quads, a batch of new articles is written by the bulk loader."""


def default_store_path() -> Path:
    """Per-user store location: ``$XDG_DATA_HOME/event-kb/store`` (``~/.local/share/...``)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return Path(base) / "event-kb" / "store"


class KB:
    """An event knowledge base in a store.

    ``location``: ``None`` or ``":memory:"`` (in memory), a directory (embedded, on disk), or
    the URL of a SPARQL 1.1 server. A store that was never loaded is seeded on open with the
    ontology, the gazetteer and the bundled seed article(s), so the first question a new
    user asks has an answer. ``seed=False`` opens it as it is (an empty store stays empty).
    ``wait``: seconds to wait for another process's hold on an on-disk store; past it the
    store opens as a read-only snapshot. ``read_only``: open an on-disk store nothing
    writes (a snapshot made by ``snapshot``) as it is, for reading only.
    """

    def __init__(
        self,
        location: str | Path | None = None,
        *,
        seed: bool = True,
        wait: float = 0.0,
        read_only: bool = False,
    ) -> None:
        self.backend: Backend = open_store(location, wait=wait, read_only=read_only)
        if read_only:
            return
        if seed and not self.has_graph(ONTOLOGY_GRAPH):
            self.seed()
        elif not self.backend.read_only and self.has_graph(DERIVE_PENDING_GRAPH):
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
        from pyoxigraph import parse

        from loaders.names import lookup_quads
        from loaders.plan import plan_file

        graphs: dict[str, list[Quad]] = {}
        for graph, filename in SYSTEM_GRAPH_FILES.items():
            data = (resources.ontology_dir() / filename).read_bytes()
            quads = [
                Quad(q.subject, q.predicate, q.object, NamedNode(graph))
                for q in parse(data, format=RdfFormat.TURTLE)
            ]
            graphs[graph] = quads + lookup_quads(quads)
        self.backend.replace_graphs(graphs)
        search_index.build(self.backend)  # the gazetteer's places; articles add theirs
        articles: dict[str, list[Quad]] = {}
        for entry in sorted(resources.facts_dir().iterdir(), key=lambda e: e.name):
            if entry.name.endswith((".yaml", ".yml")):
                planned, content = plan_file(
                    f"facts/{entry.name}", self.backend.types_of, data=entry.read_bytes()
                )
                for graph, quads in content.items():
                    articles[graph] = entity_graph.article_content(graph, quads, planned.entities)[
                        0
                    ]
        self.replace(articles)

    def validate(
        self,
        paths: Sequence[str | Path],
        *,
        graph: str | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> list[PlannedFile]:
        """Parse and validate every file; raise InputError on the first problem.

        This is ``kb validate``: nothing is written.
        """
        from loaders.plan import plan_file

        planned = []
        for path in paths:
            planned.append(plan_file(path, self.backend.types_of, graph=graph)[0])
            if progress:
                progress(str(path))
        return planned

    def load(
        self,
        paths: Sequence[str | Path],
        *,
        graph: str | None = None,
        progress: Callable[[str], None] | None = None,
        phase: Callable[[str, str], None] | None = None,
    ) -> list[PlannedFile]:
        """Validate all files, then write them; a file with any error loads nothing.

        Each named graph in a file replaces the graph of that name (reloading an article
        replaces its facts). The derived graph is recomputed afterwards. Large batches are
        planned in parallel (``kb.batch``); a large batch of new articles into an on-disk
        store is written by the bulk loader (``Backend.bulk_write``).

        ``phase(name, detail)`` is told as each phase begins: ``plan`` (nothing written),
        ``write`` (the articles), ``derive`` (``ekg:derived``). ``kb load --verbose``
        prints them; the crash tests use them to know where a kill landed.
        """
        from kb.batch import Spool, plan_into

        def report(name: str, detail: str) -> None:
            if phase:
                phase(name, detail)

        report("plan", f"{len(paths)} file{'' if len(paths) == 1 else 's'}")
        with Spool() as spool:
            plan_into(
                spool,
                paths,
                self.backend.types_of,
                graph=graph,
                store_path=self.backend.path,
                progress=progress,
            )
            existing = self.backend.existing_graphs(spool.owner)
            bulk = (
                self.backend.path is not None
                and not existing
                and spool.quad_count >= BULK_MIN_QUADS
            )
            how = "with the bulk loader" if bulk else "in one transaction"
            graphs = f"{len(spool.owner)} graph{'' if len(spool.owner) == 1 else 's'}"
            report("write", f"{spool.quad_count} quads into {graphs} {how}")

            def deriving() -> None:
                report("derive", "partnerships and closures into ekg:derived")

            if bulk:
                self._bulk_write(spool, before_derive=deriving)
            else:
                self.replace(
                    spool.graphs(),
                    records=spool.records,
                    existing=existing,
                    before_derive=deriving,
                )
            return spool.planned

    def replace(
        self,
        graphs: dict[str, list[Quad]],
        *,
        records: set[str] | None = None,
        existing: set[str] | None = None,
        before_derive: Callable[[], None] | None = None,
    ) -> None:
        """Give each named graph exactly ``graphs[name]`` (``[]`` removes it), keep
        ``ekg:entities`` in step with the articles' records, and recompute ``ekg:derived``.

        ``records``: the ``ek:entityStatement`` texts among the quads, if the caller has
        them (a load has); ``existing``: which of the graphs exist, likewise.
        ``before_derive`` is called between the write and the derivation.
        """
        if self.backend.maintains_derived:  # another kb serve: it keeps them in step
            self.backend.replace_graphs(graphs)
            return
        if existing is None:
            existing = self.backend.existing_graphs(graphs)
        if records is None:
            records = set().union(*map(entity_graph.records_in, graphs.values()))
        insert, delete = entity_graph.changes(self.backend, records, list(graphs), existing)
        # the names a write may take away or bring, for the search index
        keys = search_index.graph_keys(self.backend, existing & set(graphs))
        keys |= search_index.keys_among(q for qs in (*graphs.values(), insert, delete) for q in qs)
        touched = display.touched_by(self.backend, graphs, [*insert, *delete], existing)
        if self.backend.transactional:  # the marker goes in with the graphs, or not at all
            graphs = {**graphs, DERIVE_PENDING_GRAPH: derived.pending_marker()}
        self.backend.replace_graphs(graphs, insert=insert, delete=delete)
        search_index.refresh(self.backend, keys)
        if before_derive:
            before_derive()
        derived.derive(self.backend, touched=touched)  # ... and goes out with the new one

    def _bulk_write(self, spool: Spool, *, before_derive: Callable[[], None]) -> None:
        new = list(spool.owner)
        insert, _ = entity_graph.changes(self.backend, spool.records, new, set())
        marker = {DERIVE_PENDING_GRAPH: derived.pending_marker()}
        self.backend.bulk_write(spool.nquads(), new, insert=insert, also=marker)
        search_index.build(self.backend)
        before_derive()
        derived.derive(self.backend)

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update (``kb serve --allow-update``), then rebuild what follows from
        the articles: ``ekg:entities`` from their records, and ``ekg:derived``.

        An update may add, change or drop article graphs and with them their
        ``ek:entityStatement`` records, so the entity graph is rebuilt, not patched (what an
        update writes into ``ekg:entities`` itself does not last). The derive-pending
        marker goes in first: a crash before the rebuild is repaired on the next open.
        """
        if self.backend.maintains_derived:  # another kb serve: it rebuilds them itself
            self.backend.update(sparql)
            return
        marked = self.backend.transactional and not self.has_graph(DERIVE_PENDING_GRAPH)
        if marked:
            self.backend.replace_graphs({DERIVE_PENDING_GRAPH: derived.pending_marker()})
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
        self.backend.replace_graphs({ENTITIES_GRAPH: entity_graph.rebuild(self.backend)})
        search_index.build(self.backend)
        derived.derive(self.backend)

    def snapshot(self, target: Path) -> None:
        """Write the KB as it is now into the new directory ``target``, an on-disk store
        for ``KB(target, read_only=True)`` (``kb serve``'s readers)."""
        self.backend.snapshot(target)

    def write_system_graph(self, graph: str, quads: list[Quad]) -> None:
        """Replace a system graph that nothing is derived from (``ekg:links``,
        ``ekg:wikidata``), all or nothing."""
        self.backend.replace_graphs({graph: quads})

    # -- querying --------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        substitutions: dict[str, Any] | None = None,
        *,
        dataset: Dataset | None = None,
    ) -> Result:
        """Run SELECT, ASK, CONSTRUCT or DESCRIBE over the union of all graphs, or over the
        dataset its ``FROM`` clauses or ``dataset`` (the protocol's graph URIs) name."""
        subs = {Variable(k): v for k, v in (substitutions or {}).items()}
        return Result(self.backend.query(rewrite_service(sparql), subs or None, dataset))

    def ask(self, name: str, params: dict[str, str] | None = None, *, lang: str = "en") -> Result:
        """Run canned query ``name``; entity parameters take a name, alias or id."""
        canned = get_canned(name)
        bound = self.bind(canned, params or {}, lang=lang)
        subs = {Variable(k): v for k, v in bound.items()}
        sparql = rewrite_service(canned.sparql)
        return Result(self.backend.query(sparql, subs))

    def bind(
        self, canned: CannedQuery, params: dict[str, str], *, lang: str = "en"
    ) -> dict[str, Any]:
        """Resolve parameter values to RDF terms for ``canned`` (``kb.sparql.binding``)."""
        return binding.bind(self.backend, canned, params, lang=lang)

    def resolve(self, name: str, cls: str = "Entity", *, param: str = "name") -> NamedNode:
        """The one entity of class ``cls`` (an ``ek:`` local name) called ``name``: a label
        or alias in any language, an id (``naver-cloud``), ``ekr:naver-cloud`` or an IRI."""
        return binding.resolve(self.backend, name, cls, param=param)

    def search(
        self, text: str, *, cls: str | None = None, limit: int = 20
    ) -> list[search_index.SearchHit]:
        """Entities whose name, alias or id contains ``text`` or comes within a few typing
        errors of it, in any language and script, best first (``kb search``).

        Case, spaces, punctuation and Latin accents do not count; Hangul is compared by
        jamo (네이바 finds 네이버). ``cls``: only entities of this ``ek:`` class.

        >>> [hit.id for hit in KB(None).search("엔비디아 코리")]
        ['nvidia-korea']
        """
        return search_index.search(self.backend, text, cls=cls, limit=limit)

    def languages(self) -> list[str]:
        """The languages answers can be asked in (``lang=``): English and every language
        an article uses (``kb.store.display``)."""
        return binding.languages(self.backend)

    # -- whole-KB views --------------------------------------------------------------------

    def named_graphs(self) -> list[str]:
        """Every named graph (on a large store, tens of thousands)."""
        return self.backend.named_graphs()

    def has_graph(self, graph: str) -> bool:
        return graph in self.backend.existing_graphs([graph])

    def export(
        self, output: IO[bytes], fmt: RdfFormat = RdfFormat.TRIG, graphs: list[str] | None = None
    ) -> None:
        """Write every named graph (or the ones named) in ``fmt``: a dataset format (TriG,
        N-Quads, JSON-LD) keeps the graphs; a triple format (Turtle, N-Triples, N3, RDF/XML)
        takes exactly one graph, written as its triples."""
        quads = self.backend.graph_quads(graphs)
        if not fmt.supports_datasets:
            if graphs is None or len(graphs) != 1:
                raise KBError(
                    f"{fmt.name} holds one graph: name it with --graph, or export the whole "
                    "KB as trig, nquads or jsonld"
                )
            quads = (q.triple for q in quads)
        serialize(quads, output, fmt, prefixes=PREFIXES if fmt in PREFIXED_FORMATS else None)

    def stats(self, *, lang: str = "en") -> dict[str, Any]:
        """Entity and fact counts per class; per article its headline (in ``lang``, by the
        display-name chain), facts and quads (the size of its graph); the languages."""
        classes = {
            compact(r["class"].value): int(r["count"].value)
            for r in self.backend.query(internal_query("stats-classes"))
        }
        display = binding.language_terms(self.backend, lang)
        subs = {Variable("displayName"): display["displayName"]}
        articles = [
            {
                "article": compact(r["article"].value),
                "headline": r["headline"].value if r["headline"] else "",
                "facts": int(r["facts"].value) if r["facts"] else 0,
                "quads": int(r["quads"].value),
            }
            for r in self.backend.query(internal_query("stats-articles"), subs)
        ]
        return {
            "store": self.location,
            "graphs": len(self.backend.named_graphs()),
            "languages": self.languages(),
            "classes": classes,
            "articles": articles,
        }
