"""The client: one connection to a node (UDS or HTTP), shareable between threads."""

from __future__ import annotations

import base64
import io
import os
import stat as stat_mode
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any, Dict, Iterator, List, Optional, Set, Union

from . import _validate as check
from ._files import CHUNK, chunks_of, write_all
from ._transport import INLINE_PUT_MAX, Acquired, EventSource, Transport
from .errors import PackIceError, bad_request
from .lease import Lease
from .types import DeleteResult, Event, LeaseInfo, ObjectInfo, Stats

Data = Union[bytes, bytearray, memoryview, IO[bytes]]
PAGE = 1000


class Watch:
    """The node's events as an iterator; ends on :meth:`close`, ``with``, or the client's close."""

    def __init__(self, client: Client, source: EventSource) -> None:
        self._client = client
        self._source = source
        self._done = False

    def __iter__(self) -> Iterator[Event]:
        return self

    def __next__(self) -> Event:
        if self._done:
            raise StopIteration
        event = self._source.next()
        if event is None:
            self._done = True
            raise StopIteration
        return event

    def __enter__(self) -> Watch:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        if not self._done:
            self._done = True
            self._source.close()
            self._client._watches.discard(self)


class Client:
    """
    A connection to a PackIce node, made by :func:`packice.connect`. Safe to share between
    threads. ``with`` closes it; closing releases its leases (their views stay valid).
    """

    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        self._lock = threading.Lock()
        self._leases: Set[Lease] = set()
        self._watches: Set[Watch] = set()
        self._closed = False

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def transport(self) -> str:
        """``uds`` or ``http``."""
        return self._transport.kind

    @property
    def storage(self) -> str:
        """The node's storage: ``mem`` or ``fs``."""
        return self._transport.storage

    @property
    def features(self) -> "frozenset[str]":
        """What the node said it supports (over UDS, ``hello``'s ``features``)."""
        return self._transport.features

    def _open(self) -> Transport:
        if self._closed:
            raise PackIceError("UNAVAILABLE", "the client is closed")
        return self._transport

    def _hold(self, acquired: Acquired, answer: Dict[str, Any]) -> Lease:
        lease = Lease(self, self._transport, acquired, answer)
        with self._lock:
            self._leases.add(lease)
        return lease

    def _forget(self, lease: Lease) -> None:
        with self._lock:
            self._leases.discard(lease)

    def acquire(
        self,
        intent: str,
        object_id: Optional[str] = None,
        ttl_ms: Optional[int] = None,
        timeout_ms: Optional[int] = None,
        blobs: Optional[check.BlobsArg] = None,
        meta: Optional[Dict[str, str]] = None,
    ) -> Lease:
        """
        A create lease on a new object (``intent="create"``: ``blobs`` a count or size hints,
        ``meta``) or a read lease on a sealed one (``intent="read"``, waiting up to
        ``timeout_ms`` for its seal).
        """
        params = self._acquire_params(intent, object_id, ttl_ms, timeout_ms, blobs, meta)
        acquired = self._open().acquire(params)
        return self._hold(acquired, acquired.answer)

    @staticmethod
    def _acquire_params(
        intent: Any, object_id: Any, ttl_ms: Any, timeout_ms: Any, blobs: Any, meta: Any
    ) -> Dict[str, Any]:
        if intent not in ("read", "create"):
            raise bad_request(f"intent must be 'read' or 'create', not {intent!r}")
        params: Dict[str, Any] = {"intent": intent}
        if object_id is not None or intent == "read":
            if object_id is None:
                raise bad_request("a read acquire needs an object_id")
            params["object_id"] = check.object_id(object_id)
        for name, value in (("ttl_ms", check.ttl_ms(ttl_ms)), ("timeout_ms", check.timeout_ms(timeout_ms))):
            if value is not None:
                params[name] = value
        if intent == "create":
            checked_blobs, checked_meta = check.blobs(blobs), check.meta(meta)
            if checked_blobs is not None:
                params["blobs"] = checked_blobs
            if checked_meta is not None:
                params["meta"] = checked_meta
        elif blobs is not None or meta is not None:
            raise bad_request("blobs and meta apply to creates only")
        return params

    def acquire_many(
        self, object_ids: List[str], ttl_ms: Optional[int] = None, timeout_ms: Optional[int] = None
    ) -> List[Union[Lease, PackIceError]]:
        """Read leases on up to 256 objects, in order: each a :class:`Lease` or the error it got."""
        ids = check.object_ids(object_ids)
        params: Dict[str, Any] = {"object_ids": ids}
        for name, value in (("ttl_ms", check.ttl_ms(ttl_ms)), ("timeout_ms", check.timeout_ms(timeout_ms))):
            if value is not None:
                params[name] = value
        acquired = self._open().acquire_many(params)
        if acquired is None:
            return self._side_by_side(ids, ttl_ms, timeout_ms)
        results: List[Union[Lease, PackIceError]] = []
        used: Set[int] = set()
        for result in acquired.answer.get("results", []):
            if "error" in result:
                from .errors import error_from_wire

                results.append(error_from_wire(result["error"]))
                continue
            lease = self._hold(acquired, result)
            used.update(lease._fds.values())
            results.append(lease)
        for fd in acquired.fds:
            if fd not in used:
                os.close(fd)
        return results

    def _side_by_side(
        self, ids: List[str], ttl_ms: Optional[int], timeout_ms: Optional[int]
    ) -> List[Union[Lease, PackIceError]]:
        def one(object_id: str) -> Union[Lease, PackIceError]:
            try:
                return self.acquire("read", object_id, ttl_ms=ttl_ms, timeout_ms=timeout_ms)
            except PackIceError as err:
                return err

        with ThreadPoolExecutor(max_workers=min(16, len(ids))) as pool:
            return list(pool.map(one, ids))

    def put(self, data: Data, object_id: Optional[str] = None, meta: Optional[Dict[str, str]] = None) -> ObjectInfo:
        """
        Creates, writes and seals a one-blob object from bytes (any buffer) or a binary file
        object (streamed); the sealed object. Up to 64 KiB over UDS it is one request.
        """
        transport = self._open()
        base = self._acquire_params("create", object_id, None, None, None, meta)
        if isinstance(data, str):
            raise bad_request("put() takes bytes or a binary file, not str: encode it first")
        if isinstance(data, (bytes, bytearray, memoryview)):
            view = memoryview(data).cast("B")
            if transport.inline_puts and len(view) <= INLINE_PUT_MAX:
                params = {**base, "blobs": [{"data": base64.b64encode(view).decode()}], "seal": True}
                acquired = transport.acquire(params)
                lease = self._hold(acquired, acquired.answer)
                lease.release()
                return lease.object
            return self._put_stream(base, len(view), lambda lease: lease.write(view))
        if not hasattr(data, "read"):
            raise bad_request(f"put() takes bytes or a binary file, not {type(data).__name__}")
        file: IO[bytes] = data
        return self._put_stream(base, _remaining(file), lambda lease: _copy_into(lease, file))

    def _put_stream(self, base: Dict[str, Any], hint: Optional[int], write: Any) -> ObjectInfo:
        params = {**base, "blobs": [{"size": hint}] if hint is not None else 1}
        lease = self.acquire("create", base.get("object_id"), blobs=params["blobs"], meta=base.get("meta"))
        try:
            write(lease)
            return lease.seal()
        finally:
            lease.release(wait=True)

    def get(self, object_id: str, timeout_ms: Optional[int] = None) -> bytes:
        """The bytes of blob 0 of an object (a copy), waiting up to ``timeout_ms`` for its seal."""
        params = self._acquire_params("read", object_id, None, timeout_ms, None, None)
        acquired = self._open().acquire(params, want_bytes=True)
        lease = self._hold(acquired, acquired.answer)
        try:
            return lease.read(0) if lease._sizes else b""
        finally:
            lease.release(wait=True)

    def stat(self, object_id: str) -> ObjectInfo:
        answer = self._open().call("stat", {"object_id": check.object_id(object_id)})
        return ObjectInfo.from_wire(answer["object"])

    def delete(self, object_id: str) -> DeleteResult:
        """Deletes now (``deleted``), or once its last lease ends (``pending``)."""
        answer = self._open().call("delete", {"object_id": check.object_id(object_id)})
        return DeleteResult(deleted=answer.get("deleted") is True, pending=answer.get("pending") is True)

    def _pages(self, op: str, key: str, params: Dict[str, Any]) -> Iterator[Dict[str, Any]]:
        cursor: Optional[str] = None
        while True:
            page = {**params, "limit": PAGE, **({"cursor": cursor} if cursor else {})}
            answer = self._open().call(op, page)
            yield from answer.get(key, [])
            cursor = answer.get("next_cursor")
            if not cursor:
                return

    def list_objects(self) -> List[ObjectInfo]:
        """Every visible object (paged under the hood)."""
        return [ObjectInfo.from_wire(o) for o in self._pages("list_objects", "objects", {})]

    def list_leases(self, object_id: Optional[str] = None) -> List[LeaseInfo]:
        """Every lease, or those of one object."""
        params = {"object_id": check.object_id(object_id)} if object_id is not None else {}
        return [LeaseInfo.from_wire(item) for item in self._pages("list_leases", "leases", params)]

    def stats(self) -> Stats:
        return Stats.from_wire(self._open().call("stats", {}))

    def watch(self, prefix: Optional[str] = None, replay: bool = False) -> Watch:
        """
        Events as they happen (for ids starting with ``prefix``), with ``replay`` first a
        ``sealed`` event for each object already sealed. Iterate it; ``close()`` ends it.
        """
        if prefix is not None and not isinstance(prefix, str):
            raise bad_request("prefix must be a string")
        watch = Watch(self, self._open().watch(prefix, replay is True))
        with self._lock:
            self._watches.add(watch)
        return watch

    def close(self) -> None:
        """Ends watches and leases (views from ``map()`` stay valid) and the connection."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            leases, self._leases = list(self._leases), set()
            watches, self._watches = list(self._watches), set()
        for watch in watches:
            watch.close()
        for lease in leases:
            lease._drop()
            if self._transport.kind == "http":
                self._transport.release(lease.lease_id, wait=False)  # HTTP leases outlive a connection
        self._transport.close()


def _remaining(file: IO[bytes]) -> Optional[int]:
    """The bytes left in a regular file, as a size hint; ``None`` for streams."""
    try:
        info = os.fstat(file.fileno())
        return info.st_size - file.tell() if stat_mode.S_ISREG(info.st_mode) else None
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        return None


def _copy_into(lease: Lease, file: IO[bytes]) -> None:
    fd = lease._fds.get(0)
    if fd is None:
        with lease.open("wb") as out:
            for piece in chunks_of(file):
                out.write(piece)
        return
    offset = 0
    while True:
        piece = file.read(CHUNK)
        if not piece:
            break
        offset += write_all(fd, memoryview(piece), offset)
    if os.fstat(fd).st_size != offset:
        os.ftruncate(fd, offset)  # a size hint larger than what the stream gave
