"""``kb export`` and ``kb stats``: the KB as a whole."""

from __future__ import annotations

import click

from kb.cli.context import Context, user_errors
from kb.cli.output import output_option
from kb.formats import RDF_FORMATS


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(RDF_FORMATS)),
    default="trig",
    show_default=True,
    help="trig, nquads or jsonld keep every graph; turtle, ntriples, n3 or rdfxml hold the "
    "one graph named with --graph.",
)
@click.option(
    "--graph", "graphs", multiple=True, metavar="IRI", help="Only this graph (repeatable)."
)
@output_option
@click.pass_obj
def export(obj: Context, fmt: str, graphs: tuple[str, ...], output: str | None) -> None:
    """Write the whole KB (every named graph), or the graphs named."""
    rdf_format = RDF_FORMATS[fmt]
    # opened on the first write: an export refused before it writes leaves no file behind
    with user_errors(), click.open_file(output or "-", "wb", lazy=True) as out:
        obj.kb.export(out, rdf_format, list(graphs) or None)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--lang", default="en", show_default=True, metavar="TAG", help="Language of the headlines."
)
@click.pass_obj
def stats(obj: Context, as_json: bool, lang: str) -> None:
    """Counts per class and per article, and the languages answers can be asked in."""
    with user_errors():
        numbers = obj.kb.stats(lang=lang)
    if as_json:
        import json

        click.echo(json.dumps(numbers, ensure_ascii=False, indent=2))
        return
    click.echo(f"store: {numbers['store']} ({numbers['graphs']} named graphs)")
    click.echo(f"languages: {', '.join(numbers['languages'])}")
    click.echo("classes:")
    for cls, count in numbers["classes"].items():
        click.echo(f"  {cls:<24} {count:>8}")
    click.echo("articles:")
    for art in numbers["articles"]:
        click.echo(f"  {art['article']}  {art['facts']} facts, {art['quads']} quads")
        if art["headline"]:
            click.echo(f"    {art['headline']}")
