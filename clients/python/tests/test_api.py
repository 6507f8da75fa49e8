"""Every call of the client against the real node app: UDS and HTTP, memory and fs storage."""

from __future__ import annotations

import hashlib
import io
import os
import sys
import threading
import uuid
from typing import List, Optional, Tuple

import pytest

import packice
from conftest import NodeApp, poll


def fresh(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.mark.parametrize("size", [0, 5, 4096, 70_000, 3 << 20])
def test_put_then_get_returns_the_same_bytes(client: packice.Client, size: int) -> None:
    payload = os.urandom(size)
    object_id = fresh()
    info = client.put(payload, object_id=object_id, meta={"kind": "test"})
    assert (info.object_id, info.state, info.size, dict(info.meta)) == (object_id, "sealed", size, {"kind": "test"})
    assert [b.size for b in info.blobs] == [size]
    assert client.get(object_id) == payload


def test_put_streams_a_file_object_and_a_pipe_like_stream(client: packice.Client, tmp_path: object) -> None:
    payload = os.urandom(2_500_000)
    path = os.path.join(str(tmp_path), "source.bin")
    with open(path, "wb") as file:
        file.write(payload)
    with open(path, "rb") as file:
        first = client.put(file, object_id=fresh())
    assert first.size == len(payload)
    assert client.get(first.object_id) == payload
    stream = io.BufferedReader(io.BytesIO(payload))  # no fileno: no size hint, streamed
    second = client.put(stream)
    assert second.size == len(payload)
    assert hashlib.sha256(client.get(second.object_id)).digest() == hashlib.sha256(payload).digest()


def test_a_create_lease_writes_several_blobs_and_seals(client: packice.Client) -> None:
    object_id = fresh()
    with client.acquire("create", object_id, blobs=[3, None], meta={"a": "b"}) as lease:
        assert (lease.access, lease.object_id, lease.object.state) == ("create", object_id, "creating")
        assert lease.lease_id and lease.expires_at > 0
        lease.write(b"abc", blob=0)
        with lease.open("wb", blob=1) as file:
            file.write(b"second blob")
        sealed = lease.seal()
        assert sealed.state == "sealed" and [b.size for b in sealed.blobs] == [3, 11]
    with client.acquire("read", object_id) as lease:
        assert lease.read(0) == b"abc"
        assert bytes(lease.map(1)) == b"second blob"
        with lease.open("rb", blob=1) as file:
            assert file.read(6) == b"second"
            assert file.read() == b" blob"


def test_map_is_read_only_and_outlives_release_and_delete(client: packice.Client) -> None:
    payload = os.urandom(300_000)
    object_id = client.put(payload).object_id
    lease = client.acquire("read", object_id)
    view = lease.map()
    assert view.readonly and len(view) == len(payload)
    with pytest.raises(TypeError):
        view[0] = 1
    lease.release()
    client.delete(object_id)
    assert bytes(view) == payload


def test_map_writable_writes_in_place_and_the_view_stops_sharing_at_seal(client: packice.Client) -> None:
    object_id = fresh()
    lease = client.acquire("create", object_id, blobs=[8])
    if client.transport == "http" and client.storage == "mem":
        with pytest.raises(packice.PackIceError) as raised:
            lease.map_writable()
        assert raised.value.code == "BAD_REQUEST"
        lease.release(wait=True)
        return
    view = lease.map_writable()
    view[:] = b"01234567"
    lease.seal()
    view[0] = ord("X")  # a private copy now: the sealed object does not change
    lease.release()
    assert client.get(object_id) == b"01234567"


def test_a_zero_size_blob_maps_to_an_empty_view(client: packice.Client) -> None:
    object_id = client.put(b"").object_id
    with client.acquire("read", object_id) as lease:
        assert bytes(lease.map()) == b"" and lease.read() == b""


def test_stat_list_and_delete(client: packice.Client) -> None:
    object_id = client.put(b"listed").object_id
    assert client.stat(object_id).size == 6
    assert object_id in {o.object_id for o in client.list_objects()}
    lease = client.acquire("read", object_id)
    assert [entry.lease_id for entry in client.list_leases(object_id)] == [lease.lease_id]
    held = client.list_leases(object_id)[0]
    assert (held.access, held.holder["transport"]) == ("read", client.transport)
    assert client.delete(object_id) == packice.DeleteResult(deleted=False, pending=True)
    with pytest.raises(packice.PackIceError) as raised:
        client.stat(object_id)
    assert raised.value.code == "NOT_FOUND"
    lease.release(wait=True)
    assert object_id not in {o.object_id for o in client.list_objects()}
    other = client.put(b"x").object_id
    assert client.delete(other) == packice.DeleteResult(deleted=True, pending=False)


def test_list_objects_pages_through_more_than_a_page(client: packice.Client) -> None:
    prefix = fresh("page")
    ids = {client.put(b"p", object_id=f"{prefix}-{i:04d}").object_id for i in range(1_050)}
    listed = {o.object_id for o in client.list_objects() if o.object_id.startswith(prefix)}
    assert listed == ids
    for object_id in ids:
        client.delete(object_id)


def test_stats_counts_objects_and_leases(client: packice.Client) -> None:
    before = client.stats()
    object_id = client.put(b"counted").object_id
    with client.acquire("read", object_id):
        now = client.stats()
        assert now.objects == before.objects + 1 and now.leases >= before.leases + 1
        assert now.bytes > before.bytes and now.uptime_ms >= before.uptime_ms
    client.delete(object_id)


def test_renew_extends_a_lease(client: packice.Client) -> None:
    object_id = client.put(b"r").object_id
    with client.acquire("read", object_id, ttl_ms=1_000) as lease:
        first = lease.expires_at
        assert lease.renew(ttl_ms=60_000) > first
        assert lease.ttl_ms == 60_000


def _blocked_reading(thread: threading.Thread) -> Optional[bool]:
    """Whether ``thread`` waits for the node's answer (its stack is inside a socket read)."""
    frame = sys._current_frames().get(thread.ident or -1)
    while frame is not None:
        if frame.f_code.co_name in ("_await", "getresponse"):
            return True
        frame = frame.f_back
    return None


def test_a_read_waits_for_the_seal(client: packice.Client, node: Tuple[NodeApp, str]) -> None:
    object_id = fresh()
    got: List[bytes] = []
    with packice.connect(node[1]) as writer:
        lease = writer.acquire("create", object_id, blobs=[4])
        reader = threading.Thread(target=lambda: got.append(client.get(object_id, timeout_ms=10_000)))
        reader.start()
        poll(lambda: _blocked_reading(reader), what="the reader to wait for its answer")
        assert got == []
        lease.write(b"late")
        lease.seal()
        lease.release()
        reader.join(15)
    assert got == [b"late"]
    with pytest.raises(packice.PackIceError) as raised:
        client.get(fresh(), timeout_ms=50)
    assert raised.value.code == "TIMEOUT"


def test_acquire_many_answers_a_lease_or_an_error_per_id(client: packice.Client) -> None:
    a, b = client.put(b"first").object_id, client.put(os.urandom(100_000)).object_id
    missing = fresh()
    results = client.acquire_many([a, missing, b])
    assert isinstance(results[0], packice.Lease) and isinstance(results[2], packice.Lease)
    assert isinstance(results[1], packice.PackIceError) and results[1].code == "NOT_FOUND"
    assert results[0].read() == b"first" and len(results[2].map()) == 100_000
    for result in results:
        if isinstance(result, packice.Lease):
            result.release()


def test_watch_sees_sealed_and_deleted_events_and_replays(client: packice.Client) -> None:
    prefix = fresh("w")
    early = client.put(b"before", object_id=f"{prefix}-0").object_id
    with client.watch(prefix=prefix, replay=True) as watch:
        replayed = next(watch)
        assert (replayed.event, replayed.object_id, replayed.replay, replayed.size) == ("sealed", early, True, 6)
        client.put(b"after", object_id=f"{prefix}-1", meta={"m": "1"})
        sealed = next(watch)
        assert (sealed.event, sealed.object_id, sealed.replay, dict(sealed.meta or {})) == (
            "sealed",
            f"{prefix}-1",
            False,
            {"m": "1"},
        )
        client.delete(early)
        deleted = next(watch)
        assert (deleted.event, deleted.object_id, deleted.size) == ("deleted", early, deleted.size)
        assert deleted.seq is not None and sealed.seq is not None and deleted.seq > sealed.seq
    assert list(watch) == []


def test_the_client_says_what_it_reached(client: packice.Client, node: Tuple[NodeApp, str]) -> None:
    assert client.storage == node[0].storage
    assert client.transport == ("http" if node[1].startswith("http") else "uds")
    if client.transport == "uds":
        assert {"fd-handles", "inline-bytes", "release-with-acquire"} <= client.features
