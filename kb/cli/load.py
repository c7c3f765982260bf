"""``kb load``, ``kb validate`` and ``kb drop``: articles into and out of the KB, all or
nothing."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from kb.cli.context import Context, user_errors

WAIT = click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=10.0,
    show_default=True,
    metavar="SECONDS",
    help="If another kb process holds the store, wait this long for it before failing.",
)
"""``--wait``, shared by the commands that write."""


def _progress(paths: tuple[str, ...]) -> tuple[Callable[[str], None] | None, Any]:
    """A progress bar on a terminal (several files), nothing when piped."""
    if len(paths) < 2 or not sys.stderr.isatty():
        return None, None
    bar = click.progressbar(length=len(paths), label="validating", file=sys.stderr)
    bar.__enter__()
    return (lambda _path: bar.update(1)), bar


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--graph",
    metavar="IRI",
    help="Named graph for triples in RDF files that describe no single ek:Article.",
)
@WAIT
@click.option(
    "--verbose", "-v", is_flag=True, help="Say on stderr as each phase begins: plan, write, derive."
)
@click.pass_obj
def load(
    obj: Context, files: tuple[str, ...], graph: str | None, wait: float, verbose: bool
) -> None:
    """Validate FILES, then load them all at once.

    FILES are fact files (.yaml) or RDF (.ttl .trig .nt .nq .n3 .rdf .owl .jsonld). If any
    file has an error, nothing is loaded and the store is unchanged. Loading an article
    again replaces its named graph. A load killed half-way leaves the store as it was.
    """
    obj.wait = wait

    def phase(name: str, detail: str) -> None:
        click.echo(f"{name}: {detail}", err=True)  # echo flushes: the line is out first

    with user_errors():
        progress, bar = _progress(files)
        try:
            planned = obj.kb.load(
                list(files), graph=graph, progress=progress, phase=phase if verbose else None
            )
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
    for one in planned:
        graphs = ", ".join(f"<{g}>" for g in one.graphs)
        click.echo(f"{one.path}: {one.quad_count} quads into {graphs}", err=True)
    _nothing_kept(obj)


def _nothing_kept(obj: Context) -> None:
    if obj.in_memory:
        click.echo(
            "note: the store is in memory (--store :memory:): nothing is kept after this "
            "command; give --store PATH to keep it",
            err=True,
        )


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--graph", metavar="IRI", help="As for `kb load`.")
@click.pass_obj
def validate(obj: Context, files: tuple[str, ...], graph: str | None) -> None:
    """Check FILES the way `kb load` does, against the store and each other, without
    writing anything: not even a store that does not exist yet is made."""
    with user_errors():
        planned = obj.reader.validate(list(files), graph=graph)
    for one in planned:
        click.echo(f"{one.path}: ok ({one.quad_count} quads)")


@click.command()
@click.argument("articles", nargs=-1, required=True, metavar="ARTICLE...")
@WAIT
@click.pass_obj
def drop(obj: Context, articles: tuple[str, ...], wait: float) -> None:
    """Remove ARTICLES (each an id, eka:ID or the article's IRI) and their facts.

    What only they said of their entities goes with them. Refused, and nothing removed, if
    another article still refers to an entity only these define: drop it too, in the same
    command, or define the entity in another article first.
    """
    obj.wait = wait
    with user_errors():
        dropped = obj.kb.drop(list(articles))
    for graph in dropped:
        click.echo(f"dropped <{graph}>", err=True)
    _nothing_kept(obj)
