"""The socket side of ``kb serve``: Python's threading HTTP server speaking HTTP/1.1, one
``Handler`` per connection, which reads each request into a ``Request``, asks
``kb.http.routes.route`` for the ``Response``, and writes it with an access-log line.

What it promises, whatever a client sends:

- **Every request gets a status.** A request line, header or body that cannot be read, a
  ``Host`` that is not a host name, a ``Content-Length`` that is not a number, a body that
  is not UTF-8: each is a 4xx with a one-line plain-text reason, and the connection is
  closed when what follows cannot be trusted. A bug is a 500 and one traceback in the log.
- **Slow clients are cut off.** A request (line, headers and body) must arrive within
  ``--read-timeout`` of the first wait for it; a connection idle that long is closed; one
  that sent part of a request gets 408 first.
- **Keep-alive** (HTTP/1.1 persistent connections): a body a view did not read is read
  and dropped before the answer (up to ``DRAIN_LIMIT``; past it the connection closes).
- **gzip** for answers of ``GZIP_MIN`` bytes or more when the client accepts it
  (``Accept-Encoding``), and for the page's assets (compressed once).
- At most ``MAX_CONNECTIONS`` connections at once; one more is answered 503 and closed.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import re
import socket
import sys
import threading
import time
import traceback
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from kb import __version__
from kb.http.app import App, ServerConfig
from kb.http.messages import HTTPError, Request, Response
from kb.http.negotiation import accepted
from kb.http.routes import route

DRAIN_LIMIT = 64 * 1024 * 1024
"""A body up to this size that no view read (or that was too large) is read and dropped,
so the client sees the answer before the connection closes."""
GZIP_MIN = 2048
"""Answers from this many bytes are compressed for clients that accept gzip."""
MAX_CONNECTIONS = 512
WRITE_TIMEOUT = 60.0
"""Seconds a client may take to read an answer."""
COMPRESSIBLE = re.compile(
    r"^(text/|application/(.*json|.*xml|sparql-|n-triples|n-quads|trig|javascript))"
)
_HOST = re.compile(r"^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~]+)(?::[0-9]{1,5})?$")
"""What a Host header may hold: a host name, IPv4 or bracketed IPv6 address, and a port."""
_DIGITS = re.compile(r"^[0-9]+$")


class KBServer(ThreadingHTTPServer):
    """The HTTP server over one ``App`` (which it starts once the address is bound)."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(
        self, location: str | Path | None, address: tuple[str, int], config: ServerConfig
    ) -> None:
        super().__init__(address, Handler)  # OSError here: port in use, no such address
        self._connections = threading.BoundedSemaphore(MAX_CONNECTIONS)
        try:
            self.app = App(location, config)
        except BaseException:
            super().server_close()
            raise

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._connections.acquire(blocking=False):
            _refuse_connection(request)
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._connections.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A bug in handling a connection: one traceback in the log, nothing more."""
        self.log(f"error: connection from {client_address[0]}:\n{traceback.format_exc()}")

    def log(self, line: str) -> None:
        stream = self.app.config.log if hasattr(self, "app") else None
        (stream or sys.stderr).write(line.rstrip("\n") + "\n")

    def server_close(self) -> None:
        super().server_close()
        if hasattr(self, "app"):  # not when binding the address failed
            self.app.close()


def make_server(
    location: str | Path | None,
    host: str = "127.0.0.1",
    port: int = 7878,
    config: ServerConfig | None = None,
) -> KBServer:
    """A server for the store at ``location`` (None: a seeded store in memory), bound to
    ``host:port`` (0 picks a free port); call ``serve_forever()``. OSError if the address
    cannot be bound; StoreError if another process holds the store."""
    return KBServer(location, (host, port), config or ServerConfig())


class _DeadlineReader(io.RawIOBase):
    """The socket read under a deadline that each request sets (``start``), so a client
    that sends a byte every few seconds is cut off all the same; counts what arrived."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.deadline = float("inf")
        self.received = 0

    def start(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.received = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the request took longer than --read-timeout")
        self._sock.settimeout(remaining)
        count = self._sock.recv_into(buffer)
        self.received += count
        return count


class Handler(BaseHTTPRequestHandler):
    server: KBServer
    protocol_version = "HTTP/1.1"
    server_version = f"event-kb/{__version__}"
    error_content_type = "text/plain; charset=utf-8"
    disable_nagle_algorithm = True  # with the head and body sent in one write: no 40 ms waits

    def setup(self) -> None:
        super().setup()
        self.read_timeout = self.server.app.config.read_timeout
        self._reader = _DeadlineReader(self.connection)
        self.rfile = io.BufferedReader(self._reader, 65536)  # type: ignore[assignment]
        self._body_read = True
        self._status = 0

    # -- one request ------------------------------------------------------------------------

    def handle_one_request(self) -> None:
        self._reader.start(self.read_timeout)
        self._body_read = True
        self.requestline = ""
        self.request_version = "HTTP/1.1"
        self.command = ""
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if not self.raw_requestline:
                self.close_connection = True
                return
            if len(self.raw_requestline) > 65536:
                self.requestline = ""
                self.send_error(414, "the request line is longer than 64 KiB")
                return
            if not self.parse_request():
                return
            if not hasattr(self, "do_" + self.command):
                self.send_error(501, f"Unsupported method ({self.command!r})")
                return
        except TimeoutError:
            if self._reader.received:
                self.send_error(408, "the request did not arrive within --read-timeout")
            self.close_connection = True
            return
        except (ConnectionError, OSError):
            self.close_connection = True
            return
        self._dispatch()
        try:
            self.wfile.flush()
        except OSError:
            self.close_connection = True

    def _dispatch(self) -> None:
        self._body_read = not self._has_body()
        try:
            self._check_framing()
            request = self._request()
            if self.command == "OPTIONS":
                response = Response(204, b"", "text/plain", dict(OPTIONS_HEADERS))
            else:
                response = route(self.server.app, request)
        except HTTPError as err:
            response = error_response(err)
        except Exception:
            self.server.log(f"error: {self.requestline}\n{traceback.format_exc()}")
            response = error_response(
                HTTPError(500, "the server failed on this request; its log says why")
            )
        if response.status >= 500:
            self.server.log(f"{response.status} for {self.requestline!r}: {_first(response)}")
        self._finish_body()
        self._send(response)

    def _request(self) -> Request:
        hosts = self.headers.get_all("Host") or []
        if len(hosts) > 1 or (hosts and hosts[0] and not _HOST.match(hosts[0].strip())):
            self.close_connection = True
            raise HTTPError(400, "the Host header is not one host name (and port)")
        parsed = urllib.parse.urlsplit(self.path)
        try:
            params = urllib.parse.parse_qs(
                parsed.query, keep_blank_values=True, errors="strict", max_num_fields=1000
            )
        except UnicodeDecodeError:
            raise HTTPError(400, "a query-string value is not UTF-8 once decoded") from None
        except ValueError as err:
            raise HTTPError(400, f"the query string cannot be read: {err}") from None
        host, port = self.server.server_address[:2]
        return Request(
            method=self.command,
            path=parsed.path,
            params=params,
            headers=self.headers,
            read_body=self._body,
            address=f"{host}:{port}",
        )

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

    # -- bodies -----------------------------------------------------------------------------

    def _has_body(self) -> bool:
        return "Content-Length" in self.headers or "Transfer-Encoding" in self.headers

    def _check_framing(self) -> None:
        """400 (or 501) for headers that do not say where the body ends, whether a view
        reads the body or not: what follows on the connection cannot be trusted then."""
        encoding = self.headers.get("Transfer-Encoding")
        lengths = self.headers.get_all("Content-Length") or []
        problem = None
        if encoding is not None and lengths:
            problem = HTTPError(400, "a request may not have both Content-Length and chunks")
        elif encoding is not None and encoding.strip().lower() != "chunked":
            problem = HTTPError(501, f"Transfer-Encoding {encoding!r} is not supported")
        elif lengths and (len(set(lengths)) > 1 or not _DIGITS.match(lengths[0].strip())):
            problem = HTTPError(400, f"Content-Length is not a number of bytes: {lengths[0]!r}")
        if problem is not None:
            self.close_connection = True
            self._body_read = True  # it cannot be read: the connection closes instead
            raise problem

    def _body(self) -> bytes:
        """The request body (Content-Length or chunked), under --max-body and the read
        deadline; 4xx when it cannot be read."""
        self._body_read = True
        limit = self.server.app.config.max_body
        lengths = self.headers.get_all("Content-Length") or []
        if "Transfer-Encoding" in self.headers:  # chunked: _check_framing refused the rest
            return self._chunks(limit)
        if not lengths:
            raise HTTPError(411, "a request body needs a Content-Length")
        length = int(lengths[0])
        if length > limit:
            self.close_connection = True
            self._drain(min(length, DRAIN_LIMIT))  # so the client reads the answer
            raise HTTPError(
                413,
                f"the request body has {length} bytes; this server takes at most {limit} "
                "(kb serve --max-body)",
            )
        try:
            body = self.rfile.read(length)
        except (TimeoutError, OSError):
            body = b""
        if len(body) < length:
            self.close_connection = True
            raise HTTPError(
                408, f"the request body did not arrive within --read-timeout ({length} bytes)"
            )
        return body

    def _chunks(self, limit: int) -> bytes:
        body = bytearray()
        try:
            while True:
                line = self.rfile.readline(1024).split(b";")[0].strip()
                if not re.fullmatch(rb"[0-9A-Fa-f]{1,16}", line):
                    raise HTTPError(400, "a chunk of the body does not start with its size")
                size = int(line, 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return bytes(body)
                if len(body) + size > limit:
                    raise HTTPError(
                        413,
                        f"the request body has more than {limit} bytes (kb serve --max-body)",
                    )
                chunk = self.rfile.read(size)
                self.rfile.readline(3)
                if len(chunk) < size:
                    raise TimeoutError
                body += chunk
        except TimeoutError:
            raise HTTPError(408, "the request body did not arrive within --read-timeout") from None

    def _finish_body(self) -> None:
        """Read and drop a body no view read, so the connection can serve the next request
        (or close it if the body is too large, or cannot be told apart from what follows)."""
        if self._body_read:
            return
        self._body_read = True
        lengths = self.headers.get_all("Content-Length") or []
        if "Transfer-Encoding" in self.headers or len(set(lengths)) != 1:
            self.close_connection = True
            return
        if not _DIGITS.match(lengths[0].strip()) or int(lengths[0]) > DRAIN_LIMIT:
            self.close_connection = True
            return
        self._drain(int(lengths[0]))

    def _drain(self, length: int) -> None:
        while length > 0:
            try:
                chunk = self.rfile.read(min(length, 65536))
            except (TimeoutError, OSError):  # announced more than it sends: answer anyway
                self.close_connection = True
                return
            if not chunk:
                return
            length -= len(chunk)

    # -- answers ----------------------------------------------------------------------------

    def _send(self, response: Response) -> None:
        body = response.body
        headers = dict(response.headers)
        if COMPRESSIBLE.match(response.content_type) and len(body) >= GZIP_MIN:
            headers["Vary"] = "Accept-Encoding"
            if self._takes_gzip():
                body = response.gzipped or gzip.compress(body, compresslevel=6, mtime=0)
                headers["Content-Encoding"] = "gzip"
        self._status = response.status
        if self.request_version == "HTTP/0.9":  # a request line we could not read: answer
            self.request_version = "HTTP/1.1"  # with a status line all the same
        self.connection.settimeout(WRITE_TIMEOUT)
        self.log_request(response.status, len(body))  # before the client can have the answer
        try:
            self.send_response_only(response.status)
            self.send_header("Server", self.version_string())
            self.send_header("Date", self.date_time_string())
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Access-Control-Allow-Origin", "*")
            for key, value in headers.items():
                self.send_header(key, value)
            if self.close_connection:
                self.send_header("Connection", "close")
            self._headers_buffer.append(b"\r\n")  # end_headers, with the body in the same write
            if self.command != "HEAD":
                self._headers_buffer.append(body)
            self.flush_headers()
        except OSError:  # the client went away: nothing more to say to it
            self.close_connection = True

    def _takes_gzip(self) -> bool:
        headers = getattr(self, "headers", None)  # unset when the request line was unreadable
        ranges = accepted((headers.get("Accept-Encoding") if headers else None) or "")
        return "gzip" in ranges or "*" in ranges

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The standard library's own errors (a request line or headers it cannot read) in
        our plain-text form, and the connection closed."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self._send(error_response(HTTPError(code, message or HTTPStatus(code).phrase)))

    # -- the log ----------------------------------------------------------------------------

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """One line per request in the Common Log Format."""
        when = time.strftime("%d/%b/%Y:%H:%M:%S %z", time.localtime())
        status = code.value if isinstance(code, HTTPStatus) else code
        line = self.requestline.encode("unicode_escape").decode("ascii").replace('"', '\\"')
        self.server.log(f'{self.address_string()} - - [{when}] "{line}" {status} {size}')

    def log_message(self, format: str, *args: Any) -> None:
        self.server.log(f"{self.address_string()}: {format % args}")


OPTIONS_HEADERS = {
    "Allow": "GET, POST, PUT, DELETE, OPTIONS",
    "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Authorization, Content-Type",
}


def error_response(err: HTTPError) -> Response:
    """A 4xx/5xx answer: its status line's words and the message, as plain text."""
    try:
        phrase = HTTPStatus(err.status).phrase
    except ValueError:
        phrase = "Error"
    body = f"{err.status} {phrase}: {err.message}\n"
    return Response(err.status, body.encode(), "text/plain; charset=utf-8", err.headers)


def _first(response: Response) -> str:
    return response.body.decode("utf-8", "replace").strip().splitlines()[0][:300]


def _refuse_connection(sock: socket.socket) -> None:
    body = b"503 Service Unavailable: too many connections; try again shortly\n"
    head = (
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\nRetry-After: 1\r\n\r\n"
    )
    with contextlib.suppress(OSError):  # the client left: there is no one to tell
        sock.settimeout(1.0)
        sock.sendall(head.encode() + body)
