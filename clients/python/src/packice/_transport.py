"""What the client needs from a binding (UDS or HTTP); each binding implements it."""

from __future__ import annotations

import abc
from typing import Any, Dict, FrozenSet, List, NamedTuple, Optional

from .types import Event

#: What this client announces in ``hello``.
CLIENT_FEATURES = ("inline-bytes",)
#: Bytes up to this size travel in the create request itself when the node takes ``inline-bytes``.
INLINE_PUT_MAX = 64 * 1024


class Acquired(NamedTuple):
    """An acquire answer: the JSON, the descriptors it carried, and bytes sent as the body (HTTP)."""

    answer: Dict[str, Any]
    fds: List[int]
    body: Optional[bytes] = None


class EventSource(abc.ABC):
    """An open subscription: :meth:`next` blocks until an event, ``None`` once it has ended."""

    @abc.abstractmethod
    def next(self) -> Optional[Event]: ...

    @abc.abstractmethod
    def close(self) -> None: ...


class Transport(abc.ABC):
    kind: str
    storage: str
    features: FrozenSet[str]

    @property
    def inline_puts(self) -> bool:
        """Whether a create may carry its bytes and seal at once."""
        return "inline-bytes" in self.features

    @abc.abstractmethod
    def call(self, op: str, params: Dict[str, Any]) -> Dict[str, Any]:
        """One request whose answer carries no descriptors; raises the node's error."""

    @abc.abstractmethod
    def acquire(self, params: Dict[str, Any], want_bytes: bool = False) -> Acquired: ...

    @abc.abstractmethod
    def acquire_many(self, params: Dict[str, Any]) -> Optional[Acquired]:
        """One ``acquire_many``, or ``None`` where the binding has none (acquire side by side)."""

    @abc.abstractmethod
    def release(self, lease_id: str, wait: bool) -> None:
        """Ends a lease; without ``wait`` it may ride on the next request."""

    @abc.abstractmethod
    def watch(self, prefix: Optional[str], replay: bool) -> EventSource: ...

    @abc.abstractmethod
    def close(self) -> None: ...
