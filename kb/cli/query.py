"""``kb query``, ``kb update`` and ``kb queries``: ad-hoc SPARQL, and the list of canned
questions (``kb ask`` is ``kb.cli.ask``).

``--timeout`` evaluates in a child process (``kb.workers``, as ``kb serve`` does) that is
killed at the deadline; Ctrl-C stops a query at once in every format (``interruptible``).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from typing import Any

import click

from kb.cli.context import Context, user_errors
from kb.cli.output import FORMAT_HELP, OUTPUT_OPTION, FormatName, interruptible, print_result


def read_sparql(text: str | None, path: str | None, what: str) -> str:
    """The SPARQL text of ``kb query`` or ``kb update``: the argument, ``-f FILE`` (``-``:
    standard input), or standard input for an argument of ``-``; a file is read as
    ``kb load`` reads one (``loaders.source``: regular files only, a size limit, UTF-8)."""
    if path is None and text not in (None, "-"):
        assert text is not None
        return text
    if path is None and text is None and sys.stdin.isatty():
        raise click.UsageError(f"give {what}, -f FILE, or '-' to read standard input")
    from loaders.source import read_text

    with user_errors():
        return read_text(path if path is not None else "-")


FILE_OPTION = click.option(
    "-f",
    "--file",
    "path",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Read it from a file ('-' for standard input).",
)


@click.command()
@click.argument("sparql", required=False)
@FILE_OPTION
@click.option("--format", "fmt", type=FormatName(), help=FORMAT_HELP)
@OUTPUT_OPTION
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.01),
    metavar="SECONDS",
    help="Stop the query after this long (it runs in a process of its own); default: none.",
)
@click.pass_obj
def query(
    obj: Context,
    sparql: str | None,
    path: str | None,
    fmt: str | None,
    output: str | None,
    timeout: float | None,
) -> None:
    """Run a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) over the whole KB.

    SPARQL is the query text, or '-' to read it from standard input. The prefixes ek:,
    ekr:, eka:, ekg:, rdf:, rdfs:, xsd:, owl:, skos:, schema:, org:, foaf:, prov:, sem:,
    wd:, wdt: are predeclared.
    """
    text = read_sparql(sparql, path, "a query")
    if timeout is not None:
        _contained(obj, text, fmt, output, timeout)
        return
    with user_errors():  # a store another process holds too long: one line
        kb = obj.kb
    with interruptible(), user_errors():
        print_result(kb.query(text), fmt, output)


def _contained(
    obj: Context, sparql: str, fmt: str | None, output: str | None, timeout: float
) -> None:
    """``kb query --timeout``: the query in a worker process, killed past the deadline; the
    answer it wrote to a file is copied out only when it is whole."""
    import time

    from kb.workers import Crashed, Opener, Overrun, Worker

    with tempfile.NamedTemporaryFile(prefix="kb-query-") as answer, user_errors():
        worker = Worker(Opener(obj.location, wait=obj.wait))
        try:
            worker.wait_ready(time.monotonic() + 600)
            worker.call(write_answer, sparql, fmt, answer.name, deadline=time.monotonic() + timeout)
        except Overrun:
            raise click.ClickException(
                f"the query did not finish within {timeout:g} s (--timeout) and was stopped"
            ) from None
        except Crashed as err:
            raise click.ClickException(f"the query stopped its process: {err}") from None
        except KeyboardInterrupt:
            worker.kill()
            raise
        worker.close()
        with open(answer.name, "rb") as written, click.open_file(output or "-", "wb") as out:
            shutil.copyfileobj(written, out)


def write_answer(kb: Any, sparql: str, fmt: str | None, path: str) -> None:
    """In the worker: evaluate and write the answer to ``path`` as ``kb query`` prints it."""
    from kb.formats import TABLE

    with open(path, "wb") as out:
        kb.query(sparql).write(out, fmt or TABLE)


@click.command()
@click.argument("sparql", required=False)
@FILE_OPTION
@click.pass_obj
def update(obj: Context, sparql: str | None, path: str | None) -> None:
    """Run a SPARQL Update (INSERT DATA, DELETE WHERE, ...) on the KB, all or nothing.

    The same path as `kb serve --allow-update`'s /update: the entity graph and the derived
    graph are rebuilt after it. SPARQL is the update text, or '-' for standard input.
    """
    text = read_sparql(sparql, path, "an update")
    with user_errors():
        obj.kb.update(text)
    click.echo("updated", err=True)


@click.command("queries")
@click.option("--verbose", "-v", is_flag=True, help="Show descriptions and examples too.")
def list_queries(verbose: bool) -> None:
    """List the canned queries with their parameters."""
    from kb.sparql.catalogue import canned_queries

    for canned in canned_queries().values():
        params = " ".join(
            f"[--{p.name} {p.type.upper()}]" if not p.required else f"--{p.name} {p.type.upper()}"
            for p in canned.parameters
        )
        click.echo(f"{canned.name} {params}".rstrip())
        click.echo(f"    {canned.title}")
        if verbose:
            click.echo(f"    {canned.description}")
            for p in canned.parameters:
                default = f" (default: {p.default})" if p.default else ""
                click.echo(f"      --{p.name}: {p.description}{default}")
            if canned.example:
                click.echo(f"    e.g. {canned.example}")
