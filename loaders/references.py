"""A batch's references resolved among its files and against the KB, in any order.

Each planned file carries a ``FileIndex``: what it defines (entities and facts, with their
class, names and parent, and the line of each) and what it references (every entity id
used as a value, with the class the field wants and its line). ``check_batch`` runs once
every file of a batch has been parsed, so a file may use an entity that another file of
the same batch defines, whichever comes first; the batch still loads all or nothing.

What it refuses, each with one line naming the file, line and field:

- a reference to an id that neither the batch nor the KB defines (with a "did you mean"
  drawn from every id, name and alias of the KB and the batch), or that only an article
  the batch replaces defines now, or to an entity of the wrong class;
- an entity defined differently by two files of the batch, or by a file and the KB: a class
  incompatible with the other's (neither a subclass of the other), another ``name`` in the
  same language, another ``part_of``. Entities are shared: aliases, descriptions and other
  many-valued fields merge;
- a fact id another article already owns (a fact belongs to the article that defined it
  first), or that two files of the batch define.

The KB is reached through a ``KBView`` the caller passes (``kb.store.lookups``): this
module knows nothing of how the store is laid out. The view sees the KB without the
graphs the batch replaces: what those articles say now does not count, what the batch
says instead does.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from kb.errors import InputError, a_or_an
from kb.names import normalise
from kb.namespaces import EK, EKR, compact
from kb.ontology import superclasses

FACT = EK + "Fact"


@dataclass(frozen=True)
class Definition:
    """An entity or fact a file defines (``iri`` in graph ``graph``)."""

    iri: str
    graph: str
    classes: frozenset[str]
    """Its ``ek:`` classes with their superclasses."""
    line: int | None
    field: str
    """Where it is defined, for messages: ``entities[2].id`` (RDF: the term)."""
    names: tuple[tuple[str, str, int | None], ...] = ()
    """(language, text, line) of each ``rdfs:label``."""
    part_of: tuple[str, int | None] | None = None
    """The ``ek:subOrganizationOf`` it gives, with its line."""
    keys: tuple[str, ...] = ()
    """Its names and aliases as written: "did you mean" candidates."""

    @property
    def fact(self) -> bool:
        return FACT in self.classes or EK + "Purpose" in self.classes


@dataclass(frozen=True)
class Reference:
    """An entity id a file uses as a value."""

    iri: str
    cls: str | None
    """The class the field wants (an ``ek:`` IRI), or None for any."""
    line: int | None
    field: str


@dataclass
class FileIndex:
    """What one file defines and references."""

    definitions: list[Definition] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    articles: set[str] = field(default_factory=set)
    """The graphs that hold the ``ek:Article`` they are named after."""
    locate: Callable[[str], int | None] | None = field(default=None, repr=False, compare=False)
    """For files whose parser gives no lines (RDF): the line of an IRI's first mention."""


class Known(Protocol):
    """What the KB (outside the batch's graphs) says of one IRI."""

    @property
    def classes(self) -> frozenset[str]:
        """Its classes, with their superclasses."""
        ...

    @property
    def definers(self) -> tuple[str, ...]:
        """The articles (or the gazetteer) that define it."""
        ...

    @property
    def owner(self) -> str | None:
        """For a fact: the article graph it belongs to."""
        ...

    @property
    def names(self) -> tuple[tuple[str, str, str], ...]:
        """(language, text, the graph that says so) of each ``rdfs:label``."""
        ...

    @property
    def part_of(self) -> tuple[tuple[str, str], ...]:
        """(parent IRI, the graph that says so)."""
        ...


@dataclass(frozen=True)
class _Classes:
    """``Known`` when all that is known is the classes."""

    classes: frozenset[str]
    definers: tuple[str, ...] = ()
    owner: str | None = None
    names: tuple[tuple[str, str, str], ...] = ()
    part_of: tuple[tuple[str, str], ...] = ()


