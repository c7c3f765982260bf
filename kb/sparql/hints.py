""" "Did you mean": the names closest to one the KB does not know.

``did_you_mean`` is the one place hints come from, for every name a user types
(``kb ask``'s parameters; the loaders' unknown ids can call it too). It draws on every
label, alias and id in the KB, through their lookup keys (``kb.names.normalise``), so case,
spaces and punctuation do not count: a key that starts with or contains what was typed
(``Nav`` → Naver, Naver Cloud), then keys spelt alike (``naver-clod`` → Naver Cloud). It
reads every key, which is fine for an error (a fraction of a second at 1M quads); a search
index can take its place behind the same function.
"""

from __future__ import annotations

from typing import Any, Protocol

from pyoxigraph import NamedNode

from kb.names import normalise
from kb.namespaces import EK, compact
from kb.sparql.catalogue import internal_query, values_query

MAX_HINTS = 3
CUTOFF = 0.75
"""How alike a misspelling must be (difflib's ratio of the lookup keys)."""


class KeyIndex(Protocol):
    """What hints need from a store (``kb.store.backend.Backend`` has it)."""

    def query(self, sparql: str, substitutions: dict[Any, Any] | None = None) -> Any: ...

    def types_of(self, iris: list[str], exclude_graph: str | None) -> dict[str, set[str]]: ...


def did_you_mean(store: KeyIndex, name: str, cls: str = "Entity") -> str:
    """``"; did you mean Naver (ekr:naver) or Naver Cloud (ekr:naver-cloud)?"`` for a name
    the KB does not know (entities of class ``cls`` only), or ``""`` when nothing is close."""
    found = suggestions(store, name, cls)
    if not found:
        return ""
    shown = [f"{label} ({compact(iri)})" if label else compact(iri) for iri, label in found]
    listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]
    return f"; did you mean {listed}?"


def suggestions(store: KeyIndex, name: str, cls: str = "Entity") -> list[tuple[str, str]]:
    """Up to ``MAX_HINTS`` entities (IRI, English name) whose names are closest to ``name``."""
    import difflib  # only when a name is not found: not at `kb ask`'s start

    typed = normalise(name)
    if not typed:
        return []
    keys: dict[str, set[str]] = {}
    for row in store.query(internal_query("lookup-keys")):
        keys.setdefault(row["key"].value, set()).add(row["entity"].value)
    ranked = sorted(
        (k for k in keys if typed in k), key=lambda k: (not k.startswith(typed), len(k), k)
    )
    close = difflib.get_close_matches(typed, list(keys), n=MAX_HINTS * 4, cutoff=CUTOFF)
    entities: list[str] = []
    for key in ranked[: MAX_HINTS * 4] + close:
        for iri in sorted(keys[key]):
            if iri not in entities:
                entities.append(iri)
    if cls != "Entity":
        types = store.types_of(entities, None)
        entities = [iri for iri in entities if EK + cls in types.get(iri, set())]
    entities = entities[:MAX_HINTS]
    if not entities:
        return []
    rows = store.query(values_query("display-names-of", "node", [NamedNode(i) for i in entities]))
    names = {row["node"].value: row["name"].value for row in rows}
    return [(iri, names.get(iri, "")) for iri in entities]
