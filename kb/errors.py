"""Errors a user can cause, by meaning. The CLI prints them as one line and exits 1.

Anything else that escapes is a bug and keeps its traceback.
"""

from __future__ import annotations


def a_or_an(noun: str) -> str:
    """ "an Organization", "a Person": error messages read as sentences."""
    return ("an " if noun[:1] in "AEIOUaeiou" else "a ") + noun


class KBError(Exception):
    """Base class of every user-facing error of event-kb."""


class InputError(KBError):
    """A file that cannot be loaded: says which file, which line and which field."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.field = field
        super().__init__(str(self))

    def __reduce__(self) -> tuple[object, ...]:  # keyword-only fields survive pickling
        return (type(self), (self.message,), self.__dict__)

    def __str__(self) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class IntegrityError(InputError):
    """A write refused because it would leave a reference to an entity no article defines
    any more (or a fact owned by two articles); says what and where."""

    def __str__(self) -> str:
        return super().__str__() if self.path else self.message


class QueryError(KBError):
    """A SPARQL query that does not parse or cannot run; names the position when known."""


class EvaluationError(KBError):
    """A query that parsed but failed while it ran (an unbound ``SERVICE`` variable, a
    remote endpoint that does not answer): the engine's reason, on one line."""


class UnknownQuery(KBError):
    """`kb ask NAME` with a NAME that is not a canned query."""


class ParameterError(KBError):
    """A canned-query parameter that is missing, unknown, or names no single entity."""


class StoreError(KBError):
    """The store cannot be opened or written (locked by another process, bad path, server down)."""
