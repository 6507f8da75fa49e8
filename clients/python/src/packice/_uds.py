"""
The UDS binding: JSON lines over a Unix stream socket, descriptors with ``SCM_RIGHTS``.

A client may be shared between threads. There is no reader thread: whichever thread is waiting
(for an answer or an event) and finds nobody reading becomes the one reader, routes every line
it receives by request id (and each answer's descriptors, from one FIFO, with it) to whoever waits
for it, and hands the socket on when its own answer has come. So a thread alone pays no thread
switch per round trip, and an open ``watch()`` never blocks other threads' calls.
"""

from __future__ import annotations

import array
import contextlib
import itertools
import json
import os
import socket
import threading
from collections import deque
from typing import Any, Callable, Deque, Dict, List, Optional, Tuple

from ._releases import ReleaseQueue
from ._transport import CLIENT_FEATURES, Acquired, EventSource, Transport
from ._version import __version__
from .errors import PackIceError, error_from_wire, unavailable
from .types import Event

MAX_FDS = 253
MAX_LINE = 1 << 20
_ANCILLARY = socket.CMSG_SPACE(MAX_FDS * array.array("i").itemsize)

Answer = Tuple[Dict[str, Any], List[int]]
_encode = json.JSONEncoder(separators=(",", ":")).encode  # one encoder: dumps() with options makes one per call


def _copy(err: PackIceError) -> PackIceError:
    return PackIceError(err.code, err.message, err.details)


def _close_all(fds: List[int]) -> None:
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)


class _Subscription(EventSource):
    def __init__(self, transport: UdsTransport, subscription_id: str) -> None:
        self._t = transport
        self.id = subscription_id
        self.items: Deque[Dict[str, Any]] = deque()
        self.ended = False
        self.error: Optional[PackIceError] = None

    def next(self) -> Optional[Event]:
        self._t._await(lambda: bool(self.items) or self.ended)
        with self._t._cond:
            if self.items:
                return Event.from_wire(self.items.popleft())
            if self.error is not None:
                raise _copy(self.error)
            return None

    def close(self) -> None:
        with self._t._cond:
            if self.ended:
                return
            self.ended = True
            self._t._subs.pop(self.id, None)
            self._t._cond.notify_all()
        with contextlib.suppress(PackIceError):  # the connection is gone: so is the subscription
            self._t.call("unsubscribe", {"subscription_id": self.id})


