"""``kb serve``: the click command; the server itself is ``kb.http``."""

from __future__ import annotations

import os
import signal
import sys

import click

from kb.cli.context import Context, user_errors


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0 for every interface).",
)
@click.option(
    "--port",
    default=7878,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0.01),
    metavar="SECONDS",
    help="Longest a query may run; past it the caller gets 503.",
)
@click.option(
    "--max-results",
    default=10_000,
    show_default=True,
    type=click.IntRange(min=1),
    metavar="N",
    help="Most rows (or triples) in one answer; more is 413.",
)
@click.option(
    "--max-body",
    default=10 * 1024 * 1024,
    show_default=True,
    type=click.IntRange(min=1),
    metavar="BYTES",
    help="Largest request body; larger is 413.",
)
@click.option(
    "--workers",
    default=4,
    show_default=True,
    type=click.IntRange(min=1),
    help="Queries evaluated at once.",
)
@click.option(
    "--allow-update",
    is_flag=True,
    help="Accept SPARQL Update (/update) and Graph Store writes (/store); needs --token.",
)
@click.option(
    "--token",
    envvar="KB_TOKEN",
    metavar="TOKEN",
    help="Bearer token that updates must carry. Default: $KB_TOKEN.",
)
@click.option(
    "--allow-federation",
    is_flag=True,
    help="Allow SERVICE in queries (and LOAD in updates): the server then fetches "
    "URLs its callers name.",
)
@click.pass_obj
def serve(
    obj: Context,
    host: str,
    port: int,
    timeout: float,
    max_results: int,
    max_body: int,
    workers: int,
    allow_update: bool,
    token: str | None,
    allow_federation: bool,
) -> None:
    """Serve the KB over the SPARQL 1.1 Protocol, with a query page at /.

    \b
    Endpoints: /sparql (queries), /queries (canned queries), /ask/NAME?param=value,
    /health; with --allow-update, /update and /store?graph=IRI. Read-only by default.
    Stop with Ctrl-C.
    """
    from kb.http.app import ServerConfig
    from kb.http.server import make_server

    config = ServerConfig(
        timeout=timeout,
        max_results=max_results,
        max_body=max_body,
        workers=workers,
        allow_update=allow_update,
        token=token,
        allow_federation=allow_federation,
    )
    with user_errors():
        server = make_server(obj.kb, host, port, config)
    mode = "read-write (token required)" if allow_update else "read-only"
    click.echo(f"kb serve: {server.url}/ ({obj.kb.location}, {mode}); Ctrl-C stops", err=True)
    # Ctrl-C and SIGTERM stop the server even when the parent started it with SIGINT
    # ignored (Python then installs no KeyboardInterrupt handler of its own).
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("kb serve: stopped", err=True)
    finally:
        server.server_close()
        obj.close()
        sys.stdout.flush()
        sys.stderr.flush()
        # A query past its deadline that pyoxigraph cannot interrupt (a huge sort or
        # aggregate) may still run on a worker thread, and the interpreter would wait for it
        # at exit: the store is closed, so leave without waiting.
        os._exit(0)


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