class KBView(Protocol):
    """The KB as a batch sees it: without the graphs the batch replaces."""

    def about(self, iris: Sequence[str], detailed: set[str]) -> Mapping[str, Known]:
        """What the KB says of ``iris``; names and parents only for those in ``detailed``."""
        ...

    def replaced_definers(self, iri: str) -> list[str]:
        """Which of the graphs the batch replaces define ``iri`` now."""
        ...

    def suggest(self, text: str, cls: str | None) -> str | None:
        """The id of an entity whose id, name or alias is ``text`` or close to it."""
        ...


TypesOf = Callable[[list[str], str | None], dict[str, set[str]]]
"""Given entity IRIs and a graph to leave out, the classes the rest of the store gives them
(``Backend.types_of``)."""


class TypesView:
    """A ``KBView`` that knows only the classes ``types_of`` gives: for planning a file on
    its own (the seed article, the benchmark's generator)."""

    def __init__(self, types_of: TypesOf, graphs: Iterable[str]) -> None:
        self.types_of = types_of
        self.graphs = list(graphs)

    def about(self, iris: Sequence[str], detailed: set[str]) -> Mapping[str, Known]:
        exclude = self.graphs[0] if len(self.graphs) == 1 else None
        found = self.types_of(list(iris), exclude)
        return {iri: _Classes(_closed(types)) for iri, types in found.items()}

    def replaced_definers(self, iri: str) -> list[str]:
        return []

    def suggest(self, text: str, cls: str | None) -> str | None:
        return None


class PlannedIndex(Protocol):
    """A planned file as the checks see it (``loaders.plan.PlannedFile``): its name, the
    graphs it fills and its index."""

    @property
    def path(self) -> str: ...

    @property
    def graphs(self) -> Iterable[str]: ...

    @property
    def index(self) -> FileIndex: ...


def check_batch(files: Sequence[PlannedIndex], view: KBView) -> None:
    """Check every file's definitions and references against the batch and the KB; raise
    InputError (the first problem, in file order) or return."""
    defined: dict[str, list[tuple[PlannedIndex, Definition]]] = {}
    for planned in files:
        for definition in planned.index.definitions:
            defined.setdefault(definition.iri, []).append((planned, definition))
    for entries in defined.values():
        _check_within_batch(entries)
    outside = {
        ref.iri for planned in files for ref in planned.index.references if ref.iri not in defined
    }
    known = view.about(sorted(set(defined) | outside), detailed=set(defined))
    for iri, entries in defined.items():
        if iri in known:
            for planned, definition in entries:
                _check_against_kb(planned, definition, known[iri])
    batch_classes = {
        iri: frozenset().union(*(d.classes for _, d in entries)) for iri, entries in defined.items()
    }
    for planned in files:
        for ref in planned.index.references:
            if ref.iri in batch_classes:
                classes = batch_classes[ref.iri]
            elif known.get(ref.iri) and known[ref.iri].classes:
                classes = known[ref.iri].classes
            else:
                raise _unknown(planned, ref, view, defined)
            if ref.cls and ref.cls not in classes:
                have = _class_names(classes) or "thing of unknown type"
                raise _error(
                    planned,
                    f"{_id(ref.iri)} is {a_or_an(have)}, not {a_or_an(_short(ref.cls))}",
                    ref.line,
                    ref.field,
                    ref.iri,
                )


def compatible(mine: frozenset[str], theirs: frozenset[str]) -> bool:
    """Whether two sets of classes (each closed under superclasses) can describe one thing:
    one is a subclass of the other (a Country is a Place)."""
    mine, theirs = _ek(mine), _ek(theirs)
    return not mine or not theirs or mine <= theirs or theirs <= mine


# -- the checks --------------------------------------------------------------------------------


