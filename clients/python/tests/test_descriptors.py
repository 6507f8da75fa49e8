"""No descriptor stays open after close(); views from map() stay valid after release and close."""

from __future__ import annotations

import os
from typing import Tuple

import packice
from conftest import NodeApp, open_fds


def test_no_descriptor_is_left_open_after_close(node: Tuple[NodeApp, str]) -> None:
    before = open_fds()
    client = packice.connect(node[1])
    views = []
    ids = [client.put(os.urandom(n)).object_id for n in (10, 5_000, 200_000)]
    for object_id in ids:
        with client.acquire("read", object_id) as lease:
            views.append(lease.map())
            with lease.open() as file:
                file.read(1)
    many = client.acquire_many(ids)
    held = client.acquire("read", ids[2])  # still held at close: close() ends it
    held.map()
    writer = client.acquire("create", blobs=[4])
    writer.write(b"open")
    for result in many:
        assert isinstance(result, packice.Lease)
        result.release()
    with client.watch():
        client.put(b"evented")
    client.close()
    assert open_fds() == before
    assert [len(v) for v in views] == [10, 5_000, 200_000]  # views outlive the client


def test_a_read_lease_holds_one_descriptor_per_blob_until_released(uds_node: NodeApp) -> None:
    with packice.connect(uds_node.socket) as client:
        object_id = client.put(os.urandom(100_000)).object_id
        before = open_fds()
        lease = client.acquire("read", object_id)
        assert len(open_fds()) == len(before) + 1
        view = lease.map()
        lease.release()
        assert open_fds() == before
        del view
