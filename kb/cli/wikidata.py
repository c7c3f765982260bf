"""``kb link`` and ``kb enrich``: thin commands over kb.wikidata.linking and kb.wikidata.enrichment.

Imported only when one of them runs (see ``LAZY_COMMANDS`` in kb/cli/__init__.py).
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kb.cli.context import Context, user_errors
from kb.sparql.table import text_table
from kb.wikidata.linking import LinkReport
from kb.wikidata.scoring import Decision

REVIEW_COLUMNS = ("entity", "name", "status", "candidate", "label", "score", "reasons")
TABLE_CELL = (40, 28, 12, 12, 40, 6, 10_000)
"""Widest cell of each column in the table (longer text is cut with …); CSV keeps it all."""


def wikidata_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by ``link`` and ``enrich``: where Wikidata is, the cache, offline."""
    command = click.option(
        "--offline",
        is_flag=True,
        help="Send no request: answer from pins and the cache only.",
    )(command)
    command = click.option(
        "--cache-dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="Response cache. Default: $KB_WIKIDATA_CACHE, else "
        "$XDG_CACHE_HOME/event-kb/wikidata (~/.cache/event-kb/wikidata).",
    )(command)
    return click.option(
        "--endpoint",
        metavar="URL",
        help="Wikidata SPARQL endpoint (a mirror or a local copy). Default: "
        "$KB_WIKIDATA_SPARQL, else https://query.wikidata.org/sparql.",
    )(command)


def _client(endpoint: str | None, cache_dir: Path | None, offline: bool) -> Any:
    from kb.wikidata.client import WikidataClient

    return WikidataClient(endpoint, cache_dir=cache_dir, offline=offline)


def _progress(label: str) -> tuple[Callable[[str], None] | None, Any]:
    """A spinner-like count on a terminal; nothing when piped (tests, scripts)."""
    if not sys.stderr.isatty():
        return None, None
    count = [0]

    def tick(_: str) -> None:
        count[0] += 1
        click.echo(f"\r{label} {count[0]}", nl=False, err=True)

    return tick, count


@click.command()
@wikidata_options
@click.option(
    "--pins",
    "pins_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    envvar="KB_WIKIDATA_PINS",
    help="Your pin/reject file (YAML, docs/wikidata.md); wins over the shipped pins and "
    "the scorer. Default: $KB_WIKIDATA_PINS.",
)
@click.option(
    "--no-shipped-pins",
    is_flag=True,
    help="Leave out the pins that ship with the KB (to see what the scorer alone decides).",
)
@click.option("--review", is_flag=True, help="Print the entities a person should decide.")
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="With --review: also gazetteer places no item matched.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv"]),
    default="table",
    show_default=True,
    help="Format of the review.",
)
@click.pass_obj
def link(
    obj: Context,
    endpoint: str | None,
    cache_dir: Path | None,
    offline: bool,
    pins_path: Path | None,
    no_shipped_pins: bool,
    review: bool,
    everything: bool,
    fmt: str,
) -> None:
    """Link persons, organizations and places to Wikidata items.

    Pins (shipped, then --pins) win; the rest are searched by name and scored. Accepted
    links replace the graph ekg:links (owl:sameAs plus an ek:LinkDecision each). The
    summary goes to standard error; --review prints the undecided to standard output.
    """
    from kb.wikidata.linking import Linker
    from kb.wikidata.pins import Pins, read_pins, shipped_pins

    with user_errors():
        pins = Pins() if no_shipped_pins else shipped_pins()
        if pins_path is not None:
            pins.update(read_pins(pins_path))
        tick, shown = _progress("entities")
        report = Linker(obj.kb, _client(endpoint, cache_dir, offline), pins, progress=tick).run()
    if shown is not None:
        click.echo(err=True)
    click.echo(summary(report, offline), err=True)
    if review:
        decisions = report.review(everything=everything)
        text = review_csv(decisions) if fmt == "csv" else review_table(decisions)
        click.echo(text, nl=False)


def summary(report: LinkReport, offline: bool) -> str:
    from kb.wikidata.scoring import ACCEPTED, NO_CANDIDATE, NOT_CHECKED, REVIEW

    pinned = sum(1 for d in report.decisions if d.status == ACCEPTED and d.method == "pin")
    lines = [
        f"linked {report.count(ACCEPTED)} of {len(report.decisions)} entities "
        f"({pinned} pinned, {report.count(ACCEPTED) - pinned} by the scorer); "
        f"review {report.count(REVIEW)}; no candidate {report.count(NO_CANDIDATE)}"
        + (f"; not checked {report.count(NOT_CHECKED)}" if report.count(NOT_CHECKED) else ""),
        f"requests: {report.requests} sent, {report.cache_hits} answered from the cache"
        + (" (offline)" if offline else ""),
    ]
    return "\n".join(lines)


def review_rows(decisions: list[Decision]) -> list[list[str]]:
    """One row per candidate (the entity repeated), or one row for an entity with none."""
    from kb.namespaces import compact

    rows = []
    for d in decisions:
        head = [compact(d.entity.iri), d.entity.label, d.status]
        if not d.candidates:
            rows.append([*head, "", "", "", d.reason])
            continue
        for i, c in enumerate(d.candidates):
            reasons = "; ".join(c.reasons)
            if i == 0:
                reasons = f"{d.reason} | {reasons}"
            label = c.label + (f" ({c.description})" if c.description else "")
            rows.append([*head, c.qid, label, f"{c.score:.2f}", reasons])
    return rows


def review_csv(decisions: list[Decision]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REVIEW_COLUMNS)
    writer.writerows(review_rows(decisions))
    return out.getvalue()


def review_table(decisions: list[Decision]) -> str:
    rows = review_rows(decisions)
    if not rows:
        return "(nothing to review)\n"
    return text_table(REVIEW_COLUMNS, rows, widest=TABLE_CELL, open_end=True)


@click.command()
@wikidata_options
@click.pass_obj
def enrich(obj: Context, endpoint: str | None, cache_dir: Path | None, offline: bool) -> None:
    """Copy selected statements of linked items from Wikidata into ekg:wikidata.

    Instance of, country, headquarters (and its country), inception, official website,
    employer and position held, with PROV-O provenance: from Wikidata, and when.
    Run `kb link` first.
    """
    from kb.wikidata.enrichment import enrich as run

    with user_errors():
        tick, shown = _progress("items")
        report = run(obj.kb, _client(endpoint, cache_dir, offline), progress=tick)
    if shown is not None:
        click.echo(err=True)
    if not report.items and not report.missing:
        raise click.ClickException("no entity is linked to Wikidata yet: run `kb link` first")
    line = f"{report.statements} statements about {len(report.items)} items into ekg:wikidata"
    if report.missing:
        line += f"; not in the cache (offline): {', '.join(report.missing)}"
    click.echo(line, err=True)
    click.echo(
        f"requests: {report.requests} sent, {report.cache_hits} answered from the cache", err=True
    )
