"""Bad input raises a coded error before anything is sent; the node's mistakes and absence are coded too."""

from __future__ import annotations

import os
import threading
from typing import Any, Callable, Dict, List, Tuple

import pytest

import packice
from conftest import NodeApp, open_fds, poll


def code_of(call: Callable[[], Any]) -> str:
    with pytest.raises(packice.PackIceError) as raised:
        call()
    return raised.value.code


BAD_CALLS: List[Tuple[str, Callable[[packice.Client], Any], str]] = [
    ("intent", lambda c: c.acquire("write", "x"), "BAD_REQUEST"),
    ("read without id", lambda c: c.acquire("read"), "BAD_REQUEST"),
    ("id rule", lambda c: c.acquire("read", "../etc"), "INVALID_ID"),
    ("id type", lambda c: c.stat(7), "BAD_REQUEST"),  # type: ignore[arg-type]
    ("ttl 0", lambda c: c.acquire("read", "x", ttl_ms=0), "BAD_REQUEST"),
    ("ttl bool", lambda c: c.acquire("read", "x", ttl_ms=True), "BAD_REQUEST"),
    ("timeout negative", lambda c: c.get("x", timeout_ms=-1), "BAD_REQUEST"),
    ("blobs 0", lambda c: c.acquire("create", blobs=0), "BAD_REQUEST"),
    ("blobs too many", lambda c: c.acquire("create", blobs=2000), "BAD_REQUEST"),
    ("negative hint", lambda c: c.acquire("create", blobs=[-1]), "BAD_REQUEST"),
    ("meta value", lambda c: c.put(b"x", meta={"a": 1}), "BAD_REQUEST"),  # type: ignore[dict-item]
    ("meta size", lambda c: c.put(b"x", meta={"k": "v" * 70_000}), "BAD_REQUEST"),
    ("meta on read", lambda c: c.acquire("read", "x", meta={"a": "b"}), "BAD_REQUEST"),
    ("put str", lambda c: c.put("text"), "BAD_REQUEST"),  # type: ignore[arg-type]
    ("put int", lambda c: c.put(5), "BAD_REQUEST"),  # type: ignore[arg-type]
    ("many empty", lambda c: c.acquire_many([]), "BAD_REQUEST"),
    ("many too many", lambda c: c.acquire_many([f"i{n}" for n in range(257)]), "BAD_REQUEST"),
    ("many bad id", lambda c: c.acquire_many(["ok", "/bad"]), "INVALID_ID"),
    ("watch prefix", lambda c: c.watch(prefix=3), "BAD_REQUEST"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("name", "call", "code"), BAD_CALLS, ids=[b[0] for b in BAD_CALLS])
def test_bad_arguments_raise_before_anything_is_sent(
    client: packice.Client, name: str, call: Callable[[packice.Client], Any], code: str
) -> None:
    sent: List[Dict[str, Any]] = []
    transport: Any = client._transport
    real_call, real_acquire = transport.call, transport.acquire

    def counted_call(op: str, params: Dict[str, Any]) -> Any:
        sent.append(params)
        return real_call(op, params)

    def counted_acquire(params: Dict[str, Any], want_bytes: bool = False) -> Any:
        sent.append(params)
        return real_acquire(params, want_bytes)

    transport.call, transport.acquire = counted_call, counted_acquire
    try:
        assert code_of(lambda: call(client)) == code
    finally:
        transport.call, transport.acquire = real_call, real_acquire
    assert sent == []


def test_the_node_s_errors_keep_their_codes(client: packice.Client) -> None:
    object_id = client.put(b"sealed").object_id
    assert code_of(lambda: client.put(b"again", object_id=object_id)) == "ALREADY_EXISTS"
    assert code_of(lambda: client.get("no-such-object")) == "NOT_FOUND"
    with client.acquire("read", object_id) as lease:
        assert code_of(lambda: lease.write(b"x")) == "WRONG_ACCESS"
        assert code_of(lambda: lease.open("wb")) == "WRONG_ACCESS"
        assert code_of(lambda: lease.read(3)) == "NOT_FOUND"
        assert code_of(lambda: lease.open("rw")) == "BAD_REQUEST"
    assert code_of(lease.read) == "LEASE_NOT_FOUND"
    create = client.acquire("create", blobs=[1])
    create.write(b"1")
    create.seal()
    assert code_of(create.seal) == "ALREADY_SEALED"
    assert code_of(lambda: create.write(b"2")) == "ALREADY_SEALED"
    create.release(wait=True)
    creating = client.acquire("create", blobs=1)
    assert code_of(lambda: client.get(creating.object_id)) == "NOT_SEALED"
    creating.release(wait=True)  # aborts the create
    assert code_of(lambda: client.stat(creating.object_id)) == "NOT_FOUND"


def test_a_failed_unwaited_release_is_raised_by_the_next_call(client: packice.Client) -> None:
    object_id = client.put(b"short").object_id
    lease = client.acquire("read", object_id, ttl_ms=1)
    poll(lambda: True if not client.list_leases(object_id) else None, what="the lease to expire")
    lease.release()
    assert code_of(lambda: client.get(object_id)) == "LEASE_NOT_FOUND"
    assert client.get(object_id) == b"short"


def test_targets_that_cannot_work(tmp_path: Any) -> None:
    assert code_of(lambda: packice.connect("memory://shared")) == "BAD_REQUEST"
    assert code_of(lambda: packice.connect("ftp://host")) == "BAD_REQUEST"
    assert code_of(lambda: packice.connect(os.path.join(str(tmp_path), "none.sock"))) == "UNAVAILABLE"
    assert code_of(lambda: packice.connect("http://127.0.0.1:9")) == "UNAVAILABLE"
    os.environ["PACKICE_NODE"] = os.path.join(str(tmp_path), "default.sock")
    try:
        assert code_of(packice.connect) == "UNAVAILABLE"
    finally:
        del os.environ["PACKICE_NODE"]


def test_a_wrong_token_is_unauthorized_with_a_hint() -> None:
    app = NodeApp(http=True)
    try:
        assert app.url is not None
        with pytest.raises(packice.PackIceError) as raised, packice.connect(app.url, token="wrong") as client:
            client.stats()
        assert raised.value.code == "UNAUTHORIZED" and "PACKICE_TOKEN" in raised.value.message
        with packice.connect(app.url) as client:  # the node's own user: the token from its record
            assert client.stats().objects == 0
    finally:
        assert app.stop() == 0


@pytest.mark.parametrize("binding", ["uds", "http"])
def test_a_node_that_goes_away_fails_every_call_with_unavailable(binding: str) -> None:
    before = open_fds()
    app = NodeApp(http=binding == "http")
    target = app.url if binding == "http" else app.socket
    assert target is not None
    client = packice.connect(target)
    client.put(b"x", object_id="kept")
    failures: List[str] = []

    def wait_for_an_object_that_never_comes() -> None:
        try:
            client.get("never", timeout_ms=60_000)
        except packice.PackIceError as err:
            failures.append(err.code)

    waiter = threading.Thread(target=wait_for_an_object_that_never_comes)
    waiter.start()
    with client.acquire("read", "kept") as lease:
        view = lease.map()
    app.kill()
    waiter.join(20)
    assert not waiter.is_alive() and failures == ["UNAVAILABLE"]
    assert code_of(lambda: client.get("kept")) == "UNAVAILABLE"
    assert code_of(client.stats) == "UNAVAILABLE"
    assert bytes(view) == b"x"  # what was mapped stays readable
    client.close()
    assert open_fds() == before
