"""The errors of ``kb draft``: a user error, printed as one line by the CLI."""

from __future__ import annotations

from kb.errors import InputError


class DraftError(InputError):
    """An article that cannot be drafted: empty, binary, a page without an article, no
    publication date. Says which file."""


class MissingExtra(DraftError):
    """kiwipiepy or trafilatura is not installed (the ``draft`` extra)."""

    def __init__(self, package: str) -> None:
        super().__init__(
            f"kb draft needs {package}: pip install 'event-kb[draft]'", path="kb draft"
        )

    def __str__(self) -> str:
        return self.message
