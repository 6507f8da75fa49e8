"""Unwaited releases: they ride on the next acquire, or go alone a moment later."""

from __future__ import annotations

import threading
import time
from typing import Callable, List, Optional

from .errors import PackIceError

MAX_RELEASES = 256
#: How long an unwaited release may wait for an acquire to carry it before it is sent alone.
RELEASE_DELAY_S = 0.002


class ReleaseQueue:
    """Lease ids to end; :meth:`take` hands them to an acquire, a daemon thread sends the rest."""

    def __init__(self, send_alone: Callable[[str], None]) -> None:
        self._send_alone = send_alone
        self._lock = threading.Lock()
        self._queued: List[str] = []
        self._wanted = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._closed = False
        self._failure: Optional[PackIceError] = None

    def add(self, lease_id: str) -> None:
        with self._lock:
            self._queued.append(lease_id)
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(target=self._loop, name="packice-releases", daemon=True)
                self._thread.start()
        if not self._wanted.is_set():  # set() wakes the thread each time: once per period is enough
            self._wanted.set()

    def take(self) -> List[str]:
        with self._lock:
            taken, self._queued = self._queued[:MAX_RELEASES], self._queued[MAX_RELEASES:]
        return taken

    def flush(self) -> None:
        """Sends every queued release alone (before any other request, which keeps their order)."""
        with self._lock:
            queued, self._queued = self._queued, []
        for lease_id in queued:
            self._send_alone(lease_id)

    def failed(self, err: PackIceError) -> None:
        """Keeps the first failure of an unwaited release, for :meth:`raise_failure`."""
        with self._lock:
            self._failure = self._failure or err

    def raise_failure(self) -> None:
        """Raises the failure of an earlier unwaited release, once (the next call reports it)."""
        with self._lock:
            failure, self._failure = self._failure, None
        if failure is not None:
            raise failure

    def _loop(self) -> None:
        while True:
            self._wanted.wait()
            if self._closed:
                return
            time.sleep(RELEASE_DELAY_S)  # an acquire coming meanwhile carries them
            self._wanted.clear()
            try:
                self.flush()
            except PackIceError:
                return  # the node is gone, and with it every lease this client held there

    def close(self) -> None:
        self._closed = True
        self._wanted.set()
