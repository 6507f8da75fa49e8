"""A lease: read or create access to one object, and the ways to reach its blobs."""

from __future__ import annotations

import base64
import contextlib
import os
from typing import IO, TYPE_CHECKING, Any, Dict, List, Optional, Tuple, Union

from . import _validate as check
from ._files import UrlWriter, bytes_file, normal_mode, read_all, reopen_fd, write_all
from ._http import Origin
from ._native import WritableMapping, map_fd
from ._transport import Acquired, Transport
from .errors import PackIceError, bad_request
from .types import ObjectInfo

if TYPE_CHECKING:
    from .client import Client

Buffer = Union[bytes, bytearray, memoryview]


class Lease:
    """
    Access to one object until :meth:`release` (or expiry). ``with`` releases it. Descriptors it
    received are closed by :meth:`release`; views from :meth:`map` stay valid after it.
    """

    lease_id: str
    object_id: str
    access: str
    ttl_ms: int
    expires_at: int

    def __init__(self, client: Client, transport: Transport, acquired: Acquired, answer: Dict[str, Any]) -> None:
        wire_lease, wire_object = answer["lease"], answer["object"]
        self._client = client
        self._transport = transport
        self.lease_id = wire_lease["lease_id"]
        self.object_id = wire_lease["object_id"]
        self.access = wire_lease["access"]
        self.ttl_ms = wire_lease.get("ttl_ms", 0)
        self.expires_at = wire_lease["expires_at"]
        self._wire_object: Optional[Dict[str, Any]] = wire_object
        self._object: Optional[ObjectInfo] = None
        blobs = wire_object.get("blobs", [])
        self._handles: List[Optional[Dict[str, Any]]] = [b.get("handle") for b in blobs]
        self._sizes: List[int] = [b["size"] for b in blobs]
        self._sealed = wire_object.get("state") == "sealed"
        self._fds: Dict[int, int] = {}
        for index, handle in enumerate(self._handles):
            if handle is not None and handle.get("kind") == "fd":
                self._fds[index] = acquired.fds[handle["fd"]]
        self._body = acquired.body
        self._writable: List[Tuple[int, WritableMapping]] = []
        self._released = False

    def __repr__(self) -> str:
        return f"<Lease {self.access} {self.object_id!r} {self.lease_id}>"

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *_: Any) -> None:
        self.release()

    @property
    def object(self) -> ObjectInfo:
        """The object as the acquire (or the seal) answered it, without handles."""
        if self._object is None:
            self._object = ObjectInfo.from_wire(self._wire_object or {})
            self._wire_object = None
        return self._object

    @property
    def released(self) -> bool:
        return self._released

    def _blob(self, blob: Any) -> int:
        if self._released:
            raise PackIceError("LEASE_NOT_FOUND", f"lease {self.lease_id} was released")
        return check.blob_index(blob, len(self._sizes))

    def _writing(self, blob: Any) -> int:
        index = self._blob(blob)
        if self.access != "create":
            raise PackIceError("WRONG_ACCESS", "only a create lease writes its object")
        if self._sealed:
            raise PackIceError("ALREADY_SEALED", f"object {self.object_id} is sealed")
        return index

    def _origin(self, url: str) -> Origin:
        origin: Optional[Origin] = getattr(self._transport, "origin", None)
        if origin is not None and not url.startswith(("http://", "https://")):
            return origin
        if not url.startswith(("http://", "https://")):
            raise PackIceError("INTERNAL", f"a relative blob URL over {self._transport.kind}: {url}")
        # Another node's data plane (a cluster): every node of it takes the same token.
        return Origin(url, origin.token if origin is not None else None)

    def _inline(self, index: int) -> Optional[bytes]:
        handle = self._handles[index]
        if handle is not None and handle.get("kind") == "inline":
            return base64.b64decode(handle["data"])
        if self._body is not None and index == 0:
            return self._body
        return None

    def _handle(self, index: int, kind: str) -> Optional[str]:
        handle = self._handles[index]
        return handle.get(kind) if handle is not None and handle.get("kind") == kind else None

    def open(self, mode: str = "rb", blob: int = 0) -> IO[bytes]:
        """
        A binary file over blob ``blob``: ``rb``, or on a create lease ``wb``/``r+b``. Over a
        descriptor it has its own offset; bytes the node sent are a read-only file over a copy;
        over the HTTP data plane reads stream, writes are sent when the file is closed.
        """
        normal = normal_mode(mode)
        if normal is None:
            raise bad_request(f"mode must be 'rb', 'wb' or 'r+b', not {mode!r}")
        index = self._writing(blob) if normal != "rb" else self._blob(blob)
        if index in self._fds:
            return reopen_fd(self._fds[index], normal)
        inline = self._inline(index)
        if inline is not None:
            return bytes_file(inline)
        path = self._handle(index, "path")
        if path is not None:
            return open(path, normal)
        url = self._handle(index, "url")
        if url is None:
            raise PackIceError("INTERNAL", f"blob {index} came without a handle")
        if normal == "rb":
            return self._origin(url).open_blob(url)
        if normal == "r+b":
            raise bad_request("a data-plane blob is written whole: open it 'wb'")
        return UrlWriter(self._origin(url), url)  # type: ignore[return-value]

    def read(self, blob: int = 0) -> bytes:
        """The bytes of blob ``blob`` (a copy)."""
        index = self._blob(blob)
        size = self._sizes[index]
        if index in self._fds:
            return read_all(self._fds[index], size if self._sealed else os.fstat(self._fds[index]).st_size)
        inline = self._inline(index)
        if inline is not None:
            return inline
        with self.open("rb", index) as file:
            return file.read()

    def map(self, blob: int = 0) -> memoryview:
        """
        A read-only view of blob ``blob``: zero-copy over a descriptor or a file (it stays valid
        after release, delete or the node's exit; the pages go when the last view does), a copy
        where the node sent bytes or only a data-plane URL reaches them. ``numpy.frombuffer`` takes it.
        """
        index = self._blob(blob)
        size = self._sizes[index]
        if index in self._fds:
            return map_fd(self._fds[index], size)[0]
        path = self._handle(index, "path")
        if path is not None:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            try:
                return map_fd(fd, os.fstat(fd).st_size)[0]
            finally:
                os.close(fd)
        return memoryview(self.read(index))

    def map_writable(self, blob: int = 0) -> memoryview:
        """
        A writable shared view of a create lease's blob, as large as its size hint. At :meth:`seal`
        it becomes a private copy of the sealed bytes: writing it afterwards changes nothing shared.
        """
        index = self._writing(blob)
        size = self._sizes[index]
        if size == 0:
            raise bad_request("map_writable needs a size hint: acquire with blobs=[SIZE]")
        path = self._handle(index, "path")
        if index not in self._fds and path is None:
            raise bad_request("map_writable needs a descriptor or a shared file; write() or open('wb') instead")
        fd = self._fds[index] if index in self._fds else os.open(path or "", os.O_RDWR | os.O_CLOEXEC)
        try:
            view, mapping = map_fd(fd, size, writable=True)
        finally:
            if index not in self._fds:
                os.close(fd)
        if mapping is not None:
            self._writable.append((index, mapping))
        return view

    def write(self, data: Buffer, blob: int = 0, offset: int = 0) -> int:
        """Writes ``data`` at ``offset`` of a create lease's blob; over the data plane, whole blobs only."""
        index = self._writing(blob)
        view = memoryview(data).cast("B")
        check.int_range(offset, "offset", 0, 1 << 62)
        if index in self._fds:
            return write_all(self._fds[index], view, offset)
        path = self._handle(index, "path")
        if path is not None:
            fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
            try:
                return write_all(fd, view, offset)
            finally:
                os.close(fd)
        url = self._handle(index, "url")
        if url is None or offset != 0:
            raise bad_request("a data-plane blob is written whole, from offset 0")
        self._origin(url).put_blob(url, [bytes(view)])
        return len(view)

    def seal(self) -> ObjectInfo:
        """Seals the object (create lease): its bytes are immutable from now on."""
        if self._released:
            raise PackIceError("LEASE_NOT_FOUND", f"lease {self.lease_id} was released")
        for index, mapping in self._writable:
            self._freeze(index, mapping)
        self._writable.clear()
        answer = self._transport.call("seal", {"lease_id": self.lease_id})
        self._object = ObjectInfo.from_wire(answer["object"])
        self._sizes = [b.size for b in self._object.blobs]
        self._sealed = True
        return self._object

    def _freeze(self, index: int, mapping: WritableMapping) -> None:
        path = f"/proc/self/fd/{self._fds[index]}" if index in self._fds else self._handle(index, "path")
        readonly = os.open(path or "", os.O_RDONLY | os.O_CLOEXEC)
        try:
            mapping.freeze(readonly)
        finally:
            os.close(readonly)

    def renew(self, ttl_ms: Optional[int] = None) -> int:
        """Extends the lease by ``ttl_ms`` (default its own) from now; the new ``expires_at``."""
        if self._released:
            raise PackIceError("LEASE_NOT_FOUND", f"lease {self.lease_id} was released")
        params: Dict[str, Any] = {"lease_id": self.lease_id}
        if ttl_ms is not None:
            params["ttl_ms"] = check.ttl_ms(ttl_ms)
        lease = self._transport.call("renew", params)["lease"]
        self.ttl_ms = lease.get("ttl_ms", self.ttl_ms)
        self.expires_at = lease["expires_at"]
        return self.expires_at

    def release(self, wait: bool = False) -> None:
        """
        Ends the lease (a create lease not sealed aborts its object). Without ``wait`` the release
        rides on this client's next acquire, or goes alone a moment later; a failure of it is
        raised by the client's next call. Releasing twice does nothing.
        """
        if self._released:
            return
        self._released = True
        self._drop()
        self._client._forget(self)
        self._transport.release(self.lease_id, wait)

    def _drop(self) -> None:
        """Closes the lease's descriptors (its mappings stay)."""
        self._released = True
        fds, self._fds = list(self._fds.values()), {}
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)
