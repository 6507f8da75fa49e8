"""The protocol's error: one exception type whose ``code`` is one of the stable codes."""

from __future__ import annotations

from typing import Any, Mapping, Optional

#: Every code of docs/protocol.md; a code a node sends that is not here is read as ``INTERNAL``.
CODES = frozenset(
    {
        "BAD_REQUEST",
        "UNKNOWN_OP",
        "INVALID_ID",
        "NOT_FOUND",
        "ALREADY_EXISTS",
        "NOT_SEALED",
        "ALREADY_SEALED",
        "TIMEOUT",
        "LEASE_NOT_FOUND",
        "WRONG_ACCESS",
        "OUT_OF_CAPACITY",
        "UNAUTHORIZED",
        "PAYLOAD_TOO_LARGE",
        "SHUTTING_DOWN",
        "INTERNAL",
        "UNAVAILABLE",
    }
)


class PackIceError(Exception):
    """An error of a PackIce node or client. Match on :attr:`code`; :attr:`message` is for people."""

    code: str
    message: str
    details: Optional[Mapping[str, Any]]

    def __init__(self, code: str, message: str, details: Optional[Mapping[str, Any]] = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = details

    def __reduce__(self) -> Any:  # picklable, e.g. across multiprocessing
        return (PackIceError, (self.code, self.message, self.details))


def error_from_wire(error: Any) -> PackIceError:
    """The exception of a wire error ``{"code", "message"}``; unknown codes become ``INTERNAL``."""
    if not isinstance(error, dict):
        return PackIceError("INTERNAL", f"malformed error from the node: {error!r}")
    code = error.get("code")
    message = str(error.get("message", ""))
    details = error.get("details") if isinstance(error.get("details"), dict) else None
    if not isinstance(code, str) or code not in CODES:
        return PackIceError("INTERNAL", message or "unknown error", {**(details or {}), "code": code})
    return PackIceError(code, message, details)


def bad_request(message: str) -> PackIceError:
    """A client-side ``BAD_REQUEST``: raised before anything is sent."""
    return PackIceError("BAD_REQUEST", message)


def unavailable(message: str, cause: Optional[BaseException] = None) -> PackIceError:
    """The node cannot be reached (socket missing, nobody listening, connection lost)."""
    details = {"cause": f"{type(cause).__name__}: {cause}"} if cause is not None else None
    return PackIceError("UNAVAILABLE", message, details)
