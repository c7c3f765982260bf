"""A request as the views see it, and the response they give: plain data, no sockets.

The stdlib server (``kb.http.server``) turns each HTTP request into a ``Request`` and writes
back the ``Response`` the route returns, so views can be called and tested in-process.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


class HTTPError(Exception):
    """An answer other than 2xx, with a message a person can read."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}

    def __reduce__(self) -> tuple[object, ...]:  # raised in a worker, re-raised here
        return (type(self), (self.status, self.message, self.headers))


@dataclass
class Request:
    """One HTTP request: method, path, query parameters (each a list, the last one wins),
    headers, and the body, read only when a view asks for it."""

    method: str
    path: str
    params: dict[str, list[str]]
    headers: Mapping[str, str]
    read_body: Callable[[], bytes] = field(default=lambda: b"", repr=False)
    address: str = ""
    """The ``host:port`` the server listens on."""

    def param(self, name: str) -> str | None:
        values = self.params.get(name)
        return values[-1] if values else None

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    @property
    def media_type(self) -> str:
        """The body's media type, lower case, without parameters."""
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def body(self) -> bytes:
        return self.read_body()


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)
    gzipped: bytes | None = field(default=None, repr=False)
    """The body compressed once ahead (a static asset), sent to clients that take gzip."""


def json_response(value: Any) -> Response:
    body = json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8")
    return Response(200, body, "application/json; charset=utf-8")


def allow(request: Request, *methods: str) -> None:
    """405 unless the request's method is one of ``methods``."""
    if request.method not in methods:
        raise HTTPError(
            405,
            f"{request.method} is not allowed here; use {', '.join(methods)}",
            {"Allow": ", ".join(methods)},
        )
