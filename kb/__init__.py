"""event-kb: an event knowledge base over RDF and SPARQL.

``KB`` is the API; ``kb`` on the command line is a thin layer over it. ``KB`` is imported
on first use, so ``import kb.errors`` (or ``loaders``) does not pull in the whole package.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from kb.errors import InputError, KBError, ParameterError, QueryError, StoreError, UnknownQuery

if TYPE_CHECKING:
    from kb.knowledgebase import KB, default_store_path

try:
    __version__ = version("event-kb")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "KB",
    "InputError",
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
        from kb import knowledgebase

        return getattr(knowledgebase, name)
    raise AttributeError(f"module 'kb' has no attribute {name!r}")
