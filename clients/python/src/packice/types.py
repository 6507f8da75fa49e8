"""What the node answers, as frozen dataclasses whose attributes are the wire's field names."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping, Optional, Tuple


def _frozen_map(value: Any) -> Mapping[str, Any]:
    return MappingProxyType(dict(value)) if isinstance(value, dict) else MappingProxyType({})


@dataclass(frozen=True)
class BlobInfo:
    """One blob of an object: its size in bytes (a hint, or what was written, while creating)."""

    size: int


@dataclass(frozen=True)
class ObjectInfo:
    """An object as the node describes it (``stat``, ``list_objects``, ``seal``, ``put``)."""

    object_id: str
    state: str
    size: int
    meta: Mapping[str, str]
    created_at: int
    sealed_at: Optional[int]
    blobs: Tuple[BlobInfo, ...]

    @staticmethod
    def from_wire(wire: Mapping[str, Any]) -> ObjectInfo:
        return ObjectInfo(
            object_id=wire["object_id"],
            state=wire["state"],
            size=wire["size"],
            meta=_frozen_map(wire.get("meta")),
            created_at=wire.get("created_at", 0),
            sealed_at=wire.get("sealed_at"),
            blobs=tuple(BlobInfo(size=b["size"]) for b in wire.get("blobs", [])),
        )


@dataclass(frozen=True)
class LeaseInfo:
    """A lease as ``list_leases`` tells it; ``holder`` says who holds it (transport, pid, uid, ...)."""

    lease_id: str
    object_id: str
    access: str
    ttl_ms: int
    expires_at: int
    holder: Mapping[str, Any]

    @staticmethod
    def from_wire(wire: Mapping[str, Any]) -> LeaseInfo:
        return LeaseInfo(
            lease_id=wire["lease_id"],
            object_id=wire["object_id"],
            access=wire["access"],
            ttl_ms=wire["ttl_ms"],
            expires_at=wire["expires_at"],
            holder=_frozen_map(wire.get("holder")),
        )


@dataclass(frozen=True)
class DeleteResult:
    """``deleted``: gone now; ``pending``: removed when its last lease ends."""

    deleted: bool
    pending: bool


@dataclass(frozen=True)
class Stats:
    """The node's counters; the optional ones are ``None`` where the node does not report them."""

    objects: int
    leases: int
    bytes: int
    capacity: Optional[int]
    evictions: int
    uptime_ms: int
    fds_in_use: Optional[int] = None
    fds_limit: Optional[int] = None
    spare_bytes: Optional[int] = None

    @staticmethod
    def from_wire(wire: Mapping[str, Any]) -> Stats:
        return Stats(
            objects=wire["objects"],
            leases=wire["leases"],
            bytes=wire["bytes"],
            capacity=wire.get("capacity"),
            evictions=wire.get("evictions", 0),
            uptime_ms=wire.get("uptime_ms", 0),
            fds_in_use=wire.get("fds_in_use"),
            fds_limit=wire.get("fds_limit"),
            spare_bytes=wire.get("spare_bytes"),
        )


@dataclass(frozen=True)
class Event:
    """
    One event of the node: ``event`` is ``sealed``, ``deleted``, ``evicted``, ``aborted``,
    ``lease_expired`` or ``overflow`` (``dropped`` events were lost). Fields an event kind does
    not carry are ``None``; ``replay`` is true for the ``sealed`` events a replay starts with.
    """

    event: str
    object_id: Optional[str] = None
    seq: Optional[int] = None
    at: Optional[int] = None
    size: Optional[int] = None
    meta: Optional[Mapping[str, str]] = None
    lease_id: Optional[str] = None
    replay: bool = False
    dropped: Optional[int] = None
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @staticmethod
    def from_wire(wire: Mapping[str, Any]) -> Event:
        known = {"event", "object_id", "seq", "at", "size", "meta", "lease_id", "replay", "dropped"}
        extra = {k: v for k, v in wire.items() if k not in known and k != "subscription_id"}
        meta = wire.get("meta")
        return Event(
            event=str(wire.get("event")),
            object_id=wire.get("object_id"),
            seq=wire.get("seq"),
            at=wire.get("at"),
            size=wire.get("size"),
            meta=_frozen_map(meta) if isinstance(meta, dict) else None,
            lease_id=wire.get("lease_id"),
            replay=wire.get("replay") is True,
            dropped=wire.get("dropped"),
            extra=MappingProxyType(extra),
        )
