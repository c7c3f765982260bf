"""event-kb: an event knowledge base over RDF and SPARQL.

``KB`` is the API; ``kb`` on the command line is a thin layer over it. ``KB`` is imported
on first use, so ``import kb.errors`` (or ``loaders``) does not pull in the whole package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kb.errors import (
    InputError,
    IntegrityError,
    KBError,
    ParameterError,
    QueryError,
    StoreError,
    UnknownQuery,
)

if TYPE_CHECKING:
    from kb.api import KB, default_store_path

__all__ = [
    "KB",
    "InputError",
    "IntegrityError",
    "KBError",
    "ParameterError",
    "QueryError",
    "StoreError",
    "UnknownQuery",
    "__version__",
    "default_store_path",
]


def __getattr__(name: str) -> Any:
    if name in ("KB", "default_store_path"):
        from kb import api

        return getattr(api, name)
    if name == "__version__":  # importlib.metadata costs a query's start-up 50 ms
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("event-kb")
        except PackageNotFoundError:  # a source tree that was never installed
            return "0+unknown"
    raise AttributeError(f"module 'kb' has no attribute {name!r}")
