"""``kb graph``: who met, signed with, works at and partners whom, as DOT, GraphML, JSON or PNG."""

from __future__ import annotations

import shutil
import subprocess

import click

from kb.cli.context import Context, user_errors
from kb.cli.output import output_option
from kb.errors import KBError

GRAPH_FORMATS = ("dot", "graphml", "json", "png")


def render_png(dot: str) -> bytes:
    """The DOT drawn by Graphviz's ``dot`` (Debian: graphviz)."""
    exe = shutil.which("dot")
    if exe is None:
        raise KBError("--format png needs Graphviz's dot: install graphviz, or write --format dot")
    done = subprocess.run([exe, "-Tpng"], input=dot.encode(), capture_output=True, timeout=120)
    if done.returncode:
        raise KBError(f"dot failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


@click.command()
@click.option(
    "--entity",
    metavar="NAME",
    help="Draw the graph around this entity (a name, alias or id); without it, the whole "
    "KB if small enough.",
)
@click.option(
    "--depth",
    default=1,
    show_default=True,
    type=click.IntRange(1, 2),
    help="Steps out from the entity.",
)
@click.option("--format", "fmt", type=click.Choice(GRAPH_FORMATS), default="dot", show_default=True)
@click.option(
    "--lang", default="en", show_default=True, metavar="TAG", help="Language of the names."
)
@click.option(
    "--max-nodes",
    default=500,
    show_default=True,
    type=click.IntRange(1, None),
    help="Refuse graphs with more people and organizations.",
)
@output_option
@click.pass_obj
def graph(
    obj: Context,
    entity: str | None,
    depth: int,
    fmt: str,
    lang: str,
    max_nodes: int,
    output: str | None,
) -> None:
    """Write the graph of people and organizations: meetings, agreements, cooperations,
    posts and family ties between them, partnerships and units, each edge labelled with
    its kind and date.

    \b
    kb graph --entity NVIDIA --format png -o nvidia.png
    kb graph --entity 이해진 --depth 2 --format graphml --lang ko
    """
    from kb.graph import neighbourhood

    with user_errors():
        drawn = neighbourhood(obj.kb, entity, depth=depth, lang=lang, max_nodes=max_nodes)
        data = render_png(drawn.to_dot()) if fmt == "png" else drawn.text(fmt).encode("utf-8")
    with click.open_file(output or "-", "wb") as out:
        out.write(data)
