"""``kb query``, ``kb ask`` and ``kb queries``: ad-hoc SPARQL and the canned questions.

Ctrl-C stops a query at once in every format: pyoxigraph evaluates and writes whole answers
(CSV, JSON, an aggregate) in single calls that hold the interpreter, so Python's
KeyboardInterrupt would wait for them; while the answer is computed and printed, SIGINT
is left to end the process (nothing is being written to the store then). ``--timeout``
evaluates in a child process (``kb.workers``, as ``kb serve`` does) that is killed at the
deadline.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

import click

from kb.cli.context import Context, user_errors
from kb.cli.output import FORMAT_HELP, FormatName, print_result


@click.command()
@click.argument("sparql", required=False)
@click.option(
    "-f",
    "--file",
    "path",
    type=click.File("r", encoding="utf-8"),
    help="Read the query from a file ('-' for standard input).",
)
@click.option("--format", "fmt", type=FormatName(), help=FORMAT_HELP)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.01),
    metavar="SECONDS",
    help="Stop the query after this long (it runs in a process of its own); default: none.",
)
@click.pass_obj
def query(
    obj: Context, sparql: str | None, path: Any, fmt: str | None, timeout: float | None
) -> None:
    """Run a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) over the whole KB.

    SPARQL is the query text, or '-' to read it from standard input. The prefixes ek:,
    ekr:, eka:, ekg:, rdf:, rdfs:, xsd:, owl:, skos:, schema:, org:, foaf:, prov:, sem:,
    wd:, wdt: are predeclared.
    """
    if path is not None:
        sparql = path.read()
    elif sparql == "-" or sparql is None:
        if sparql is None and sys.stdin.isatty():
            raise click.UsageError("give a query, -f FILE, or '-' to read standard input")
        sparql = sys.stdin.read()
    assert sparql is not None
    if timeout is not None:
        _contained(obj, sparql, fmt, timeout)
        return
    kb = obj.kb
    with interruptible(), user_errors():
        print_result(kb.query(sparql), fmt)


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Let Ctrl-C end the process at once while an answer is computed and printed."""
    previous = signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _contained(obj: Context, sparql: str, fmt: str | None, timeout: float) -> None:
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
        with open(answer.name, "rb") as written:
            shutil.copyfileobj(written, sys.stdout.buffer)
        sys.stdout.flush()


def write_answer(kb: Any, sparql: str, fmt: str | None, path: str) -> None:
    """In the worker: evaluate and write the answer to ``path`` as ``kb query`` prints it."""
    from kb.formats import TABLE

    with open(path, "wb") as out:
        kb.query(sparql).write(out, fmt or TABLE)


class AskCommand(click.Command):
    """``kb ask NAME --param value``: the options depend on NAME, so parse them ourselves."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        params: dict[str, str] = {}
        rest: list[str] = []
        i = 0
        while i < len(args):
            arg = args[i]
            key, eq, value = arg[2:].partition("=")
            if arg.startswith("--") and key not in ("format", "lang", "help"):
                if not eq:
                    if i + 1 >= len(args):
                        raise click.UsageError(f"--{key} needs a value", ctx)
                    value = args[i + 1]
                    i += 1
                params[key.replace("-", "_")] = value
            else:
                rest.append(arg)
            i += 1
        ctx.meta["ask_params"] = params
        return super().parse_args(ctx, rest)


@click.command(cls=AskCommand, context_settings={"ignore_unknown_options": False})
@click.argument("name")
@click.option("--format", "fmt", type=FormatName(), help="As for `kb query`.")
@click.option(
    "--lang",
    default="en",
    show_default=True,
    metavar="TAG",
    help="Language of the names in the answer (en, ko, ...; English where missing).",
)
@click.pass_context
def ask(ctx: click.Context, name: str, fmt: str | None, lang: str) -> None:
    """Run canned query NAME with its parameters: kb ask NAME --PARAM VALUE ...

    Entity parameters take an English or Korean name, an alias, or an id.
    `kb queries` lists the queries and their parameters.
    """
    params = ctx.meta.get("ask_params", {})
    kb = ctx.obj.kb
    with interruptible(), user_errors():
        print_result(kb.ask(name, params, lang=lang), fmt)


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
