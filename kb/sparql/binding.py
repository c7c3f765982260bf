"""Canned-query parameters: a value a user types, resolved to the one RDF term it names.

An entity parameter takes a label or an alias in any language, an id (``naver-cloud``), a
prefixed name (``ekr:naver-cloud``, the form answers print) or an IRI, found through the
``ek:lookupKey`` index (``kb.names.normalise`` on both sides); a name that fits several
entities is an error listing them, one that fits none an error with the closest names the KB
has (``kb.sparql.hints``). The language asked (``--lang``) is one the KB answers in
(``kb.store.display``) and picks the display predicates the queries read names with. The
bound terms are written into the query text (``kb.sparql.text.substitute``), so a value can
never change the query.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from pyoxigraph import Literal, NamedNode, QuerySolutions, Variable

from kb.errors import ParameterError, a_or_an
from kb.names import normalise
from kb.namespaces import DISPLAY_KINDS, EK, EKR, PREFIXES, XSD, compact, display_predicate
from kb.sparql.catalogue import CannedQuery, internal_query
from kb.sparql.hints import did_you_mean

LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
"""A BCP 47 language tag, as SPARQL's LANGTAG has it (``en``, ``ko``, ``zh-Hant``)."""
DEFAULT_LANGUAGE = "en"
PREFIXED = re.compile(r"(?P<prefix>[A-Za-z][A-Za-z0-9_-]*):(?P<local>[^\s<>\"{}|^`\\]+)")


class NameIndex(Protocol):
    """What resolving a name needs from a store (``kb.store.backend.Backend`` has it)."""

    def query(self, sparql: str, substitutions: dict[Any, Any] | None = None) -> Any: ...

    def types_of(self, iris: list[str], exclude_graph: str | None) -> dict[str, set[str]]: ...


def bind(
    store: NameIndex, canned: CannedQuery, params: dict[str, str], *, lang: str = "en"
) -> dict[str, Any]:
    """Resolve parameter values to RDF terms for ``canned``; defaults fill what is left out,
    and an optional parameter left out is ``ek:Any`` (the query reads it as "no limit")."""
    declared = {p.name: p for p in canned.parameters}
    for key in params:
        if key not in declared:
            names = ", ".join(f"--{p}" for p in declared) or "none"
            raise ParameterError(f"{canned.name}: unknown parameter --{key} (takes {names})")
    bound = language_terms(store, lang)
    for param in canned.parameters:
        value = params.get(param.name)
        if value is None:
            value = param.default
        if value is None:
            if param.required:
                raise ParameterError(f"{canned.name}: --{param.name} is required")
            bound[param.name] = NamedNode(EK + "Any")
            continue
        if param.type == "string":
            bound[param.name] = Literal(value)
        elif param.type == "integer":
            if not value.lstrip("-").isdigit():
                raise ParameterError(f"--{param.name}: not an integer: {value!r}")
            bound[param.name] = Literal(value, datatype=NamedNode(XSD + "integer"))
        else:
            bound[param.name] = resolve(store, value, param.type, param=param.name)
    return bound


def language_terms(store: NameIndex, lang: str) -> dict[str, Any]:
    """``$lang`` and the display predicates of the language asked (``$displayName``, ...)."""
    shown = answer_language(store, lang)
    terms: dict[str, Any] = {"lang": Literal(shown)}
    for kind in DISPLAY_KINDS:
        terms[f"display{kind}"] = NamedNode(display_predicate(kind, shown))
    return terms


def answer_language(store: NameIndex, lang: str) -> str:
    """The language the KB answers ``lang`` in: ``lang`` itself, or the longest of its
    prefixes the KB has (``ko`` for ``ko-KR``, as RFC 4647 lookup does); English needs no
    look-up, as every resource has an English display name."""
    tag = lang.strip().lower()
    if not LANGUAGE_TAG.fullmatch(tag):
        raise ParameterError(f"--lang: {lang!r} is not a language tag (BCP 47: en, ko, th, ...)")
    if tag == DEFAULT_LANGUAGE:
        return tag
    known = languages(store)
    wanted = tag
    while wanted:
        if wanted in known:
            return wanted
        wanted = wanted.rpartition("-")[0]
    raise ParameterError(
        f"--lang: the KB has no names in {lang!r}; it answers in {', '.join(known)}"
    )


def languages(store: NameIndex) -> list[str]:
    """The languages the KB answers in: English and every language an article uses (for
    its quotes, or a name or headline it gives), as ``ekg:derived`` lists them."""
    rows = store.query(internal_query("display-languages"))
    return sorted({row["language"].value for row in rows} | {DEFAULT_LANGUAGE})


def resolve(store: NameIndex, name: str, cls: str = "Entity", *, param: str = "name") -> NamedNode:
    """The one entity of class ``cls`` (an ``ek:`` local name) called ``name``: a label or
    alias in any language, an id, a prefixed name of the project's prefixes, or an IRI."""
    candidates = _candidates(store, name, param)
    spelt = _iri(name)
    if not candidates:
        typed = spelt.rsplit("/", 1)[-1].rsplit("#", 1)[-1] if spelt else name
        hint = did_you_mean(store, typed, cls)
        raise ParameterError(f"--{param}: nothing in the KB is called {name!r}{hint}")
    if cls != "Entity":
        types = store.types_of(sorted(candidates), None)
        matching = {
            iri: label for iri, label in candidates.items() if EK + cls in types.get(iri, set())
        }
        if not matching:
            what = ", ".join(sorted(compact(i) for i in candidates))
            called = name if spelt in candidates else f"{name!r} ({what})"
            raise ParameterError(f"--{param}: {called} is not {a_or_an(cls)}")
        candidates = matching
    if spelt in candidates:  # an id or IRI wins over names that normalise alike
        return NamedNode(spelt)
    if EKR + name in candidates:
        return NamedNode(EKR + name)
    if len(candidates) > 1:
        listed = "; ".join(
            f"{compact(iri)} ({label.value})" if label is not None else compact(iri)
            for iri, label in sorted(candidates.items(), key=lambda kv: kv[0])
        )
        raise ParameterError(f"--{param}: {name!r} is ambiguous: {listed}; give an id")
    return NamedNode(next(iter(candidates)))


def _candidates(store: NameIndex, name: str, param: str) -> dict[str, Any]:
    """IRI → English label of every entity ``name`` may mean: the IRI it spells, if the KB
    knows it, and every entity with a label, alias or id that normalises like it."""
    iri = _iri(name)
    if iri is not None:
        try:
            node = NamedNode(iri)
        except ValueError as err:  # a space, '>', a newline: never reaches the query
            raise ParameterError(f"--{param}: {name!r} is not an IRI ({err})") from None
        if store.types_of([node.value], None):
            return {node.value: None}
        if name.startswith(("http://", "https://")):
            return {}
    key = normalise(name)
    if not key:
        raise ParameterError(f"--{param}: {name!r} is not a name")
    result = store.query(internal_query("resolve"), {Variable("key"): Literal(key)})
    assert isinstance(result, QuerySolutions)
    return {row["entity"].value: row["label"] for row in result}


def _iri(name: str) -> str | None:
    """The IRI ``name`` spells: itself if it starts with ``http(s)://``, the expansion of a
    prefixed name with one of the project's prefixes (``ekr:naver``), else None."""
    if name.startswith(("http://", "https://")):
        return name
    prefixed = PREFIXED.fullmatch(name)
    if prefixed and prefixed["prefix"] in PREFIXES:
        return PREFIXES[prefixed["prefix"]] + prefixed["local"]
    return None
