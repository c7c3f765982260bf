"""Canned-query parameters: a value a user types, resolved to the one RDF term it names.

An entity parameter takes an English or Korean label, an alias, an id (``naver-cloud``) or
an IRI, found through the ``ek:lookupKey`` index (``kb.names.normalise`` on both sides); a
name that fits several entities is an error listing them. The bound terms are written into
the query text (``kb.sparql.text.substitute``), so a value can never change the query.
"""

from __future__ import annotations

from typing import Any, Protocol

from pyoxigraph import Literal, NamedNode, QuerySolutions, Variable

from kb.errors import ParameterError, a_or_an
from kb.names import normalise
from kb.namespaces import EK, EKR, XSD, compact
from kb.sparql.catalogue import CannedQuery, internal_query


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
    bound: dict[str, Any] = {"lang": Literal(lang)}
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


def resolve(store: NameIndex, name: str, cls: str = "Entity", *, param: str = "name") -> NamedNode:
    """The one entity of class ``cls`` (an ``ek:`` local name) called ``name``."""
    if name.startswith(("http://", "https://")):
        try:
            return NamedNode(name)
        except ValueError as err:  # a space, '>', a newline: never reaches the query
            raise ParameterError(f"--{param}: {name!r} is not an IRI ({err})") from None
    key = normalise(name)
    if not key:
        raise ParameterError(f"--{param}: {name!r} is not a name")
    result = store.query(internal_query("resolve"), {Variable("key"): Literal(key)})
    assert isinstance(result, QuerySolutions)
    candidates = {row["entity"].value: row["label"] for row in result}
    if not candidates:
        raise ParameterError(f"--{param}: nothing in the KB is called {name!r}")
    if cls != "Entity":
        types = store.types_of(sorted(candidates), None)
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
