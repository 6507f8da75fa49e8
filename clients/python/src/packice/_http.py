"""The HTTP binding: JSON routes, the data plane, and the events stream (Server-Sent Events)."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import ssl
import threading
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple
from urllib.parse import quote, unquote, urlencode, urlsplit

from ._releases import ReleaseQueue
from ._targets import http_credentials
from ._transport import Acquired, EventSource, Transport
from .errors import PackIceError, bad_request, error_from_wire, unavailable
from .types import Event

_TOKEN_HINT = " (pass token=, or set PACKICE_TOKEN; the node's own user needs neither)"


class Origin:
    """One node's HTTP base (scheme, host, port) with its token and TLS trust; opens connections."""

    def __init__(self, url: str, token: Optional[str] = None, ca: Optional[str] = None) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise bad_request(f"not an http(s) URL: {url!r}")
        self.base = f"{parts.scheme}://{parts.netloc}"
        credentials = http_credentials(self.base, token, ca)
        self.token = credentials.token
        self._host = parts.hostname
        self._port = parts.port
        self._context = ssl.create_default_context(cadata=credentials.ca) if parts.scheme == "https" else None

    def connection(self, timeout: Optional[float] = None) -> http.client.HTTPConnection:
        if self._context is not None:
            return http.client.HTTPSConnection(self._host, self._port, timeout=timeout, context=self._context)
        return http.client.HTTPConnection(self._host, self._port, timeout=timeout)

    def headers(self, extra: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**headers, **(extra or {})}

    def exchange(
        self,
        conn: http.client.HTTPConnection,
        method: str,
        target: str,
        body: Any = None,
        headers: Optional[Mapping[str, str]] = None,
        retry: bool = False,
    ) -> http.client.HTTPResponse:
        """Sends one request; a keep-alive connection the node had closed is retried once."""
        for attempt in (0, 1):
            reused = conn.sock is not None
            try:
                conn.request(method, target, body=body, headers=self.headers(headers))
                return conn.getresponse()
            except ssl.SSLCertVerificationError as err:
                conn.close()
                raise unavailable(
                    f"{self.base}'s certificate is not trusted (pass ca=, or set PACKICE_CA)", err
                ) from None
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as err:
                conn.close()
                if not (retry and reused and attempt == 0):
                    raise unavailable(f"the connection to {self.base} was lost", err) from None
            except (OSError, http.client.HTTPException) as err:
                conn.close()
                raise unavailable(f"cannot reach a PackIce node at {self.base}", err) from None
        raise AssertionError("unreachable")

    def open_blob(self, url: str) -> http.client.HTTPResponse:
        """A blob's bytes from the data plane, as a readable binary stream on its own connection."""
        path = _path_of(url)
        conn = self.connection()
        response = self.exchange(conn, "GET", path)
        if response.status != 200:
            check(response)
        return response

    def put_blob(self, url: str, chunks: Iterable[bytes]) -> int:
        """Replaces a create lease's blob with ``chunks`` (streamed, chunked encoding); its new size."""
        conn = self.connection()
        try:
            response = self.exchange(conn, "PUT", _path_of(url), chunks, {"Content-Type": "application/octet-stream"})
            return int(check(response).get("size", 0))
        finally:
            conn.close()


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def check(response: http.client.HTTPResponse) -> Dict[str, Any]:
    """The JSON of a successful answer, or the node's error raised (with the status kept)."""
    data = response.read()
    body: Any = None
    if data:
        try:
            body = json.loads(data)
        except ValueError:
            body = None
    if response.status < 400:
        return body if isinstance(body, dict) else {}
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        err = error_from_wire(body["error"])
        if err.code == "UNAUTHORIZED":
            return _raise(PackIceError(err.code, err.message + _TOKEN_HINT, err.details))
        raise err
    code = "UNAVAILABLE" if response.status in (502, 503, 504) else "INTERNAL"
    raise PackIceError(code, f"HTTP {response.status} without an error body", {"status": response.status})


def _raise(err: PackIceError) -> Dict[str, Any]:
    raise err


_ROUTES: Dict[str, Tuple[str, str]] = {
    "seal": ("POST", "/v1/leases/{lease_id}/seal"),
    "renew": ("POST", "/v1/leases/{lease_id}/renew"),
    "release": ("DELETE", "/v1/leases/{lease_id}"),
    "list_leases": ("GET", "/v1/leases"),
    "list_objects": ("GET", "/v1/objects"),
    "stat": ("GET", "/v1/objects/{object_id}"),
    "delete": ("DELETE", "/v1/objects/{object_id}"),
    "stats": ("GET", "/v1/stats"),
    "health": ("GET", "/v1/health"),
}


