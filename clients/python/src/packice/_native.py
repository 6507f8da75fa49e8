"""
Mappings without a descriptor: ``mmap``/``munmap`` through ctypes, unmapped when the last view goes.

CPython's ``mmap.mmap`` keeps a duplicate descriptor for its lifetime and refuses ``close()``
while views exist; a memoryview over a ctypes array at the mapping's address holds nothing but
the pages, and ``weakref.finalize`` unmaps them once no view (or numpy array) refers to them.
"""

from __future__ import annotations

import ctypes
import os
import weakref
from typing import Any, Optional

from .errors import PackIceError

PROT_READ = 0x1
PROT_WRITE = 0x2
MAP_SHARED = 0x01
MAP_PRIVATE = 0x02
MAP_FIXED = 0x10

_libc = ctypes.CDLL(None, use_errno=True)
_mmap = _libc.mmap
_mmap.restype = ctypes.c_void_p
_mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
_munmap = _libc.munmap
_munmap.restype = ctypes.c_int
_munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
_MAP_FAILED = ctypes.c_void_p(-1).value


def _check(addr: Optional[int], what: str) -> int:
    if addr is None or addr == _MAP_FAILED:
        err = ctypes.get_errno()
        raise PackIceError("INTERNAL", f"{what} failed: {os.strerror(err)}", {"errno": err})
    return addr


class WritableMapping:
    """A writable shared mapping of a create lease's blob; :meth:`freeze` makes it private at seal."""

    def __init__(self, array: Any, addr: int, size: int) -> None:
        self._array = weakref.ref(array)
        self.addr = addr
        self.size = size

    def freeze(self, readonly_fd: int) -> None:
        """
        Replaces the shared writable pages in place with a private copy-on-write mapping of the
        same bytes, so the node can seal the memfd (``F_SEAL_WRITE`` fails while a writable shared
        mapping exists) and later writes through the view change only this process's copy.
        """
        array = self._array()  # held while remapping: the finalizer cannot unmap meanwhile
        if array is None:
            return
        flags = MAP_PRIVATE | MAP_FIXED
        _check(_mmap(self.addr, self.size, PROT_READ | PROT_WRITE, flags, readonly_fd, 0), "mmap")
        del array


def map_fd(fd: int, size: int, writable: bool = False) -> "tuple[memoryview, Optional[WritableMapping]]":
    """Maps ``size`` bytes of ``fd`` shared; the view stays valid after ``fd`` is closed."""
    if size == 0:
        return (memoryview(bytearray()) if writable else memoryview(b"")), None
    prot = PROT_READ | (PROT_WRITE if writable else 0)
    addr = _check(_mmap(None, size, prot, MAP_SHARED, fd, 0), "mmap")
    array = (ctypes.c_ubyte * size).from_address(addr)
    weakref.finalize(array, _munmap, addr, size)
    view = memoryview(array).cast("B")
    if writable:
        return view, WritableMapping(array, addr, size)
    return view.toreadonly(), None
