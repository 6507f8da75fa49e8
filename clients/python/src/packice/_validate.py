"""Argument checks done before anything is sent: bad arguments never reach the node."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from .errors import PackIceError, bad_request

OBJECT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
MAX_TTL_MS = 24 * 60 * 60 * 1000
MAX_TIMEOUT_MS = 2_147_483_647
MAX_BLOBS = 1024
MAX_IDS = 256
MAX_META_ENTRIES = 256
MAX_META_BYTES = 64 * 1024

#: What ``blobs=`` takes: a count, or per blob a size hint (an int, ``None`` for none, or ``{"size": N}``).
BlobsArg = Union[int, Sequence[Union[int, Mapping[str, Any], None]]]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def object_id(value: Any, name: str = "object_id") -> str:
    if not isinstance(value, str):
        raise bad_request(f"{name} must be a string, not {type(value).__name__}")
    if not OBJECT_ID.match(value):
        raise PackIceError("INVALID_ID", f"{name} {value!r} breaks the id rule (^[A-Za-z0-9][A-Za-z0-9._-]{{0,127}}$)")
    return value


def lease_id(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise bad_request("lease_id must be a non-empty string")
    return value


def int_range(value: Any, name: str, low: int, high: int) -> int:
    if not _is_int(value) or not low <= value <= high:
        raise bad_request(f"{name} must be an integer from {low} to {high}, not {value!r}")
    return int(value)


def ttl_ms(value: Optional[Any]) -> Optional[int]:
    return None if value is None else int_range(value, "ttl_ms", 1, MAX_TTL_MS)


def timeout_ms(value: Optional[Any]) -> Optional[int]:
    return None if value is None else int_range(value, "timeout_ms", 0, MAX_TIMEOUT_MS)


def meta(value: Optional[Any]) -> Optional[Dict[str, str]]:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise bad_request("meta must be a mapping of str to str")
    if len(value) > MAX_META_ENTRIES:
        raise bad_request(f"meta has {len(value)} entries; at most {MAX_META_ENTRIES}")
    total = 0
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str):
            raise bad_request(f"meta must map str to str; {key!r}: {item!r} does not")
        total += len(key.encode()) + len(item.encode())
    if total > MAX_META_BYTES:
        raise bad_request(f"meta holds {total} bytes of keys and values; at most {MAX_META_BYTES}")
    return dict(value)


def blobs(value: Optional[BlobsArg]) -> Union[int, List[Dict[str, int]], None]:
    if value is None:
        return None
    if _is_int(value):
        return int_range(value, "blobs", 1, MAX_BLOBS)
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise bad_request("blobs must be a count or a list of size hints")
    if not 1 <= len(value) <= MAX_BLOBS:
        raise bad_request(f"blobs must list 1 to {MAX_BLOBS} entries, not {len(value)}")
    out: List[Dict[str, int]] = []
    for entry in value:
        size = entry.get("size") if isinstance(entry, Mapping) else entry
        if size is None:
            out.append({})
        elif _is_int(size) and size >= 0:
            out.append({"size": int(size)})
        else:
            raise bad_request(f"a blob size hint must be an integer >= 0, not {size!r}")
    return out


def object_ids(value: Any) -> List[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise bad_request("object_ids must be a list of ids")
    if not 1 <= len(value) <= MAX_IDS:
        raise bad_request(f"object_ids must list 1 to {MAX_IDS} ids, not {len(value)}")
    return [object_id(v, "object_ids[]") for v in value]


def blob_index(value: Any, count: int) -> int:
    if not _is_int(value) or not 0 <= value < count:
        raise PackIceError("NOT_FOUND", f"no blob {value!r}: the object has {count}")
    return int(value)
