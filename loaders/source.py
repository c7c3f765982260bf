"""Reading one input file: standard input, regular files only, and a size limit.

Everything a load reads comes through ``read_input``, so every command that takes files
(``kb load``, ``kb validate``) refuses the same things with the same line, before reading a
byte: a FIFO (reading it could wait forever), a device (``/dev/zero`` never ends), a
directory, a file larger than ``MAX_FILE_BYTES``. ``-`` (or ``/dev/stdin``) is standard
input, read once however often it is named; it holds a fact file unless ``--format`` says
otherwise (``loaders.plan.input_format``).
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

from kb.errors import InputError

MAX_FILE_BYTES = 256 * 2**20
"""The largest file a load reads: 256 MiB (an article is kilobytes; a large RDF dump can be
split, or loaded into pyoxigraph directly)."""
STDIN = "-"
STDIN_NAME = "<stdin>"
"""How standard input is named in messages."""

_stdin: tuple[object, bytes] | None = None  # (the stream, what it held): read once


def is_stdin(path: str | Path) -> bool:
    return str(path) in (STDIN, "/dev/stdin")


def display_name(path: str | Path) -> str:
    """The name messages give the file: ``<stdin>`` for standard input."""
    return STDIN_NAME if is_stdin(path) else str(path)


def read_input(path: str | Path) -> bytes:
    """The bytes of ``path`` (``-`` is standard input), or InputError naming what is wrong."""
    if is_stdin(path):
        return _read_stdin()
    name = str(path)
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO opens without waiting
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror}", path=name) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"not a regular file ({_kind(info.st_mode)})", path=name)
        if info.st_size > MAX_FILE_BYTES:
            raise InputError(_too_large(info.st_size), path=name)
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror}", path=name) from None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:  # it grew while we read it
        raise InputError(_too_large(len(data)), path=name)
    return data


def _read_stdin() -> bytes:
    global _stdin
    if _stdin is None or _stdin[0] is not sys.stdin:
        data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise InputError(_too_large(len(data), more=True), path=STDIN_NAME)
        _stdin = (sys.stdin, data)
    return _stdin[1]


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO: save what it sends to a file, or pipe it into kb load -"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _too_large(size: int, more: bool = False) -> str:
    amount = f"more than {MAX_FILE_BYTES // 2**20} MiB" if more else f"{size / 2**20:.0f} MiB"
    return (
        f"{amount} is larger than the limit of {MAX_FILE_BYTES // 2**20} MiB for one file; split it"
    )


@dataclass(frozen=True)
class LineFinder:
    """The line where a term first appears in a file, for messages about files whose
    parser gives no lines (RDF). It reads the file again only when asked (an error), so a
    planned file need not keep its bytes; ``data`` holds them when it cannot be read again."""

    path: str
    data: bytes | None = field(default=None, repr=False)

    def __call__(self, term: str) -> int | None:
        try:
            data = self.data if self.data is not None else read_input(self.path)
        except InputError:
            return None
        needles = [term.encode("utf-8", "replace")]
        local = term.rstrip("/#").rpartition("#")[2].rpartition("/")[2]
        if local and local != term:
            needles.append(local.encode("utf-8", "replace"))  # a prefixed name
        for needle in needles:
            at = data.find(needle)
            if at >= 0:
                return data.count(b"\n", 0, at) + 1
        return None


def decode_utf8(data: bytes, path: str) -> str:
    """``data`` as text, or InputError naming the line of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(
            f"not UTF-8: byte 0x{data[err.start]:02x} cannot be decoded", path=path, line=line
        ) from None


def read_text(path: str | Path) -> str:
    """A text file (``-``: standard input) as UTF-8, with ``read_input``'s checks."""
    return decode_utf8(read_input(path), display_name(path))
