"""``kb query`` and ``kb queries``: ad-hoc SPARQL, and the list of canned questions
(``kb ask`` is ``kb.cli.ask``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kb.cli.context import Context, user_errors
from kb.cli.output import FORMAT_HELP, OUTPUT_OPTION, FormatName, print_result


def read_sparql(text: str | None, path: str | None, what: str) -> str:
    """The SPARQL text of ``kb query`` or ``kb update``: the argument, ``-f FILE`` (``-``:
    standard input), or standard input for an argument of ``-``. Not UTF-8 is one line."""
    if path is None and text not in (None, "-"):
        assert text is not None
        return text
    if path is None and text is None and sys.stdin.isatty():
        raise click.UsageError(f"give {what}, -f FILE, or '-' to read standard input")
    name = "<stdin>" if path in (None, "-") else path
    try:
        data = sys.stdin.buffer.read() if name == "<stdin>" else Path(name).read_bytes()
    except OSError as err:
        raise click.ClickException(f"{name}: cannot read: {err.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        byte = data[err.start]
        raise click.ClickException(
            f"{name}:{line}: not UTF-8: byte 0x{byte:02x} cannot be decoded"
        ) from None


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
@click.pass_obj
def query(
    obj: Context, sparql: str | None, path: str | None, fmt: str | None, output: str | None
) -> None:
    """Run a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) over the whole KB.

    SPARQL is the query text, or '-' to read it from standard input. The prefixes ek:,
    ekr:, eka:, ekg:, rdf:, rdfs:, xsd:, owl:, skos:, schema:, org:, foaf:, prov:, sem:,
    wd:, wdt: are predeclared.
    """
    text = read_sparql(sparql, path, "a query")
    with user_errors():
        result = obj.kb.query(text)
    print_result(result, fmt, output)


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
