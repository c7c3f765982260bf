"""``kb search TEXT``: entities by part of a name, or a name with typing errors."""

from __future__ import annotations

import json
import sys

import click

from kb.cli.context import Context, user_errors
from kb.namespaces import EK
from kb.sparql.table import text_table
from kb.store.search_index import SearchHit

SEARCH_FORMATS = ("table", "json", "csv", "tsv")


@click.command()
@click.argument("text")
@click.option(
    "--class",
    "cls",
    metavar="CLASS",
    help="Only entities of this class (Organization, Person, Place, ...).",
)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 500))
@click.option(
    "--lang",
    default="en",
    show_default=True,
    metavar="TAG",
    help="Language of the name shown first.",
)
@click.option(
    "--format", "fmt", type=click.Choice(SEARCH_FORMATS), default="table", show_default=True
)
@click.pass_obj
def search(obj: Context, text: str, cls: str | None, limit: int, lang: str, fmt: str) -> None:
    """Find entities by part of a name, alias or id, or a name with typing errors.

    Any language and script; case, spaces, punctuation and accents do not count, and
    Hangul is compared letter by letter (jamo), so 네이바 finds 네이버 and Nvidai finds
    NVIDIA. Names that contain TEXT come first; typing errors are looked for when none
    does. Lists each entity's id (what `kb ask` takes too), class and names.
    """
    with user_errors():
        hits = obj.kb.search(text, cls=cls, limit=limit)
    if fmt == "json":
        click.echo(json.dumps([h.to_json(lang) for h in hits], ensure_ascii=False, indent=2))
        return
    rows = [
        [
            hit.id,
            hit.classes[0].removeprefix(EK) if hit.classes else "",
            hit.name(lang),
            ", ".join(_other_names(hit, lang)),
            hit.matched,
        ]
        for hit in hits
    ]
    header = ["id", "class", "name", "other names", "matched"]
    if fmt in ("csv", "tsv"):
        import csv

        writer = csv.writer(
            sys.stdout, delimiter="," if fmt == "csv" else "\t", lineterminator="\n"
        )
        writer.writerow(header)
        writer.writerows(rows)
        return
    if not rows:
        click.echo(f"nothing in the KB is called anything like {text!r}")
        return
    click.echo(text_table(header, rows, widest=(40, 16, 40, 60, 40)), nl=False)
    click.echo(f"({len(rows)} entit{'y' if len(rows) == 1 else 'ies'})")


def _other_names(hit: SearchHit, lang: str) -> list[str]:
    shown = hit.name(lang)
    names = [n for _, n in sorted(hit.names.items()) if n != shown]
    aliases = [a for _, listed in sorted(hit.aliases.items()) for a in listed]
    return list(dict.fromkeys(n for n in [*names, *aliases] if n != shown))