def _check_within_batch(entries: list[tuple[PlannedIndex, Definition]]) -> None:
    """The definitions of one IRI by the files of a batch, each against all before it."""
    first_file, first = entries[0]
    kinds: dict[frozenset[str], tuple[PlannedIndex, Definition]] = {}  # classes -> first
    # what was said first, and where (found only for a message: for RDF it reads the file)
    names: dict[str, tuple[str, PlannedIndex, Definition, int | None]] = {}
    parent: tuple[str, PlannedIndex, Definition, int | None] | None = None
    for planned, other in entries:
        if (first.fact or other.fact) and first.graph != other.graph:
            raise _error(
                planned,
                f"fact id {_id(other.iri)} is already defined by {_where(first_file, first)}; "
                "a fact belongs to one article: give this one another id",
                other.line,
                other.field,
                other.iri,
            )
        for classes, (seen_file, seen) in kinds.items():
            if not compatible(classes, other.classes):
                raise _error(
                    planned,
                    f"{_id(other.iri)} is {a_or_an(_class_names(classes))} in "
                    f"{_where(seen_file, seen)}, not {a_or_an(_class_names(other.classes))}",
                    other.line,
                    other.field,
                    other.iri,
                )
        kinds.setdefault(other.classes, (planned, other))
        for lang, text, line in other.names:
            if lang not in names:
                names[lang] = (text, planned, other, line)
            elif names[lang][0] != text:
                said, said_file, said_by, said_at = names[lang]
                raise _error(
                    planned,
                    f"{_id(other.iri)} is called {text!r}@{lang} here but {said!r}@{lang} in "
                    f"{_where(said_file, said_by, said_at)}; give one name per language (put "
                    "the other under aliases)",
                    line,
                    _name_field(other),
                    other.iri,
                )
        if other.part_of:
            if parent is None:
                parent = (other.part_of[0], planned, other, other.part_of[1])
            elif parent[0] != other.part_of[0]:
                raise _error(
                    planned,
                    f"{_id(other.iri)} is part of {_id(other.part_of[0])} here but of "
                    f"{_id(parent[0])} in {_where(parent[1], parent[2], parent[3])}",
                    other.part_of[1],
                    _part_of_field(other),
                    other.iri,
                )


def _check_against_kb(planned: PlannedIndex, definition: Definition, known: Known) -> None:
    iri = definition.iri
    if definition.fact and known.owner:
        raise _error(
            planned,
            f"fact id {_id(iri)} belongs to {compact(known.owner)}, which defined it first; "
            "give this fact another id",
            definition.line,
            definition.field,
            iri,
        )
    if not compatible(definition.classes, known.classes):
        elsewhere = f" ({', '.join(map(compact, known.definers))})" if known.definers else ""
        raise _error(
            planned,
            f"{_id(iri)} is {a_or_an(_class_names(known.classes))} elsewhere in the KB"
            f"{elsewhere}, not {a_or_an(_class_names(definition.classes))}",
            definition.line,
            "id" if definition.field.endswith(".id") else definition.field,
            iri,
        )
    for lang, text, line in definition.names:
        theirs = [(t, g) for language, t, g in known.names if language == lang]
        if theirs and text not in {t for t, _ in theirs}:
            other, graph = theirs[0]
            raise _error(
                planned,
                f"{_id(iri)} is called {text!r}@{lang} here but {other!r}@{lang} by "
                f"{compact(graph)}; give one name per language (put the other under aliases)",
                line,
                _name_field(definition),
                iri,
            )
    if definition.part_of:
        parent, line = definition.part_of
        others = [(p, g) for p, g in known.part_of if p != parent]
        if others:
            raise _error(
                planned,
                f"{_id(iri)} is part of {_id(parent)} here but of {_id(others[0][0])} "
                f"according to {compact(others[0][1])}",
                line,
                _part_of_field(definition),
                iri,
            )


