"""``kb draft``: a fact file drafted from an article (needs the ``draft`` extra).

Exit codes: 0 the draft was written; 1 the article cannot be drafted (empty, binary, a page
with no article) or the extra is missing; 2 a usage error, among them an article with no
publication date and no ``--published``.
"""

from __future__ import annotations

import importlib.util
import json
import sys

import click

from kb.cli.context import Context
from kb.errors import KBError

DRAFT_EXTRA = ("kiwipiepy", "kiwipiepy_model", "trafilatura")
"""The modules of the ``draft`` extra (looked up, not imported, before anything runs)."""


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--published",
    metavar="DATE",
    help="Publication date or date-time (2025-05-23, 2025-05-23T12:16:00+09:00); "
    "default: the article's dateline or page metadata.",
)
@click.option("--publisher", metavar="NAME", help="Publisher, in the article's language.")
@click.option("--headline", metavar="TEXT", help="Headline (default: the first line or title).")
@click.option(
    "--language",
    type=click.Choice(["ko", "en"]),
    help="Language of the article (default: detected).",
)
@click.option("--id", "article_id", metavar="ID", help="Article id (default: made up, flagged).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the draft to a file instead of standard output.",
)
@click.option("--json", "as_json", is_flag=True, help="JSON, with each item's rule and confidence.")
@click.pass_obj
def draft(
    obj: Context,
    file: str,
    published: str | None,
    publisher: str | None,
    headline: str | None,
    language: str | None,
    article_id: str | None,
    output: str | None,
    as_json: bool,
) -> None:
    """Draft a fact file from FILE, an article as plain text or HTML ('-': standard input).

    Names the KB knows are linked by id; new people, organizations and places are defined
    with new ids; dates are resolved against the publication date; every fact quotes its
    sentences. Items to review carry '# check:' comments. Then: edit, `kb validate`, `kb load`.
    """
    missing = [name for name in DRAFT_EXTRA if importlib.util.find_spec(name) is None]
    if missing:
        raise click.ClickException(
            f"kb draft needs {', '.join(missing)}: pip install 'event-kb[draft]'"
        )
    from kb.draft import NoPublicationDate
    from kb.draft import draft as draft_article

    if file == "-":
        data = sys.stdin.buffer.read()
        path = "<stdin>"
    else:
        try:
            with open(file, "rb") as handle:
                data = handle.read()
        except OSError as err:
            raise click.ClickException(f"{file}: {err.strerror}") from None
        path = file
    try:
        result = draft_article(
            obj.kb,
            data,
            path=path,
            published=published,
            publisher=publisher,
            headline=headline,
            language=language,
            article_id=article_id,
        )
    except NoPublicationDate as err:
        raise click.UsageError(str(err)) from None
    except KBError as err:
        raise click.ClickException(str(err)) from None
    text = (
        json.dumps(result.as_json(), ensure_ascii=False, indent=2) + "\n"
        if as_json
        else result.yaml()
    )
    if output:
        with open(output, "w", encoding="utf-8") as out:
            out.write(text)
        click.echo(
            f"{output}: {len(result.entities)} entities, {len(result.facts)} facts drafted",
            err=True,
        )
    else:
        click.echo(text, nl=False)
