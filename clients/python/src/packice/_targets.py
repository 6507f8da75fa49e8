"""Where nodes are: the default socket, and the records HTTP nodes leave for their own user."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Any, Mapping, Optional
from urllib.parse import urlsplit

_RECORD = re.compile(r"^node-(\d+)\.json$")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_WILDCARD = {"0.0.0.0", "::"}


def _tmpdir(env: Mapping[str, str]) -> str:
    # As Node's os.tmpdir(), so both clients agree with the node on the directory.
    path = env.get("TMPDIR") or env.get("TMP") or env.get("TEMP") or "/tmp"
    return path.rstrip("/") if len(path) > 1 else path


def runtime_directory(env: Optional[Mapping[str, str]] = None) -> str:
    """``$XDG_RUNTIME_DIR/packice``, else ``<temp dir>/packice-<uid>``."""
    env = os.environ if env is None else env
    runtime = env.get("XDG_RUNTIME_DIR")
    return os.path.join(runtime, "packice") if runtime else os.path.join(_tmpdir(env), f"packice-{os.getuid()}")


def default_socket_path(env: Optional[Mapping[str, str]] = None) -> str:
    """The socket ``packice node start`` listens on by default."""
    return os.path.join(runtime_directory(env), "node.sock")


def default_target(env: Optional[Mapping[str, str]] = None) -> str:
    """The node the CLI finds by default: ``PACKICE_NODE``, then the default socket."""
    env = os.environ if env is None else env
    return env.get("PACKICE_NODE") or default_socket_path(env)


@dataclass(frozen=True)
class Credentials:
    """A token and CA (PEM text) for an HTTP node, either possibly unknown."""

    token: Optional[str]
    ca: Optional[str]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except PermissionError:
        return True
    except OSError:
        return False


def _same_node(recorded: str, target: str) -> bool:
    a, b = urlsplit(recorded), urlsplit(target)
    try:
        if a.scheme != b.scheme or a.port != b.port:
            return False
    except ValueError:
        return False
    if a.hostname == b.hostname or a.hostname in _WILDCARD:
        return True
    return a.hostname in _LOOPBACK and b.hostname in _LOOPBACK


def find_node_record(target: str, env: Optional[Mapping[str, str]] = None) -> Optional[Mapping[str, Any]]:
    """The record of a running node that ``target`` (an http(s) URL or a socket path) reaches."""
    directory = runtime_directory(env)
    try:
        names = [n for n in os.listdir(directory) if _RECORD.match(n)]
    except OSError:
        return None
    is_url = target.startswith(("http://", "https://"))
    for name in sorted(names):
        try:
            with open(os.path.join(directory, name), encoding="utf-8") as file:
                record = json.load(file)
        except (OSError, ValueError):
            continue
        if not isinstance(record, dict) or not isinstance(record.get("urls"), list):
            continue
        if not isinstance(record.get("pid"), int) or not _alive(record["pid"]):
            continue
        if is_url:
            if any(isinstance(u, str) and _same_node(u, target) for u in record["urls"]):
                return record
        elif record.get("socket") is not None and record.get("socket") == target:
            return record
    return None


def _read(path: Any) -> Optional[str]:
    if not isinstance(path, str):
        return None
    try:
        with open(path, encoding="utf-8") as file:
            return file.read()
    except OSError:
        return None


def http_credentials(url: str, token: Optional[str], ca: Optional[str]) -> Credentials:
    """The argument, else ``PACKICE_TOKEN`` / the ``PACKICE_CA`` file, else the node's record."""
    token = token or os.environ.get("PACKICE_TOKEN") or None
    if ca is None and os.environ.get("PACKICE_CA"):
        ca = _read(os.environ["PACKICE_CA"])
    if token is None or ca is None:
        record = find_node_record(url)
        if record is not None:
            if token is None:
                text = _read(record.get("token_file"))
                token = text.strip() if text else None
            if ca is None:
                ca = _read(record.get("ca"))
    return Credentials(token=token, ca=ca)
