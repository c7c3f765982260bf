"""``kb ask NAME --PARAM VALUE``: one subcommand per canned query, made from its header.

Each query of ``queries/`` becomes a click command whose options are its parameters, so
``kb ask meetings --help`` shows that query's title, description, parameters (type,
default) and example, unknown or missing options are usage errors, and click's shell
completion offers the query names, their options and, for entity parameters, the names
the KB knows (README: Shell completion).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from click.shell_completion import CompletionItem

from kb.cli.context import Context, user_errors
from kb.cli.output import FormatName, interruptible, print_result
from kb.errors import UnknownQuery
from kb.sparql.catalogue import CannedQuery, canned_queries, get_canned
from kb.sparql.paging import MAX_LIMIT, page_bounds

LITERAL_TYPES = {"string": click.STRING, "integer": click.INT}
"""Parameters that take a literal; the others take an entity of the class they name."""
COMPLETIONS = 50
"""Names offered at most by one completion."""


class EntityName(click.ParamType):
    """A name, alias, id or IRI of an entity of ``cls``; resolved by the KB, not here.

    Completion offers the names of such entities that start like the word typed.
    """

    def __init__(self, cls: str) -> None:
        self.cls = cls  # an ek: class, or Entity (any)
        self.name = cls.upper()

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        from pyoxigraph import Literal, NamedNode

        from kb.api import KB, default_store_path
        from kb.errors import KBError
        from kb.names import normalise
        from kb.namespaces import EK, compact
        from kb.sparql.catalogue import internal_query

        prefix = normalise(incomplete)
        store = str(ctx.find_root().params.get("store") or default_store_path())
        if not store.startswith(("http://", "https://")) and not Path(store).expanduser().is_dir():
            return []  # no store there yet: completing must not create one
        cls = NamedNode(EK + ("Any" if self.cls == "Entity" else self.cls))
        bound = {"prefix": Literal(prefix), "class": cls}
        try:
            with KB(store, seed=False) as kb:  # completing must not seed (write) a store
                rows = kb.query(internal_query("complete-names"), bound).rows()
        except KBError:  # no store there, or it is busy: nothing to offer
            return []
        names = {
            row["name"]: row["entity"] for row in rows if normalise(row["name"]).startswith(prefix)
        }
        return [
            CompletionItem(name, help=compact(entity))
            for name, entity in sorted(names.items())[:COMPLETIONS]
        ]


def canned_command(canned: CannedQuery) -> click.Command:
    """The ``kb ask`` subcommand of one canned query."""
    params: list[click.Parameter] = [
        click.Option(
            [f"--{p.name.replace('_', '-')}", p.name],
            type=LITERAL_TYPES.get(p.type) or EntityName(p.type),
            required=p.required,
            help=p.description
            + (" (optional)" if p.optional else "")
            + (f"  [default: {p.default}]" if p.default else ""),
        )
        for p in canned.parameters
    ]
    params += [
        click.Option(["--format", "fmt"], type=FormatName(), help="As for `kb query`."),
        click.Option(
            ["--lang"],
            default="en",
            show_default=True,
            metavar="TAG",
            help="Language of the names in the answer: any the KB has (`kb stats` lists "
            "them); where a name is missing in it, English, then the article's language.",
        ),
        click.Option(
            ["--limit"],
            metavar="N",
            help=f"Show at most N rows (at most {MAX_LIMIT}), in the query's order.",
        ),
        click.Option(
            ["--offset"],
            metavar="K",
            help="Skip the first K rows of the answer (with --limit: a page of it).",
        ),
    ]
    help_text = f"{canned.title}.\n\n{canned.description}"
    if canned.example:
        help_text += f"\n\n\b\nExample:\n  {canned.example}"

    @click.pass_obj
    def run(
        obj: Context,
        fmt: str | None,
        lang: str,
        limit: str | None,
        offset: str | None,
        **values: Any,
    ) -> None:
        given = {k: str(v) for k, v in values.items() if v is not None}
        with user_errors():
            page_bounds(limit, offset)  # a bad value fails before the store is opened
        with user_errors():  # a store another process holds too long: one line
            kb = obj.kb
        with interruptible(), user_errors():
            print_result(kb.ask(canned.name, given, lang=lang, limit=limit, offset=offset), fmt)

    return click.Command(
        canned.name, callback=run, params=params, help=help_text, short_help=canned.title
    )


class AskGroup(click.Group):
    """The canned queries as subcommands, made on demand from their headers."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(canned_queries())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in canned_queries():
            return None
        return canned_command(get_canned(cmd_name))

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in canned_queries():
            try:
                get_canned(name)
            except UnknownQuery as err:  # says which query was meant
                raise click.UsageError(str(err), ctx) from None
        return super().resolve_command(ctx, args)


@click.group(cls=AskGroup)
def ask() -> None:
    """Run a canned query: kb ask NAME --PARAM VALUE ...

    Entity parameters take a name or alias in any language, an id (naver-cloud, or
    ekr:naver-cloud) or an IRI. `kb ask NAME --help` shows a query's parameters;
    `kb queries -v` lists them all.
    """
