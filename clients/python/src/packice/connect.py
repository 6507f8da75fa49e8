"""``connect(target)``: a client of a node over its Unix socket or HTTP."""

from __future__ import annotations

from typing import Optional

from ._http import HttpTransport
from ._targets import default_target
from ._uds import UdsTransport
from .client import Client
from .errors import bad_request


def connect(
    target: Optional[str] = None, *, token: Optional[str] = None, ca: Optional[str] = None, timeout: float = 5.0
) -> Client:
    """
    A client of a PackIce node:

    - ``connect()``: the node the CLI finds by default (``PACKICE_NODE``, then the default socket);
    - ``connect("/path/node.sock")`` or ``connect("unix:///path/node.sock")``: over UDS;
    - ``connect("http://host:port")`` or ``https://``: over HTTP, with ``token`` (default
      ``PACKICE_TOKEN``, else the node's record for its own user) and ``ca`` (PEM text; default
      the ``PACKICE_CA`` file, else the record's CA, else the system's).

    Python has no in-process peer, so ``memory://`` targets (TS only) raise ``BAD_REQUEST``.
    A node that cannot be reached within ``timeout`` seconds raises ``UNAVAILABLE``.
    """
    if target is None:
        target = default_target()
    if not isinstance(target, str):
        raise bad_request("connect() takes a target string")
    if target.startswith("memory://"):
        raise bad_request(
            "memory:// is the TS client's in-process peer; Python has none: start a node "
            "(npx packice node start) and connect to its socket or URL"
        )
    if target.startswith(("http://", "https://")):
        return Client(HttpTransport(target, token, ca, timeout))
    path = target[len("unix://") :] if target.startswith("unix://") else target
    if path.startswith(("/", "./", "../")):
        return Client(UdsTransport(path, timeout))
    raise bad_request(f"unknown target {target!r}: use http://host:port, unix:///path/node.sock or /path/node.sock")