class _EventStream(EventSource):
    def __init__(self, origin: Origin, prefix: Optional[str], replay: bool) -> None:
        query: Dict[str, str] = {}
        if prefix is not None:
            query["prefix"] = prefix
        if replay:
            query["replay"] = "true"
        self._conn = origin.connection()
        self._closed = False
        try:
            self._conn.connect()
        except OSError as err:
            raise unavailable(f"cannot reach a PackIce node at {origin.base}", err) from None
        # Kept apart: the connection lets go of its socket once the response owns it.
        self._sock: Optional[socket.socket] = self._conn.sock
        self._in_next = False
        response = origin.exchange(
            self._conn, "GET", "/v1/events?" + urlencode(query), None, {"Accept": "text/event-stream"}
        )
        if response.status != 200:
            self._conn.close()
            check(response)
        self._response = response

    def next(self) -> Optional[Event]:
        self._in_next = True
        try:
            return self._next()
        finally:
            self._in_next = False
            if self._closed:
                self._release()

    def _next(self) -> Optional[Event]:
        data: List[str] = []
        while True:
            try:
                raw = self._response.readline()
            except Exception as err:  # a close() from another thread tears the response down mid-read
                if self._closed:
                    return None
                raise unavailable("the event stream was lost", err) from None
            if not raw:
                if self._closed:
                    return None
                raise unavailable("the node ended the event stream (it is shutting down): watch again")
            line = raw.decode("utf-8").rstrip("\r\n")
            if not line:
                if data:
                    return Event.from_wire(json.loads("\n".join(data)))
                continue
            name, _, value = line.partition(":")
            if name == "data":
                data.append(value[1:] if value.startswith(" ") else value)

    def close(self) -> None:
        self._closed = True
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked reading the stream
        if not self._in_next:
            self._release()

    def _release(self) -> None:
        with contextlib.suppress(Exception):
            self._response.close()
        self._conn.close()


class HttpTransport(Transport):
    kind = "http"

    def __init__(self, url: str, token: Optional[str], ca: Optional[str], timeout_s: float = 5.0) -> None:
        self.origin = Origin(url, token, ca)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: List[http.client.HTTPConnection] = []
        self._releases = ReleaseQueue(self._release_alone)
        probe = self.origin.connection(timeout=timeout_s)
        try:
            health = check(self.origin.exchange(probe, "GET", "/v1/health"))
        finally:
            probe.close()
        self.storage = str(health.get("storage", "unknown"))
        # The HTTP binding takes `release` on acquire; creates write through the data plane.
        self.features = frozenset({"release-with-acquire"})

    def _connection(self) -> http.client.HTTPConnection:
        conn: Optional[http.client.HTTPConnection] = getattr(self._local, "conn", None)
        if conn is None:
            conn = self.origin.connection()
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def _send(
        self, method: str, target: str, body: Optional[Dict[str, Any]] = None, headers: Optional[Dict[str, str]] = None
    ) -> http.client.HTTPResponse:
        data = json.dumps(body).encode() if body is not None else None
        extra = {"Content-Type": "application/json", **(headers or {})} if data is not None else headers
        return self.origin.exchange(self._connection(), method, target, data, extra, retry=True)

    def call(self, op: str, params: Dict[str, Any]) -> Dict[str, Any]:
        self._releases.raise_failure()
        self._releases.flush()
        return self._call(op, params)

    def _call(self, op: str, params: Dict[str, Any]) -> Dict[str, Any]:
        if op not in _ROUTES:
            raise PackIceError("UNKNOWN_OP", f"{op} has no HTTP route")
        method, template = _ROUTES[op]
        rest = dict(params)
        path = template
        for name in ("lease_id", "object_id"):
            if "{" + name + "}" in path:
                path = path.replace("{" + name + "}", quote(str(rest.pop(name)), safe=""))
        if method == "POST":
            return check(self._send(method, path, rest))
        query = {k: str(v) for k, v in rest.items() if v is not None}
        return check(self._send(method, path + ("?" + urlencode(query) if query else "")))

    def acquire(self, params: Dict[str, Any], want_bytes: bool = False) -> Acquired:
        self._releases.raise_failure()
        riding = self._releases.take()
        body = {**params, "release": riding} if riding else params
        accept = {"Accept": "application/octet-stream, application/json"} if want_bytes else None
        response = self._send("POST", "/v1/leases", body, accept)
        if response.status == 201 and (response.getheader("Content-Type") or "").startswith("application/octet-stream"):
            data = response.read()
            answer = {
                name: json.loads(unquote(response.getheader(f"PackIce-{header}") or "null"))
                for name, header in (("lease", "Lease"), ("object", "Object"), ("release_failed", "Release-Failed"))
            }
            return self._settled(Acquired(answer, [], data))
        return self._settled(Acquired(check(response), []))

    def _settled(self, acquired: Acquired) -> Acquired:
        failed = acquired.answer.get("release_failed")
        if isinstance(failed, list) and failed:
            self._releases.failed(error_from_wire(failed[0].get("error")))
        return acquired

    def acquire_many(self, params: Dict[str, Any]) -> Optional[Acquired]:
        return None

    def release(self, lease_id: str, wait: bool) -> None:
        if wait:
            self.call("release", {"lease_id": lease_id})
        else:
            self._releases.add(lease_id)

    def _release_alone(self, lease_id: str) -> None:
        try:
            self._call("release", {"lease_id": lease_id})
        except PackIceError as err:
            if err.code == "UNAVAILABLE":
                raise
            self._releases.failed(err)

    def watch(self, prefix: Optional[str], replay: bool) -> EventSource:
        self._releases.flush()
        return _EventStream(self.origin, prefix, replay)

    def close(self) -> None:
        with contextlib.suppress(PackIceError):
            self._releases.flush()
        self._releases.close()
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()
