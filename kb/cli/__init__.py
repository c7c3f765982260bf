"""``kb``: the command line. Each command opens the KB, calls one ``KB`` method, prints.

One module per family of commands: ``ask`` (the canned queries), ``query`` (query,
update, queries), ``load`` (load, validate, drop), ``store`` (export, stats), and, imported
only when they run, ``serve``, ``wikidata`` (link, enrich), ``check``, ``draft``, ``search``
and ``graph``, so that ``kb ask`` does not pay for the server, the Wikidata client, rdflib or
the Korean model.

Exit codes: 0 success; 1 a user error (bad file, bad query, unknown entity), printed as
one ``Error: ...`` line; 2 a usage error (unknown option or command). A traceback means a
bug in event-kb.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from kb.cli.ask import ask
from kb.cli.context import Context
from kb.cli.load import drop, load, validate
from kb.cli.query import list_queries, query, update
from kb.cli.store import export, stats

LAZY_COMMANDS = {
    # name: "module:attribute", imported only when that command runs
    "serve": "kb.cli.serve:serve",
    "link": "kb.cli.wikidata:link",
    "enrich": "kb.cli.wikidata:enrich",
    "check": "kb.cli.check:check",
    "draft": "kb.cli.draft:draft",
    "search": "kb.cli.search:search",
    "graph": "kb.cli.graph:graph",
}


class LazyGroup(click.Group):
    """A group whose heavier commands live in modules imported on use (LAZY_COMMANDS)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS:
            module, _, attr = LAZY_COMMANDS[cmd_name].partition(":")
            command: click.Command = getattr(importlib.import_module(module), attr)
            return command
        return super().get_command(ctx, cmd_name)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``: the installed version, read only when asked for (the metadata
    lookup costs every other command's start-up 50 ms)."""
    if not value or ctx.resilient_parsing:
        return
    from kb import __version__

    click.echo(f"kb, version {__version__}")
    ctx.exit()


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
@click.option(
    "--store",
    envvar="KB_STORE",
    metavar="PATH|URL",
    help="Store to use: a directory (embedded, created if missing), ':memory:', or "
    "the URL of a SPARQL 1.1 server. Default: $KB_STORE, else "
    "~/.local/share/event-kb/store.",
)
@click.pass_context
def cli(ctx: click.Context, store: str | None) -> None:
    """event-kb: facts from news articles about the AI industry, in RDF, asked with SPARQL.

    A store that was never loaded answers from the bundled seed article.

    \b
    Start with:
      kb ask partners-expanding --org NVIDIA --region "Middle East"
      kb queries
    """
    state = Context(store)
    ctx.obj = state
    ctx.call_on_close(state.close)


for command in (ask, query, update, list_queries, load, validate, drop, export, stats):
    cli.add_command(command)


def main(args: Any = None) -> None:
    """Entry point of the ``kb`` script."""
    cli(args, prog_name="kb", auto_envvar_prefix=None)
