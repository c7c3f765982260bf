"""The socket side of ``kb serve``: Python's threading HTTP server, one ``Handler`` per
request, which reads the request into a ``Request``, asks ``kb.http.routes.route`` for the
``Response``, and writes it with an access-log line (stdlib only)."""

from __future__ import annotations

import sys
import time
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kb import __version__
from kb.api import KB
from kb.http.app import App, ServerConfig
from kb.http.messages import HTTPError, Request, Response
from kb.http.routes import route

DRAIN_LIMIT = 64 * 1024 * 1024
"""An oversized body up to this size is read and dropped, so the client sees the 413."""


class KBServer(ThreadingHTTPServer):
    """The HTTP server over one ``App``."""

    daemon_threads = True

    def __init__(self, kb: KB, address: tuple[str, int], config: ServerConfig) -> None:
        self.app = App(kb, config)
        super().__init__(address, Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def server_close(self) -> None:
        super().server_close()
        self.app.close()


def make_server(
    kb: KB, host: str = "127.0.0.1", port: int = 7878, config: ServerConfig | None = None
) -> KBServer:
    """A server bound to ``host:port`` (0 picks a free port); call ``serve_forever()``."""
    return KBServer(kb, (host, port), config or ServerConfig())


class Handler(BaseHTTPRequestHandler):
    server: KBServer
    server_version = f"event-kb/{__version__}"

    def setup(self) -> None:
        # A client silent for --timeout seconds (mid-request or idle between requests) is
        # cut off, so slow or lying clients cannot hold threads for ever.
        self.timeout = max(self.server.app.config.timeout, 1.0)
        super().setup()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """One line per request in the Common Log Format, on standard error."""
        when = time.strftime("%d/%b/%Y:%H:%M:%S %z", time.localtime())
        status = code.value if isinstance(code, HTTPStatus) else code
        line = f'{self.address_string()} - - [{when}] "{self.requestline}" {status} {size}\n'
        (self.server.app.config.log or sys.stderr).write(line)

    def _send(self, response: Response) -> None:
        self.send_response_only(response.status)
        self.log_request(response.status, len(response.body))
        self.send_header("Server", self.version_string())
        self.send_header("Date", self.date_time_string())
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        for key, value in response.headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _dispatch(self) -> None:
        try:
            parsed = urllib.parse.urlsplit(self.path)
            host, port = self.server.server_address[:2]
            request = Request(
                method=self.command,
                path=parsed.path,
                params=urllib.parse.parse_qs(parsed.query, keep_blank_values=True),
                headers=self.headers,
                read_body=self._body,
                address=f"{host}:{port}",
            )
            self._send(route(self.server.app, request))
        except HTTPError as err:
            body = f"{err.status} {HTTPStatus(err.status).phrase}: {err.message}\n"
            self._send(
                Response(err.status, body.encode(), "text/plain; charset=utf-8", err.headers)
            )

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _dispatch

    def do_OPTIONS(self) -> None:
        self._send(
            Response(
                204,
                b"",
                "text/plain",
                {
                    "Allow": "GET, POST, PUT, DELETE, OPTIONS",
                    "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
                    "Access-Control-Allow-Headers": "Accept, Authorization, Content-Type",
                },
            )
        )

    def _body(self) -> bytes:
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            raise HTTPError(411, "a request body needs a Content-Length")
        length = int(length_header) if length_header.strip().isdigit() else -1
        if length < 0:
            self.close_connection = True
            raise HTTPError(400, f"Content-Length is not a number of bytes: {length_header!r}")
        limit = self.server.app.config.max_body
        if length > limit:
            self.close_connection = True
            _drain(self.rfile, min(length, DRAIN_LIMIT))  # so the client reads the answer
            raise HTTPError(
                413,
                f"the request body has {length} bytes; this server takes at most {limit} "
                "(kb serve --max-body)",
            )
        try:
            return self.rfile.read(length)
        except TimeoutError:
            self.close_connection = True
            raise HTTPError(
                408, f"the request body did not arrive ({length} bytes announced)"
            ) from None


def error_response(err: HTTPError) -> Response:
    """A 4xx/5xx answer: its status line's words and the message, as plain text."""
    body = f"{err.status} {HTTPStatus(err.status).phrase}: {err.message}\n"
    return Response(err.status, body.encode(), "text/plain; charset=utf-8", err.headers)


def _drain(stream: Any, length: int) -> None:
    while length > 0:
        try:
            chunk = stream.read(min(length, 65536))
        except TimeoutError:  # the client announced more than it sends: answer anyway
            return
        if not chunk:
            return
        length -= len(chunk)
