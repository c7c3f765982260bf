"""``kb serve``: the click command; the server itself is ``kb.http``."""

from __future__ import annotations

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
    help="Longest a query (or a write) may run; past it, it is stopped and the caller gets 503.",
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
    help="Queries evaluated at once, each in a worker process of its own.",
)
@click.option(
    "--max-memory",
    default=4096,
    show_default=True,
    type=click.IntRange(min=0),
    metavar="MIB",
    help="Address space each worker process may use; a query that needs more gets 503 "
    "(0: no limit).",
)
@click.option(
    "--read-timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    metavar="SECONDS",
    help="Longest a client may take to send one request, or stay idle between two.",
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
    max_memory: int,
    read_timeout: float,
    allow_update: bool,
    token: str | None,
    allow_federation: bool,
) -> None:
    """Serve the KB over the SPARQL 1.1 Protocol, with a query page at /.

    \b
    Endpoints: /sparql (queries), /queries (canned queries), /ask/NAME?param=value,
    /health; with --allow-update, /update and /store?graph=IRI. Read-only by default.
    One server per store: the server holds it. Stop with Ctrl-C.
    """
    from kb.http.app import ServerConfig
    from kb.http.server import make_server

    config = ServerConfig(
        timeout=timeout,
        max_results=max_results,
        max_body=max_body,
        workers=workers,
        max_memory=max_memory,
        read_timeout=read_timeout,
        allow_update=allow_update,
        token=token,
        allow_federation=allow_federation,
    )
    with user_errors():
        try:
            server = make_server(obj.location, host, port, config)
        except OSError as err:
            reason = err.strerror or str(err)
            raise click.ClickException(f"cannot listen on {host}:{port}: {reason}") from None
    mode = "read-write (token required)" if allow_update else "read-only"
    click.echo(f"kb serve: {server.url}/ ({obj.location}, {mode}); Ctrl-C stops", err=True)
    # Ctrl-C and SIGTERM stop the server even when the parent started it with SIGINT
    # ignored (Python then installs no KeyboardInterrupt handler of its own).
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("kb serve: stopped", err=True)
    finally:
        server.server_close()  # the workers stop; the writer closes the store
        sys.stdout.flush()
        sys.stderr.flush()


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
