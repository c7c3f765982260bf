"""``kb``: the command line. Each command opens the KB, calls one ``KB`` method, prints.

Exit codes: 0 success; 1 a user error (bad file, bad query, unknown entity), printed as
one ``Error: ...`` line; 2 a usage error (unknown option or command). A traceback means a
bug in event-kb.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from kb.errors import KBError

FORMAT_CHOICES = ("table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "jsonld", "trig")


class Context:
    """What the group passes to its commands: where the store is, opened on first use."""

    def __init__(self, store: str | None) -> None:
        self.store = store
        self.wait = 0.0  # seconds to wait for another process's hold on the store
        self._kb: Any = None

    @property
    def kb(self) -> Any:
        if self._kb is None:
            from kb.knowledgebase import KB, default_store_path

            self._kb = KB(self.store or default_store_path(), wait=self.wait)
        return self._kb

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


def _version() -> str:
    from kb import __version__

    return __version__


LAZY_COMMANDS = {
    # name: "module:attribute". Imported only when that command runs, so `kb ask` does not
    # pay for the server, the Wikidata client or rdflib.
    "serve": "kb.serve_cli:serve",
    "link": "kb.link_cli:link",
    "enrich": "kb.link_cli:enrich",
    "check": "kb.check_cli:check",
}


class LazyGroup(click.Group):
    """A group whose heavier commands live in their own modules (see LAZY_COMMANDS)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._available()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self._available():
            module, _, attr = LAZY_COMMANDS[cmd_name].partition(":")
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, cmd_name)

    @staticmethod
    def _available() -> list[str]:
        return [
            n
            for n, t in LAZY_COMMANDS.items()
            if importlib.util.find_spec(t.partition(":")[0]) is not None
        ]


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(_version(), "--version", prog_name="kb")
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


def _progress(paths: tuple[str, ...]) -> tuple[Callable[[str], None] | None, Any]:
    """A progress bar on a terminal (several files), nothing when piped."""
    if len(paths) < 2 or not sys.stderr.isatty():
        return None, None
    bar = click.progressbar(length=len(paths), label="validating", file=sys.stderr)
    bar.__enter__()
    return (lambda _path: bar.update(1)), bar


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--graph",
    metavar="IRI",
    help="Named graph for triples in RDF files that describe no single ek:Article.",
)
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=10.0,
    show_default=True,
    metavar="SECONDS",
    help="If another kb process holds the store, wait this long for it before failing.",
)
@click.option(
    "--verbose", "-v", is_flag=True, help="Say on stderr as each phase begins: plan, write, derive."
)
@click.pass_obj
def load(
    obj: Context, files: tuple[str, ...], graph: str | None, wait: float, verbose: bool
) -> None:
    """Validate FILES, then load them all at once.

    FILES are fact files (.yaml) or RDF (.ttl .trig .nt .nq .jsonld). If any file has an
    error, nothing is loaded and the store is unchanged. Loading an article again
    replaces its named graph. A load killed half-way leaves the store as it was.
    """
    obj.wait = wait

    def phase(name: str, detail: str) -> None:
        click.echo(f"{name}: {detail}", err=True)  # echo flushes: the line is out first

    with user_errors():
        progress, bar = _progress(files)
        try:
            plans = obj.kb.load(
                list(files), graph=graph, progress=progress, phase=phase if verbose else None
            )
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
    for plan in plans:
        graphs = ", ".join(f"<{g}>" for g in plan.graphs)
        click.echo(f"{plan.path}: {plan.quad_count} quads into {graphs}", err=True)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--graph", metavar="IRI", help="As for `kb load`.")
@click.pass_obj
def validate(obj: Context, files: tuple[str, ...], graph: str | None) -> None:
    """Check FILES the way `kb load` does, without writing anything."""
    with user_errors():
        plans = obj.kb.plan(list(files), graph=graph)
    for plan in plans:
        click.echo(f"{plan.path}: ok ({plan.quad_count} quads)")


def _write(result: Any, fmt: str | None) -> None:
    out = sys.stdout.buffer
    with user_errors():
        result.write(out, fmt or ("table" if result.kind != "graph" else "turtle"))
    out.flush()


@cli.command()
@click.argument("sparql", required=False)
@click.option(
    "-f",
    "--file",
    "path",
    type=click.File("r", encoding="utf-8"),
    help="Read the query from a file ('-' for standard input).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMAT_CHOICES),
    help="table, csv, tsv, json, xml for SELECT/ASK (default table); turtle, "
    "ntriples, jsonld, trig for CONSTRUCT/DESCRIBE (default turtle).",
)
@click.pass_obj
def query(obj: Context, sparql: str | None, path: Any, fmt: str | None) -> None:
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
    with user_errors():
        result = obj.kb.query(sparql)
    _write(result, fmt)


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


@cli.command(cls=AskCommand, context_settings={"ignore_unknown_options": False})
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES), help="As for `kb query`.")
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
    _write(result, fmt)


@cli.command("queries")
@click.option("--verbose", "-v", is_flag=True, help="Show descriptions and examples too.")
def list_queries(verbose: bool) -> None:
    """List the canned queries with their parameters."""
    from kb.canned import canned_queries

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


@cli.command()
@click.option(
    "--format", "fmt", type=click.Choice(["trig", "nquads"]), default="trig", show_default=True
)
@click.option(
    "--graph", "graphs", multiple=True, metavar="IRI", help="Only this graph (repeatable)."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write to a file instead of standard output.",
)
@click.pass_obj
def export(obj: Context, fmt: str, graphs: tuple[str, ...], output: str | None) -> None:
    """Write the whole KB (every named graph) as TriG or N-Quads."""
    from pyoxigraph import RdfFormat

    rdf_format = RdfFormat.TRIG if fmt == "trig" else RdfFormat.N_QUADS
    with user_errors():
        if output:
            with open(output, "wb") as out:
                obj.kb.export(out, rdf_format, list(graphs) or None)
        else:
            stdout = sys.stdout.buffer
            obj.kb.export(stdout, rdf_format, list(graphs) or None)
            stdout.flush()


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def stats(obj: Context, as_json: bool) -> None:
    """Counts per class and per article."""
    with user_errors():
        numbers = obj.kb.stats()
    if as_json:
        import json

        click.echo(json.dumps(numbers, ensure_ascii=False, indent=2))
        return
    click.echo(f"store: {numbers['store']} ({numbers['graphs']} named graphs)")
    click.echo("classes:")
    for cls, count in numbers["classes"].items():
        click.echo(f"  {cls:<24} {count:>8}")
    click.echo("articles:")
    for art in numbers["articles"]:
        click.echo(f"  {art['article']}  {art['facts']} facts, {art['quads']} quads")
        if art["headline"]:
            click.echo(f"    {art['headline']}")


def main() -> None:
    """Entry point of the ``kb`` script."""
    cli(prog_name="kb", auto_envvar_prefix=None)


if __name__ == "__main__":
    main()
