"""The Python client and the TypeScript client on one node, both ways, in real processes."""

from __future__ import annotations

import hashlib
import os
import threading
from typing import Iterator, List, Optional

import numpy as np
import pytest

import packice
from conftest import NodeApp, ts_peer

GIB = 1 << 30


@pytest.fixture(scope="module")
def shared_node(runtime_directory: str) -> Iterator[NodeApp]:
    app = NodeApp()
    yield app
    assert app.stop() == 0


def rss_bytes() -> int:
    with open("/proc/self/statm") as file:
        return int(file.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def mapping_of(address: int) -> Optional[str]:
    """The path of what this process maps at ``address`` (per /proc/self/maps)."""
    with open("/proc/self/maps") as file:
        for line in file:
            fields = line.split(maxsplit=5)
            start, end = (int(x, 16) for x in fields[0].split("-"))
            if start <= address < end:
                return fields[5].strip() if len(fields) > 5 else ""
    return None


def test_a_gib_sealed_by_typescript_maps_into_python_without_a_copy(shared_node: NodeApp) -> None:
    produced = ts_peer("produce", shared_node.socket, "gib-from-ts", str(GIB))
    with packice.connect(shared_node.socket) as client, client.acquire("read", "gib-from-ts") as lease:
        before = rss_bytes()
        view = lease.map()
        assert len(view) == GIB
        assert rss_bytes() - before < 64 << 20  # mapped, not copied: no page is resident yet
        assert hashlib.sha256(view).hexdigest() == produced["sha256"]
        del view
    with packice.connect(shared_node.socket) as client:
        client.delete("gib-from-ts")


def test_an_object_sealed_by_python_reads_the_same_in_typescript(shared_node: NodeApp) -> None:
    payload = os.urandom(3 << 20)
    with packice.connect(shared_node.socket) as client:
        with client.acquire("create", "from-python", blobs=[len(payload)]) as lease:
            lease.map_writable()[:] = payload
            lease.seal()
        consumed = ts_peer("consume", shared_node.socket, "from-python")
        assert consumed == {"size": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}
        small = client.put(b"tiny inline object").object_id
        assert ts_peer("consume", shared_node.socket, small)["size"] == 18


def test_events_from_a_typescript_producer_reach_a_python_watch(shared_node: NodeApp) -> None:
    seen: List[packice.Event] = []
    with packice.connect(shared_node.socket) as client, client.watch(prefix="ts-evt") as watch:
        producer = threading.Thread(target=lambda: ts_peer("put", shared_node.socket, "ts-evt", "5"))
        producer.start()
        for event in watch:
            seen.append(event)
            if len(seen) == 5:
                break
        producer.join(60)
    assert [(e.event, e.object_id) for e in seen] == [("sealed", f"ts-evt-{i}") for i in range(5)]
    assert all(e.size == len(f"payload {i}") for i, e in enumerate(seen))


def test_numpy_frombuffer_shares_the_mapped_memory(shared_node: NodeApp) -> None:
    size = 256 << 20
    ts_peer("produce", shared_node.socket, "for-numpy", str(size))
    with packice.connect(shared_node.socket) as client, client.acquire("read", "for-numpy") as lease:
        before = rss_bytes()
        array = np.frombuffer(lease.map(), dtype=np.uint8)
        assert rss_bytes() - before < 16 << 20
        assert not array.flags.writeable and not array.flags.owndata
        assert (mapping_of(array.ctypes.data) or "").startswith("/memfd:")
        assert int(array[0]) == 1 and int(array[size - 1]) == (256 % 251)
    assert int(array[(1 << 20) + 5]) == 2  # the array keeps the mapping alive after release
