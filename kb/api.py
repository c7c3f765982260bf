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
from kb.errors import InputError, IntegrityError, KBError, StoreError
from kb.namespaces import (
    DERIVE_PENDING_GRAPH,
    EKA,
    EKG,
    EKR,
    ENTITIES_GRAPH,
    ONTOLOGY_GRAPH,
    PREFIXES,
    SYSTEM_GRAPH_FILES,
    compact,
)
from kb.sparql import binding
from kb.sparql.catalogue import CannedQuery, get_canned, internal_query
from kb.sparql.federation import rewrite_service  # SERVICE <Wikidata> → $KB_WIKIDATA_SPARQL
from kb.sparql.paging import page_bounds
from kb.sparql.results import PREFIXED_FORMATS, Result
from kb.sparql.text import with_page
from kb.store import derived, display, entity_graph, search_index
from kb.store.backend import Backend, Dataset, open_store
from kb.store.changeset import content_lines

if TYPE_CHECKING:  # planning pulls in YAML, the fact-file schema and multiprocessing,
    # which a query does not need: imported where used, for `kb ask`'s start-up time
    from kb.batch import Spool
    from kb.store import integrity
    from loaders.plan import PlannedFile
    from loaders.references import FileIndex

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
    store opens as a read-only snapshot. ``writable=False`` never writes, nor makes a store
    (``kb validate``): a store not yet there reads as a new one would, seeded, in memory.
    ``read_only``: open an on-disk store nothing writes (a snapshot made by ``snapshot``) as
    it is, for reading only (``kb serve``'s readers).
    """

    def __init__(
        self,
        location: str | Path | None = None,
        *,
        seed: bool = True,
        wait: float = 0.0,
        writable: bool = True,
        read_only: bool = False,
    ) -> None:
        if not writable:
            self.backend = self._reader(location, wait)
            return
        backend = open_store(location, wait=wait, read_only=read_only)
        if backend is None:
            raise StoreError(f"there is no store at {location}")
        self.backend: Backend = backend
        if read_only:
            return
        if seed and not self.has_graph(ONTOLOGY_GRAPH):
            self.seed()
        elif not self.backend.read_only and self.has_graph(DERIVE_PENDING_GRAPH):
            self.repair()  # a write was killed before its derived graph was written

    def _reader(self, location: str | Path | None, wait: float) -> Backend:
        """The store as it is, opened so that nothing is written to it (nor made); a store
        that does not exist or was never seeded reads as a new store would: seeded."""
        backend = open_store(location, wait=wait, read_only=True)
        if backend is not None and ONTOLOGY_GRAPH in backend.existing_graphs([ONTOLOGY_GRAPH]):
            return backend
        if backend is not None:
            backend.close()
        return KB(None).backend

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
        """Load the ontology, the gazetteer and the bundled fact files, all at once.

        One write (one transaction on an embedded store), so a kill at any moment leaves an
        unseeded store, seeded again on the next open, or a seeded one. A server is written
        graph by graph, the ontology last: the graph a store is seeded when it has.
        """
        from pyoxigraph import parse

        from kb.store.embedded import EmbeddedBackend
        from kb.store.lookups import StoreView
        from loaders.names import lookup_quads
        from loaders.plan import plan_file

        system: dict[str, list[Quad]] = {}
        for graph, filename in SYSTEM_GRAPH_FILES.items():
            data = (resources.ontology_dir() / filename).read_bytes()
            quads = [
                Quad(q.subject, q.predicate, q.object, NamedNode(graph))
                for q in parse(data, format=RdfFormat.TURTLE)
            ]
            system[graph] = quads + lookup_quads(quads)
        scratch = EmbeddedBackend(None)  # what the seed articles refer to, before it is written
        scratch.replace_graphs(system)
        articles: dict[str, list[Quad]] = {}
        records: set[str] = set()
        for entry in sorted(resources.facts_dir().iterdir(), key=lambda e: e.name):
            if entry.name.endswith((".yaml", ".yml")):
                planned, content = plan_file(
                    f"facts/{entry.name}", StoreView(scratch, ()), data=entry.read_bytes()
                )
                for graph, quads in content.items():
                    layout, texts = entity_graph.article_content(graph, quads, planned.entities)
                    articles[graph] = layout
                    records |= texts
        scratch.close()
        insert = entity_graph.entity_quads(sorted(records))
        ontology = {ONTOLOGY_GRAPH: system.pop(ONTOLOGY_GRAPH)}
        graphs = {**articles, **system}
        if self.backend.transactional:
            graphs = {**graphs, **ontology, DERIVE_PENDING_GRAPH: derived.pending_marker()}
        self.backend.write(content_lines(graphs), insert=insert)
        if not self.backend.transactional:
            self.backend.write(content_lines(ontology))
        search_index.build(self.backend)
        derived.derive(self.backend)

    def validate(
        self,
        paths: Sequence[str | Path],
        *,
        graph: str | None = None,
        format: str | None = None,
        base: str | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> list[PlannedFile]:
        """Parse and validate every file as ``load`` would, against the KB and each other;
        raise InputError on the first problem. This is ``kb validate``: nothing is written."""
        from kb.batch import Spool

        with Spool() as spool:
            self._plan(spool, paths, graph=graph, format=format, base=base, progress=progress)
            return spool.planned

    def load(
        self,
        paths: Sequence[str | Path],
        *,
        graph: str | None = None,
        format: str | None = None,
        base: str | None = None,
        progress: Callable[[str], None] | None = None,
        phase: Callable[[str, str], None] | None = None,
    ) -> list[PlannedFile]:
        """Validate all files, then write them; a file with any error loads nothing.

        The files of one batch may refer to each other in any order. Each named graph in a
        file replaces the graph of that name (reloading an article replaces its facts); a
        load that would leave another article referring to an entity nobody defines any
        more is refused (``IntegrityError``). The derived graph is recomputed afterwards.
        Large batches are parsed in parallel (``kb.batch``); a large batch of new articles
        into an on-disk store is written by the bulk loader (``Backend.bulk_write``).

        ``format`` says how every file is read, for files (or standard input, ``-``) whose
        name says nothing: ``yaml`` for fact files, or an RDF format by name, extension or
        media type (``turtle``, ``nt``, ``application/rdf+xml``: ``kb.formats``); without
        it each file's extension decides, and standard input holds a fact file. ``base``:
        the IRI relative IRIs in RDF files resolve against (default: ``file:///`` and the
        file's path). A bad ``format`` or ``base`` is an InputError naming the file.

        ``phase(name, detail)`` is told as each phase begins: ``plan`` (nothing written),
        ``write`` (the articles), ``derive`` (``ekg:derived``). ``kb load --verbose``
        prints them; the crash tests use them to know where a kill landed.
        """
        from kb.batch import Spool

        def report(name: str, detail: str) -> None:
            if phase:
                phase(name, detail)

        report("plan", f"{len(paths)} file{'' if len(paths) == 1 else 's'}")
        with Spool() as spool:
            existing = self._plan(
                spool, paths, graph=graph, format=format, base=base, progress=progress
            )
            graphs = list(spool.owner)
            bulk = (
                self.backend.path is not None
                and not existing
                and spool.quad_count >= BULK_MIN_QUADS
            )
            how = "with the bulk loader" if bulk else "in one transaction"
            count = f"{len(graphs)} graph{'' if len(graphs) == 1 else 's'}"
            report("write", f"{spool.quad_count} quads into {count} {how}")
            if self.backend.maintains_derived:  # another kb serve: it keeps them in step
                self.backend.write(spool.lines())
                return spool.planned
            insert, delete = entity_graph.changes(self.backend, spool.records, graphs, existing)
            marker = {DERIVE_PENDING_GRAPH: derived.pending_marker()}
            if not self.backend.transactional:
                marker = {}
            held = None if bulk else spool.held()
            if held is None:  # a large batch: the index and the display values anew
                keys, touched = None, None
            else:
                keys = search_index.graph_keys(self.backend, existing)
                keys |= search_index.keys_among([*held, *insert, *delete])
                written = {g: [q for q in held if q.graph_name.value == g] for g in graphs}
                touched = display.touched_by(self.backend, written, [*insert, *delete], existing)
            if bulk:
                self.backend.bulk_write(spool.nquads(), graphs, insert=insert, also=marker)
            else:
                content = {**spool.lines(), **content_lines(marker)}
                self.backend.write(content, insert=insert, delete=delete)
            if keys is None:
                search_index.build(self.backend)
            else:
                search_index.refresh(self.backend, keys)
            report("derive", "partnerships and closures into ekg:derived")
            derived.derive(self.backend, touched=touched)  # ... and the marker goes out with it
            return spool.planned

    def _plan(
        self,
        spool: Spool,
        paths: Sequence[str | Path],
        *,
        graph: str | None,
        progress: Callable[[str], None] | None,
        format: str | None = None,
        base: str | None = None,
    ) -> set[str]:
        """Plan a batch into ``spool`` and check it against itself and the KB; return which
        of its graphs exist. Raises InputError (or IntegrityError) and writes nothing."""
        from kb.batch import plan_into
        from kb.store import integrity
        from kb.store.lookups import StoreView
        from loaders.references import check_batch

        plan_into(spool, paths, graph=graph, format=format, base=base, progress=progress)
        existing = self.backend.existing_graphs(spool.owner)
        check_batch(spool.planned, StoreView(self.backend, spool.owner))
        for planned in spool.planned:
            self._check_articles_kept(planned, existing)
        kept = {d.iri for p in spool.planned for d in p.index.definitions}
        found = integrity.dangling(self.backend, existing, kept)
        if found:
            raise _dangling_error(found[0], spool.owner)
        return existing

    def _check_articles_kept(self, planned: PlannedFile, existing: set[str]) -> None:
        """A graph that holds an article is replaced only by a file that describes that
        article: not by a file given ``--graph`` for stray triples, or a TriG graph block."""
        for graph in planned.graphs:
            if graph in existing and graph not in planned.describes:
                node = NamedNode(graph)
                ask = "ASK { GRAPH ?g { ?g a ek:Article } }"
                if self.backend.query(ask, {Variable("g"): node}):
                    raise InputError(
                        f"{compact(graph)} is an article, and this file does not describe it "
                        f"(no <{graph}> a ek:Article): loading it would replace the article "
                        f"with the file's {planned.graphs[graph]} quads; load the article's "
                        "own file, or remove it first (kb drop)",
                        path=planned.path,
                    )

    def replace(
        self,
        graphs: dict[str, list[Quad]],
        *,
        records: set[str] | None = None,
        existing: set[str] | None = None,
    ) -> None:
        """Give each named graph exactly ``graphs[name]`` (``[]`` removes it), keep
        ``ekg:entities`` and the search index in step with the articles, and recompute
        ``ekg:derived``.

        The integrity rule holds here as for a load (this is how ``kb serve``'s graph store
        writes): the new content's ``ekr:`` values must be entities the KB or the content
        defines, its facts must not belong to another article, and what the replaced graphs
        defined must not be left referenced by another article. ``records``: the
        ``ek:entityStatement`` texts among the quads, if the caller has them; ``existing``:
        which of the graphs exist, likewise.
        """
        from kb.store import integrity
        from kb.store.lookups import StoreView
        from loaders.rdffile import index_of
        from loaders.references import check_batch

        if self.backend.maintains_derived:  # another kb serve: it checks and keeps them
            self.backend.replace_graphs(graphs)
            return
        if existing is None:
            existing = self.backend.existing_graphs(graphs)
        if records is None:
            records = set().union(*map(entity_graph.records_in, graphs.values()))
        written = [
            _Written(f"<{graph}>", (graph,), index_of({graph: _with_records(graph, quads)}))
            for graph, quads in graphs.items()
            if quads
        ]
        check_batch(written, StoreView(self.backend, graphs))
        kept = {d.iri for w in written for d in w.index.definitions}
        found = integrity.dangling(self.backend, existing, kept)
        if found:
            raise _dangling_error(found[0], {})
        self._replace(graphs, records, existing)

    def drop(self, articles: Sequence[str]) -> list[str]:
        """Remove articles (each an id, ``eka:id`` or the graph's IRI) with their facts, and
        what only they said of their entities; return the graphs removed.

        Refused (``IntegrityError``) if another article still refers to an entity only these
        define: drop that one in the same call, or define the entity elsewhere first.
        """
        from kb.store import integrity

        graphs = [self._article_graph(a) for a in articles]
        graphs = list(dict.fromkeys(graphs))
        found = integrity.dangling(self.backend, set(graphs), set())
        if found:
            raise _dangling_error(found[0], {})
        self._replace({g: [] for g in graphs}, set(), set(graphs))
        return graphs

    def _article_graph(self, name: str) -> str:
        """The graph of a loaded article named by id, ``eka:id`` or IRI."""
        if name.startswith(("http://", "https://", "urn:")):
            graph = name
        elif name.startswith("eka:"):
            graph = EKA + name.removeprefix("eka:")
        else:
            graph = EKA + name
        if graph.startswith(EKG):
            raise KBError(f"{compact(graph)} is a system graph; kb drop removes articles")
        if not self.has_graph(graph):
            import difflib

            known = [r["article"] for r in self.query(internal_query("article-graphs")).rows()]
            ids = {compact(g).removeprefix("eka:"): g for g in known}
            hint = difflib.get_close_matches(compact(graph).removeprefix("eka:"), list(ids), n=1)
            more = f" (did you mean {hint[0]}?)" if hint else ""
            raise KBError(f"no article {compact(graph)} in the KB{more}")
        return graph

    def _replace(
        self, graphs: dict[str, list[Quad]], records: set[str], existing: set[str]
    ) -> None:
        insert, delete = entity_graph.changes(self.backend, records, list(graphs), existing)
        # the names a write may take away or bring (the search index), and what it may
        # change the display values of: read before the write
        keys = search_index.graph_keys(self.backend, existing & set(graphs))
        keys |= search_index.keys_among(q for qs in (*graphs.values(), insert, delete) for q in qs)
        touched = display.touched_by(self.backend, graphs, [*insert, *delete], existing)
        if self.backend.transactional:  # the marker goes in with the graphs, or not at all
            graphs = {**graphs, DERIVE_PENDING_GRAPH: derived.pending_marker()}
        self.backend.replace_graphs(graphs, insert=insert, delete=delete)
        search_index.refresh(self.backend, keys)
        derived.derive(self.backend, touched=touched)  # ... and goes out with the new one

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update (``kb serve --allow-update``), then rebuild what follows from
        the articles: ``ekg:entities`` from their records, and ``ekg:derived``.

        An update may add, change or drop article graphs and with them their
        ``ek:entityStatement`` records, so the entity graph is rebuilt, not patched (what an
        update writes into ``ekg:entities`` itself does not last). The integrity rule holds:
        the update is first run on a copy of the store (``Backend.trial``), and refused
        (``IntegrityError``) if it would leave an ``ekr:`` value nothing defines, or a fact
        typed by two articles, that the KB did not have before. A server cannot be copied:
        there the update is checked after it ran, and the error says it was applied. The
        derive-pending marker goes in first: a crash before the rebuild is repaired on the
        next open.
        """
        from kb.store import integrity

        if self.backend.maintains_derived:  # another kb serve: it checks and rebuilds itself
            self.backend.update(sparql)
            return
        before = integrity.Problems.of(self.backend)
        with self.backend.trial() as trial:
            if trial is not None:
                trial.update(sparql)
                trial.replace_graphs({ENTITIES_GRAPH: entity_graph.rebuild(trial)})
                _refuse_update(integrity.Problems.of(trial).added_to(before), trial, applied=False)
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
        if trial is None:
            after = integrity.Problems.of(self.backend).added_to(before)
            _refuse_update(after, self.backend, applied=True)

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

    def ask(
        self,
        name: str,
        params: dict[str, str] | None = None,
        *,
        lang: str = "en",
        limit: int | str | None = None,
        offset: int | str | None = None,
    ) -> Result:
        """Run canned query ``name``; entity parameters take a name, alias or id.

        ``limit`` and ``offset``: the page of the answer, ``limit`` rows (at most
        ``kb.sparql.paging.MAX_LIMIT``) from row ``offset``, in the query's own order; the
        pages of an answer joined are the whole answer. ParameterError for a value that is
        no whole number of rows or is above the cap."""
        page_limit, page_offset = page_bounds(limit, offset)
        canned = get_canned(name)
        bound = self.bind(canned, params or {}, lang=lang)
        subs = {Variable(k): v for k, v in bound.items()}
        sparql = with_page(rewrite_service(canned.sparql), page_limit, page_offset)
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


class _Written:
    """A graph written through ``KB.replace``, as the batch checks see a planned file."""

    def __init__(self, path: str, graphs: tuple[str, ...], index: FileIndex) -> None:
        self.path = path
        self.graphs = graphs
        self.index = index


def _with_records(graph: str, quads: list[Quad]) -> list[Quad]:
    """An article graph's quads with the statements its records make (what it defines)."""
    node = NamedNode(graph)
    said = entity_graph.statements(entity_graph.records_in(quads))
    return quads + [Quad(t.subject, t.predicate, t.object, node) for t in said]


def _dangling_error(found: integrity.Dangling, owner: dict[str, str]) -> IntegrityError:
    """The one line for a write that would leave ``found`` dangling: named after the file
    (or the article) that takes the entity away."""
    from loaders.plan import is_fact_file

    entity = found.entity.removeprefix(EKR)
    files = [owner[g] for g in found.definers if g in owner]
    by = files[0] if files else ", ".join(compact(g) for g in found.definers)
    referrer = compact(found.article)
    if found.article in owner:
        referrer += f" ({owner[found.article]})"
    if files:
        advice = f"keep it in {by}, define it in that article, or drop that article first"
    else:
        advice = f"drop {compact(found.article)} too, or define {entity!r} in another article first"
    return IntegrityError(
        f"{entity!r} would no longer exist but {referrer} still references it "
        f"({compact(found.subject)} {compact(found.predicate)}); {advice}",
        path=by,
        field="entities" if files and is_fact_file(files[0]) else None,
    )


def _refuse_update(added: integrity.Problems, backend: Backend, *, applied: bool) -> None:
    """Raise IntegrityError for the first problem an update adds, if any."""
    from kb.store import integrity

    if not added:
        return
    when = (
        "the update, which the server has applied (a server cannot take it back),"
        if applied
        else "the update"
    )
    if added.undefined:
        entity = sorted(added.undefined)[0]
        using = integrity.referrers(backend, entity)
        graph, subject, predicate = using[0] if using else ("", "", "")
        message = (
            f"{when} would leave {compact(entity)} undefined, but {compact(graph)} still "
            f"references it ({compact(subject)} {compact(predicate)}); keep an article that "
            "defines it, or remove the references too"
        )
    else:
        fact, graphs = sorted(added.shared_facts.items())[0]
        message = (
            f"{when} would make {compact(fact)} a fact of {' and '.join(map(compact, graphs))}; "
            "a fact belongs to one article"
        )
    raise IntegrityError(message)
