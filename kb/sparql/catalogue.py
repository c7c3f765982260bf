"""Canned queries: one ``queries/NAME.rq`` file each, its header parsed into a small record.

A header is a run of ``#`` lines at the top of the file::

    # title: Partners expanding into a region
    # description: Which partners of ORG are expanding into REGION or a place within it.
    # param: org Organization = NVIDIA -- the organization whose partners to list
    # param: region Place = Middle East -- the region or country they expand into
    # param: person Person? -- optional: no value means no restriction

A parameter's type is an ontology class (its value is a name, alias or id that must
resolve to one entity of that class), ``Entity`` (any entity), or ``string``/``integer``
(a literal). ``?`` marks an optional parameter: left out, it is bound to ``ek:Any``, an IRI
no triple mentions, which the query reads as "no restriction" (``FILTER($org = ek:Any)``).
Every query may also use ``$lang``, the language of the names it returns.
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


def parse_canned(name: str, text: str) -> CannedQuery:
    """Read the header of one ``.rq`` file."""
    meta: dict[str, str] = {}
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
    if "title" not in meta:
        raise KBError(f"queries/{name}.rq: the header has no title")
    return CannedQuery(
        name,
        meta["title"],
        meta.get("description", ""),
        text,
        tuple(params),
        meta.get("example", ""),
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
    terms: Iterable[object],
    others: dict[str, Iterable[object]] | None = None,
) -> str:
    """Internal query ``name`` with its empty ``VALUES ?variable { }`` row filled in (and
    the rows of ``others``, by variable).

    ``terms`` are pyoxigraph terms, written as SPARQL by ``str()``. A list of values is
    written into the text because substitutions bind one value per variable.
    """
    sparql = internal_query(name)
    for var, values in {variable: terms, **(others or {})}.items():
        row = " ".join(str(term) for term in values)
        placeholder = f"VALUES ?{var} {{ }}"
        assert placeholder in sparql, f"{name}.rq has no {placeholder}"
        sparql = sparql.replace(placeholder, f"VALUES ?{var} {{ {row} }}", 1)
    return sparql


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