def _unknown(
    planned: PlannedIndex,
    ref: Reference,
    view: KBView,
    defined: dict[str, list[tuple[PlannedIndex, Definition]]],
) -> InputError:
    replaced = view.replaced_definers(ref.iri)
    if replaced:
        by = [p for p in _files_of(defined, replaced)] or [compact(g) for g in replaced]
        return _error(
            planned,
            f"{_id(ref.iri)} would no longer exist: only {', '.join(by)} "
            "defines it now, and this batch replaces it without it; keep it there or "
            "define it in this file",
            ref.line,
            ref.field,
            ref.iri,
        )
    slug = ref.iri.removeprefix(EKR)
    hint = _suggestion(slug, ref.cls, view, defined)
    more = f" (did you mean {hint}?)" if hint else ""
    return _error(
        planned,
        f"unknown entity id {slug!r}: define it under entities or load the article that does{more}",
        ref.line,
        ref.field,
        ref.iri,
    )


def _suggestion(
    slug: str,
    cls: str | None,
    view: KBView,
    defined: dict[str, list[tuple[PlannedIndex, Definition]]],
) -> str | None:
    """An id close to ``slug``: among the batch's ids, names and aliases, then the KB's."""
    key = normalise(slug)
    candidates: dict[str, str] = {}  # lookup key -> id
    for iri, entries in defined.items():
        if not iri.startswith(EKR) or "/" in iri[len(EKR) :]:
            continue
        if cls and not any(cls in d.classes for _, d in entries):
            continue
        ident = iri.removeprefix(EKR)
        for text in (ident, *(k for _, d in entries for k in d.keys)):
            candidates.setdefault(normalise(text), ident)
    if key in candidates:
        return candidates[key]
    from_kb = view.suggest(slug, cls)
    if from_kb:
        return from_kb
    close = difflib.get_close_matches(key, list(candidates), n=1, cutoff=0.75)
    return candidates[close[0]] if close else None


# -- messages ----------------------------------------------------------------------------------


def _error(
    planned: PlannedIndex, message: str, line: int | None, where: str, iri: str
) -> InputError:
    if line is None and planned.index.locate is not None:
        line = planned.index.locate(iri)
    return InputError(message, path=planned.path, line=line, field=where)


def _where(planned: PlannedIndex, definition: Definition, line: int | None = None) -> str:
    line = line if line is not None else definition.line
    if line is None and planned.index.locate is not None:
        line = planned.index.locate(definition.iri)
    return f"{planned.path}:{line}" if line is not None else planned.path


def _files_of(
    defined: dict[str, list[tuple[PlannedIndex, Definition]]], graphs: Iterable[str]
) -> list[str]:
    """The files of the batch that fill ``graphs``, as ``file (eka:...)``."""
    wanted = set(graphs)
    seen: dict[str, str] = {}
    for entries in defined.values():
        for planned, _ in entries:
            for graph in planned.graphs:
                if graph in wanted:
                    seen.setdefault(graph, f"{compact(graph)} ({planned.path})")
    return [seen[g] for g in sorted(seen)]


def _name_field(definition: Definition) -> str:
    return definition.field.rpartition(".")[0] + ".name" if "." in definition.field else "name"


def _part_of_field(definition: Definition) -> str:
    base = definition.field.rpartition(".")[0]
    return base + ".part_of" if base else "part_of"


def _id(iri: str) -> str:
    return repr(iri.removeprefix(EKR)) if iri.startswith(EKR) else compact(iri)


def _closed(classes: Iterable[str]) -> frozenset[str]:
    return frozenset().union(*(superclasses(c) if c.startswith(EK) else {c} for c in classes))


def _ek(classes: frozenset[str]) -> frozenset[str]:
    return frozenset(c for c in classes if c.startswith(EK))


def _short(cls: str) -> str:
    return cls.removeprefix(EK)


def _class_names(classes: frozenset[str]) -> str:
    """The most specific ``ek:`` classes, by name: "Country" rather than "Country, Place"."""
    ek = _ek(classes)
    specific = [c for c in ek if not any(c != o and c in superclasses(o) for o in ek)]
    return ", ".join(sorted(_short(c) for c in specific))
