"""One client shared by threads: answers routed by request id; an open watch blocks nobody."""

from __future__ import annotations

import os
import threading
from typing import List, Tuple

import packice
from conftest import NodeApp

THREADS = 8
ROUNDS = 40


def test_threads_share_one_client(node: Tuple[NodeApp, str]) -> None:
    errors: List[BaseException] = []
    with packice.connect(node[1]) as client:
        watch = client.watch(prefix="thread-")
        seen: List[str] = []
        watcher = threading.Thread(target=lambda: seen.extend(e.object_id or "" for e in watch))
        watcher.start()

        def work(n: int) -> None:
            try:
                for i in range(ROUNDS):
                    payload = os.urandom(100 + (i * 997 + n * 7919) % 90_000)
                    object_id = client.put(payload, object_id=f"thread-{n}-{i}").object_id
                    with client.acquire("read", object_id) as lease:
                        assert bytes(lease.map()) == payload
                    assert client.get(object_id) == payload
                    assert client.stat(object_id).size == len(payload)
            except BaseException as err:
                errors.append(err)

        workers = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(120)
        assert errors == []
        assert client.stats().objects >= THREADS * ROUNDS
        watch.close()  # from another thread than the one iterating
        watcher.join(10)
        assert not watcher.is_alive()
        assert len(seen) <= THREADS * ROUNDS
