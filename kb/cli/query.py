"""``kb query``, ``kb ask`` and ``kb queries``: ad-hoc SPARQL and the canned questions."""

from __future__ import annotations

import sys

import click

from kb.cli.context import Context, user_errors
from kb.cli.output import FORMAT_HELP, FormatName, print_result


@click.command()
@click.argument("sparql", required=False)
@click.option(
    "-f",
    "--file",
    "path",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Read the query from a file ('-' for standard input).",
)
@click.option("--format", "fmt", type=FormatName(), help=FORMAT_HELP)
@click.pass_obj
def query(obj: Context, sparql: str | None, path: str | None, fmt: str | None) -> None:
    """Run a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) over the whole KB.

    SPARQL is the query text, or '-' to read it from standard input. The prefixes ek:,
    ekr:, eka:, ekg:, rdf:, rdfs:, xsd:, owl:, skos:, schema:, org:, foaf:, prov:, sem:,
    wd:, wdt: are predeclared.
    """
    if path is not None:
        from loaders.source import read_text

        with user_errors():
            sparql = read_text(path)
    elif sparql == "-" or sparql is None:
        if sparql is None and sys.stdin.isatty():
            raise click.UsageError("give a query, -f FILE, or '-' to read standard input")
        sparql = sys.stdin.read()
    with user_errors():
        result = obj.kb.query(sparql)
    print_result(result, fmt)


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
    with user_errors():
        result = ctx.obj.kb.ask(name, params, lang=lang)
    print_result(result, fmt)


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