class UdsTransport(Transport):
    kind = "uds"

    def __init__(self, path: str, timeout_s: float = 5.0) -> None:
        self.path = path
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        try:
            sock.settimeout(timeout_s)
            sock.connect(path)
            sock.settimeout(None)
        except OSError as err:
            sock.close()
            raise unavailable(f"no PackIce node listening at {path}", err) from None
        self._sock = sock
        self._send_lock = threading.Lock()
        self._cond = threading.Condition(threading.Lock())
        self._reading = False
        self._answers: Dict[int, Answer] = {}
        self._expect: Dict[int, str] = {}
        self._subs: Dict[str, _Subscription] = {}
        self._fifo: Deque[int] = deque()
        self._buffer = bytearray()
        self._chunk = memoryview(bytearray(256 * 1024))
        self._ids = itertools.count(1)
        self._error: Optional[PackIceError] = None
        self._closed = False
        self._releases = ReleaseQueue(self._release_alone)
        try:
            hello = self.call("hello", {"client": f"packice-python/{__version__}", "features": list(CLIENT_FEATURES)})
        except BaseException:
            self.close()
            raise
        self.storage = str(hello.get("storage", ""))
        self.features = frozenset(f for f in hello.get("features", []) if isinstance(f, str))

    # -- requests ---------------------------------------------------------------------------

    def _send(self, op: str, params: Dict[str, Any], expect: str) -> int:
        rid = next(self._ids)
        data = _encode({"id": rid, "op": op, **params}).encode() + b"\n"
        if len(data) > MAX_LINE:
            raise PackIceError("PAYLOAD_TOO_LARGE", f"a {op} request of {len(data)} bytes is over the 1 MiB line limit")
        with self._cond:
            if self._error is not None:
                raise _copy(self._error)
            self._expect[rid] = expect
        try:
            with self._send_lock:
                self._sock.sendall(data)
        except OSError as err:
            with self._cond:
                self._expect.pop(rid, None)
                self._fail(unavailable("the connection to the node was lost", err))
            raise unavailable("the connection to the node was lost", err) from None
        return rid

    def _release_alone(self, lease_id: str) -> None:
        self._send("release", {"lease_id": lease_id}, "release")

    def _answer(self, rid: int) -> Answer:
        try:
            self._await(lambda: rid in self._answers)
        except BaseException:
            with self._cond:
                self._expect.pop(rid, None)
            raise
        with self._cond:
            self._expect.pop(rid, None)
            line, fds = self._answers.pop(rid)
        if line.get("ok") is not True:
            _close_all(fds)
            raise error_from_wire(line.get("error"))
        return line, fds

    def call(self, op: str, params: Dict[str, Any]) -> Dict[str, Any]:
        self._releases.raise_failure()
        self._releases.flush()
        line, fds = self._answer(self._send(op, params, "subscribe" if op == "subscribe" else "wait"))
        _close_all(fds)
        return line

    def _acquire_op(self, op: str, params: Dict[str, Any]) -> Acquired:
        self._releases.raise_failure()
        params = dict(params)
        if "release-with-acquire" in self.features:
            riding = self._releases.take()
            if riding:
                params["release"] = list(params.get("release", [])) + riding
        else:
            self._releases.flush()
        line, fds = self._answer(self._send(op, params, "wait"))
        failed = line.get("release_failed")
        if isinstance(failed, list) and failed:
            self._releases.failed(error_from_wire(failed[0].get("error")))
        return Acquired(line, fds)

    def acquire(self, params: Dict[str, Any], want_bytes: bool = False) -> Acquired:
        return self._acquire_op("acquire", params)

    def acquire_many(self, params: Dict[str, Any]) -> Optional[Acquired]:
        try:
            return self._acquire_op("acquire_many", params)
        except PackIceError as err:
            if err.code == "UNKNOWN_OP":
                return None  # a node from before acquire_many
            raise

    def release(self, lease_id: str, wait: bool) -> None:
        if wait:
            self.call("release", {"lease_id": lease_id})
        elif "release-with-acquire" in self.features:
            self._releases.add(lease_id)
        else:
            self._send("release", {"lease_id": lease_id}, "release")

    def watch(self, prefix: Optional[str], replay: bool) -> EventSource:
        params: Dict[str, Any] = {"replay": True} if replay else {}
        if prefix is not None:
            params["prefix"] = prefix
        answer = self.call("subscribe", params)
        with self._cond:
            return self._subs[answer["subscription_id"]]

    # -- reading ----------------------------------------------------------------------------

    def _await(self, ready: Callable[[], bool]) -> None:
        """Returns once ``ready()`` holds (checked under the lock), reading meanwhile if nobody else is."""
        with self._cond:
            while not ready():
                if self._error is not None:
                    raise _copy(self._error)
                if not self._reading:
                    self._reading = True
                    break
                self._cond.wait()
            else:
                return
        try:
            while not self._read_and_route(ready):
                pass
        finally:
            with self._cond:
                self._reading = False
                self._cond.notify_all()

    def _read_and_route(self, ready: Callable[[], bool]) -> bool:
        """Reads once and routes what came; whether ``ready()`` now holds (raises a connection error)."""
        try:
            size, ancillary, flags, _ = self._sock.recvmsg_into([self._chunk], _ANCILLARY, socket.MSG_CMSG_CLOEXEC)
        except OSError as err:
            with self._cond:
                self._fail(unavailable("the connection to the node was lost", err))
                return self._settled(ready)
        fds: List[int] = []
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                received = array.array("i")
                received.frombytes(data[: len(data) - len(data) % received.itemsize])
                fds.extend(received)
        with self._cond:
            if flags & socket.MSG_CTRUNC:
                _close_all(fds)
                self._fail(PackIceError("INTERNAL", "a control message was truncated: descriptors lost"))
                return self._settled(ready)
            if size == 0:
                _close_all(fds)
                self._fail(unavailable("the node closed the connection"))
                return self._settled(ready)
            self._fifo.extend(fds)
            self._buffer += self._chunk[:size]
            start = 0
            while self._error is None:
                end = self._buffer.find(b"\n", start)
                if end < 0:
                    break
                self._route(bytes(self._buffer[start:end]))
                start = end + 1
            del self._buffer[:start]
            self._cond.notify_all()
            return self._settled(ready)

    def _settled(self, ready: Callable[[], bool]) -> bool:
        """With the lock held: ``ready()``, else the connection's error raised, else false."""
        if ready():
            return True
        if self._error is not None:
            raise _copy(self._error)
        return False

    def _route(self, raw: bytes) -> None:
        try:
            line = json.loads(raw)
        except ValueError:
            return self._fail(PackIceError("INTERNAL", "the node sent a line that is not JSON"))
        if not isinstance(line, dict):
            return self._fail(PackIceError("INTERNAL", "the node sent a line that is not an object"))
        if "id" not in line and "event" in line:
            sub = self._subs.get(line.get("subscription_id", ""))
            for target in [sub] if sub is not None else list(self._subs.values()):
                target.items.append(line)
            return
        count = line.get("fds", 0)
        if not isinstance(count, int) or count > len(self._fifo):
            return self._fail(PackIceError("INTERNAL", "an answer announced descriptors that did not arrive"))
        fds = [self._fifo.popleft() for _ in range(count)]
        rid = line.get("id")
        if not isinstance(rid, int):
            _close_all(fds)
            if line.get("ok") is False:
                self._fail(error_from_wire(line.get("error")))  # e.g. UNAUTHORIZED: the node closes next
            return
        expect = self._expect.get(rid)
        if expect == "subscribe" and line.get("ok") is True:
            sid = str(line.get("subscription_id"))
            self._subs[sid] = _Subscription(self, sid)
        if expect in ("wait", "subscribe"):
            self._answers[rid] = (line, fds)
            return
        _close_all(fds)  # an answer nobody waits for: its descriptors are still ours to close
        if expect == "release":
            self._expect.pop(rid, None)
            if line.get("ok") is not True:
                self._releases.failed(error_from_wire(line.get("error")))

    def _fail(self, err: PackIceError) -> None:
        """Ends the connection's use (called with the lock held); the first error is kept."""
        if self._error is not None:
            return
        self._error = err
        for sub in self._subs.values():
            sub.ended = True
            sub.error = None if self._closed else err
        self._subs.clear()
        _close_all(list(self._fifo))
        self._fifo.clear()
        self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._fail(PackIceError("UNAVAILABLE", "the client is closed"))
            reading = self._reading
        self._releases.close()
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes a reader blocked in recvmsg
        if reading:
            with self._cond:
                self._cond.wait_for(lambda: not self._reading, timeout=5)
        self._sock.close()
        with self._cond:
            for _, fds in self._answers.values():
                _close_all(fds)
            self._answers.clear()
