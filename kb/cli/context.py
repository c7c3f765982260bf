"""What every command shares: the store the group opened, and library errors as one line.

The group puts a ``Context`` on ``ctx.obj``; commands take it with ``@click.pass_obj`` and
open the KB on first use, so ``kb queries`` or ``kb --help`` never touch a store.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from kb.errors import KBError

if TYPE_CHECKING:
    from kb.api import KB


class Context:
    """Where the store is (``--store``), opened on first use."""

    def __init__(self, store: str | None) -> None:
        self.store = store
        self.wait = 0.0  # seconds to wait for another process's hold on the store
        self._kb: KB | None = None

    @property
    def location(self) -> str:
        """Where the store is: ``--store``, ``$KB_STORE``, or the per-user default."""
        if self.store:
            return self.store
        from kb.api import default_store_path

        return str(default_store_path())

    @property
    def kb(self) -> KB:
        if self._kb is None:
            from kb.api import KB

            self._kb = KB(self.location, wait=self.wait)
        return self._kb

    @property
    def reader(self) -> KB:
        """The KB opened to read only: nothing is written, no store is made."""
        if self._kb is None:
            from kb.api import KB, default_store_path

            self._kb = KB(self.store or default_store_path(), writable=False)
        return self._kb

    @property
    def in_memory(self) -> bool:
        """``--store :memory:``: whatever a command writes is gone when it exits."""
        from kb.store.backend import MEMORY

        return self.store == MEMORY

    def close(self) -> None:
        if self._kb is not None:
            self._kb.close()


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn library errors into click's one-line ``Error: ...`` with exit code 1."""
    try:
        yield
    except KBError as err:
        raise click.ClickException(str(err)) from None
