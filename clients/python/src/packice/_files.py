"""File objects over what a lease reaches: a descriptor reopened, bytes, or the data plane."""

from __future__ import annotations

import io
import os
import tempfile
from typing import IO, Iterator, Optional

from ._http import Origin

_FLAGS = {"rb": os.O_RDONLY, "wb": os.O_WRONLY | os.O_TRUNC, "r+b": os.O_RDWR}
CHUNK = 1 << 20


def normal_mode(mode: str) -> Optional[str]:
    """``rb``, ``wb`` or ``r+b`` (``rb+`` spelled either way), else ``None``."""
    return {"rb": "rb", "wb": "wb", "r+b": "r+b", "rb+": "r+b"}.get(mode)


def reopen_fd(fd: int, mode: str) -> IO[bytes]:
    """
    A file with its own offset over the same bytes: ``/proc/self/fd/N`` opened anew, not a dup
    (a dup would share the lease's offset with every other file opened on it).
    """
    new = os.open(f"/proc/self/fd/{fd}", _FLAGS[mode] | os.O_CLOEXEC)
    return os.fdopen(new, mode)


def bytes_file(data: bytes) -> IO[bytes]:
    """A read-only file over a copy of the bytes."""
    return io.BufferedReader(io.BytesIO(data))


def read_all(fd: int, size: int) -> bytes:
    parts = []
    offset = 0
    while offset < size:
        piece = os.pread(fd, min(CHUNK, size - offset), offset)
        if not piece:
            break
        parts.append(piece)
        offset += len(piece)
    return b"".join(parts)


def write_all(fd: int, data: memoryview, offset: int) -> int:
    written = 0
    while written < len(data):
        written += os.pwrite(fd, data[written:], offset + written)
    return written


def chunks_of(file: IO[bytes]) -> Iterator[bytes]:
    while True:
        piece = file.read(CHUNK)
        if not piece:
            return
        yield piece


class UrlWriter(io.RawIOBase):
    """``open('wb')`` of a data-plane blob: spooled here, sent as one streamed PUT at ``close()``."""

    def __init__(self, origin: Origin, url: str) -> None:
        super().__init__()
        self._origin = origin
        self._url = url
        self._spool = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 (closed by close())

    def writable(self) -> bool:
        return True

    def write(self, data: "bytes | bytearray | memoryview") -> int:  # type: ignore[override]
        return self._spool.write(data)

    def close(self) -> None:
        if self.closed:
            return
        try:
            self._spool.seek(0)
            self._origin.put_blob(self._url, chunks_of(self._spool))
        finally:
            self._spool.close()
            super().close()
