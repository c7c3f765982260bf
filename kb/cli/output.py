"""How commands print answers: one place, so every command takes the same ``--format``.

``--format`` takes ``table`` or any name ``kb.formats`` knows (our short names, the Oxigraph
CLI's extensions and media types); whether it suits the answer (a results format for
SELECT/ASK, an RDF format for graphs) is known once the query has run.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from typing import Any

import click

from kb.cli.context import user_errors
from kb.formats import RDF_FORMATS, RESULTS_FORMATS, TABLE, rdf_format, results_format

FORMAT_HELP = (
    f"{TABLE}, {', '.join(RESULTS_FORMATS)} for SELECT/ASK (default table); "
    f"{', '.join(RDF_FORMATS)} for CONSTRUCT/DESCRIBE (default turtle); also a file "
    "extension or media type."
)


output_option = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write to a file instead of standard output.",
)
"""``-o FILE``, shared by the commands that write a file (export, graph)."""


class FormatName(click.ParamType):
    """A format name that ``kb.formats`` (or ``table``) knows; checked before any work."""

    name = "format"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        if text == TABLE or results_format(text) or rdf_format(text):
            return text
        names = ", ".join([TABLE, *RESULTS_FORMATS, *RDF_FORMATS])
        self.fail(f"unknown format {text!r}; choose one of {names}", param, ctx)


OUTPUT_OPTION = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the answer to a file instead of standard output.",
)


def print_result(result: Any, fmt: str | None, output: str | None = None) -> None:
    """Write a ``Result`` in ``fmt`` (table or Turtle by default) to standard output, where a
    table fits the terminal (``terminal_width``), or to the file ``output`` (opened on the
    first write: an answer refused leaves no file)."""
    width = None if output else terminal_width()
    with user_errors(), click.open_file(output or "-", "wb", lazy=True) as out:
        result.write(out, fmt or TABLE, width=width)


def terminal_width() -> int | None:
    """How wide a table may be: ``$COLUMNS`` if set, else the terminal's width when
    standard output is one; ``None`` (no limit) when it goes to a file or a pipe."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        if sys.stdout.isatty():
            return os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError):  # no descriptor (a test's captured output)
        pass
    return None


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Let Ctrl-C end the process at once while an answer is computed and printed.

    pyoxigraph evaluates and writes whole answers (CSV, JSON, an aggregate) in single calls
    that hold the interpreter, so Python's KeyboardInterrupt would wait for them; nothing is
    written to the store meanwhile, so SIGINT is left to end the process.
    """
    previous = signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
