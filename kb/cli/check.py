"""``kb check``: SHACL validation of every article graph (``kb.shacl``, which imports
pySHACL); like every heavier command, imported only when it runs."""

from __future__ import annotations

import click

from kb.cli.context import Context, user_errors


@click.command()
@click.option(
    "--article",
    "articles",
    multiple=True,
    metavar="IRI",
    help="Check only this article graph (repeatable).",
)
@click.pass_obj
def check(obj: Context, articles: tuple[str, ...]) -> None:
    """Validate every article graph against the SHACL shapes (ontology/shapes.ttl).

    Exit 0 when the KB conforms, 1 when it does not (each violation on one line).
    """
    from kb.shacl import check as run_check

    with user_errors():
        violations = run_check(obj.kb, list(articles) or None)
    for v in violations:
        path = f" {v.path}" if v.path else ""
        click.echo(f"{v.graph}: <{v.focus}>{path}: {v.message}")
    if violations:
        raise click.ClickException(f"{len(violations)} SHACL violation(s)")
    click.echo("conforms")
