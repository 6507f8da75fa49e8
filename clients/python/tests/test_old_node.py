"""Without the small-object additions: a client that announces none and sees none works as version 1."""

from __future__ import annotations

from typing import Iterator

import numpy as np
import pytest

import packice
import packice._uds
from conftest import NodeApp, poll
from test_interop import mapping_of

VERSION_1_FEATURES = frozenset({"fd-handles", "wait-for-seal", "peer-credentials"})


@pytest.fixture
def old_style(uds_node: NodeApp, monkeypatch: pytest.MonkeyPatch) -> Iterator[packice.Client]:
    monkeypatch.setattr(packice._uds, "CLIENT_FEATURES", ())
    with packice.connect(uds_node.socket) as client:
        client._transport.features = VERSION_1_FEATURES  # as a node from before the additions answers
        yield client


def test_small_objects_travel_as_sealed_descriptors_and_puts_take_three_requests(old_style: packice.Client) -> None:
    info = old_style.put(b"small and old", object_id="old-1")
    assert (info.state, info.size) == ("sealed", 13)
    with old_style.acquire("read", "old-1") as lease:
        assert lease._handles == [{"kind": "fd", "fd": 0}]
        view = lease.map()
        assert bytes(view) == b"small and old"
        assert (mapping_of(np.frombuffer(view, dtype=np.uint8).ctypes.data) or "").startswith("/memfd:")
    assert old_style.get("old-1") == b"small and old"


def test_unwaited_releases_go_alone_without_release_with_acquire(old_style: packice.Client) -> None:
    old_style.put(b"x", object_id="old-2")
    lease = old_style.acquire("read", "old-2")
    assert len(old_style.list_leases("old-2")) == 1
    lease.release()
    poll(lambda: True if not old_style.list_leases("old-2") else None, what="the release to arrive")
