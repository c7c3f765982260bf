"""Canned queries: one ``queries/NAME.rq`` file each, its header parsed into a small record.

A header is a run of ``#`` lines at the top of the file::

    # title: Partners expanding into a region
    # description: Which partners of ORG are expanding into REGION or a place within it.
    # param: org Organization = NVIDIA -- the organization whose partners to list
    # param: region Place = Middle East -- the region or country they expand into
    # param: person Person? -- optional: no value means no restriction
    # title@ko: 지역으로 진출하는 파트너

``title@TAG`` and ``description@TAG`` give them in another language (the page shows them
in the language it is switched to).

A parameter's type is an ontology class (its value is a name, alias or id that must
resolve to one entity of that class), ``Entity`` (any entity), or ``string``/``integer``
(a literal). ``?`` marks an optional parameter: left out, it is bound to ``ek:Any``, an IRI
no triple mentions, which the query reads as "no restriction" (``FILTER($org = ek:Any)``).
Every query may also use ``$lang``, the language asked, and the display predicates of that
language, which it reads every name with: ``$displayName`` (``?x $displayName ?name``: the
name of any entity, fact, term or article, the fallback chain applied), ``$displayPublisher``
and ``$displayUnnamedParticipant`` (``kb.store.display``; docs/design.md, "What an answer
shows"). A query projects only its answer columns, never a parameter.
Parameters are bound as RDF terms written into the query by ``kb.sparql.text.substitute``
(pyoxigraph serialises each term, so a value cannot change the query).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from kb import resources
from kb.errors import KBError, UnknownQuery

_PARAM = re.compile(
    r"^(?P<name>[a-z][a-z0-9_]*)\s+(?P<type>[A-Za-z]+)(?P<optional>\?)?"
    r"(?:\s*=\s*(?P<default>.+?))?(?:\s+--\s+(?P<doc>.*))?$"
)


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str | None = None
    optional: bool = False
    description: str = ""

    @property
    def required(self) -> bool:
        return self.default is None and not self.optional


@dataclass(frozen=True)
class CannedQuery:
    name: str
    title: str
    description: str
    sparql: str
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)
    example: str = ""
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    """``{"ko": {"title": ..., "description": ...}}``: the header in other languages."""

    def title_in(self, lang: str) -> str:
        return self.translations.get(lang, {}).get("title", self.title)

    def description_in(self, lang: str) -> str:
        return self.translations.get(lang, {}).get("description", self.description)


def parse_canned(name: str, text: str) -> CannedQuery:
    """Read the header of one ``.rq`` file."""
    meta: dict[str, str] = {}
    translations: dict[str, dict[str, str]] = {}
    params: list[Parameter] = []
    for raw in text.splitlines():
        if not raw.startswith("#"):
            break
        key, _, value = raw.lstrip("#").strip().partition(":")
        value = value.strip()
        if key == "param":
            m = _PARAM.match(value)
            if not m:
                raise KBError(f"queries/{name}.rq: bad param line: {raw}")
            params.append(
                Parameter(m["name"], m["type"], m["default"], bool(m["optional"]), m["doc"] or "")
            )
        elif key in ("title", "description", "example"):
            meta[key] = f"{meta[key]} {value}" if key in meta else value
        elif key.partition("@")[0] in ("title", "description") and "@" in key:
            field_name, _, lang = key.partition("@")
            found = translations.setdefault(lang, {})
            found[field_name] = f"{found[field_name]} {value}" if field_name in found else value
    if "title" not in meta:
        raise KBError(f"queries/{name}.rq: the header has no title")
    return CannedQuery(
        name,
        meta["title"],
        meta.get("description", ""),
        text,
        tuple(params),
        meta.get("example", ""),
        translations,
    )


@cache
def canned_queries() -> dict[str, CannedQuery]:
    """Every canned query shipped in ``queries/``, by name."""
    found = {}
    for entry in sorted(resources.queries_dir().iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            name = entry.name.removesuffix(".rq")
            found[name] = parse_canned(name, entry.read_text(encoding="utf-8"))
    return found


def get_canned(name: str) -> CannedQuery:
    queries = canned_queries()
    if name not in queries:
        import difflib

        hint = difflib.get_close_matches(name, list(queries), n=1)
        more = f"; did you mean {hint[0]}?" if hint else "; `kb queries` lists them"
        raise UnknownQuery(f"no canned query named {name!r}{more}")
    return queries[name]


@cache
def internal_query(name: str) -> str:
    """A query the KB itself runs (``queries/internal/NAME.rq``)."""
    return (resources.queries_dir() / "internal" / f"{name}.rq").read_text(encoding="utf-8")


def values_query(
    name: str,
    variable: str,
    terms: Iterable[object] | None,
    others: dict[str, Iterable[object]] | None = None,
) -> str:
    """Internal query ``name`` with its empty ``VALUES ?variable { }`` row filled in (and
    the rows of ``others``, by variable)."""
    sparql = fill_values(internal_query(name), variable, terms)
    for var, values in (others or {}).items():
        sparql = fill_values(sparql, var, values)
    return sparql


def fill_values(sparql: str, variable: str, terms: Iterable[object] | None) -> str:
    """``sparql`` with its empty ``VALUES ?variable { }`` row filled with ``terms``, or
    taken out (no restriction) for ``None``.

    ``terms`` are pyoxigraph terms, written as SPARQL by ``str()``. A list of values is
    written into the text because substitutions bind one value per variable.
    """
    placeholder = f"VALUES ?{variable} {{ }}"
    assert placeholder in sparql, f"the query has no {placeholder}"
    if terms is None:
        return sparql.replace(placeholder, "")
    row = " ".join(str(term) for term in terms)
    return sparql.replace(placeholder, f"VALUES ?{variable} {{ {row} }}")


@cache
def derive_queries() -> tuple[tuple[str, str], ...]:
    """The CONSTRUCT queries whose results make up the derived graph, in file order; read
    once per process (every write derives)."""
    folder = resources.queries_dir() / "derive"
    return tuple(
        (e.name, e.read_text(encoding="utf-8"))
        for e in sorted(folder.iterdir(), key=lambda e: e.name)
        if e.name.endswith(".rq")
    )
