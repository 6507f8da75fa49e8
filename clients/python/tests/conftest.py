"""Real node app processes for the tests (the built apps/packice-node), in temp directories."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, TypeVar

import pytest

import packice

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
NODE_MAIN = os.path.join(ROOT, "apps", "packice-node", "dist", "main.js")
TS_PEER = os.path.join(os.path.dirname(__file__), "ts", "peer.cjs")
T = TypeVar("T")


def poll(probe: Callable[[], Optional[T]], timeout: float = 20.0, what: str = "condition") -> T:
    """Calls ``probe`` until it returns something other than ``None``; fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


class NodeApp:
    """One node app process with its socket (and HTTP port) in a temp directory."""

    def __init__(self, storage: str = "mem", http: bool = False, flags: Optional[List[str]] = None) -> None:
        self.dir = tempfile.mkdtemp(prefix="packice-py-node-")
        self.socket = os.path.join(self.dir, "node.sock")
        self.storage = storage
        args = ["node", NODE_MAIN, "--socket", self.socket, "--log-level", "silent"]
        if http:
            args += ["--transport", "uds,http", "--port", "0"]
        if storage == "fs":
            args += ["--storage", "fs", "--dir", os.path.join(self.dir, "objects")]
        self.process = subprocess.Popen([*args, *(flags or [])], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.url: Optional[str] = None
        poll(self._ready, what=f"the node ({' '.join(args[2:])}) to listen")
        if http:
            self.url = poll(self._record_url, what="the node's record")

    @property
    def pid(self) -> int:
        return self.process.pid

    def _ready(self) -> Optional[bool]:
        if self.process.poll() is not None:
            stderr = self.process.stderr.read().decode() if self.process.stderr else ""
            raise AssertionError(f"the node exited ({self.process.returncode}) before listening: {stderr}")
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(self.socket)
            return True
        except OSError:
            return None
        finally:
            probe.close()

    def _record_url(self) -> Optional[str]:
        path = os.path.join(packice.runtime_directory(), f"node-{self.pid}.json")
        try:
            with open(path) as file:
                return str(json.load(file)["urls"][0])
        except (OSError, ValueError, KeyError, IndexError):
            return None

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        self._cleanup()
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)
        self._cleanup()

    def _cleanup(self) -> None:
        if self.process.stderr:
            self.process.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def open_fds() -> List[int]:
    """This process's open descriptors."""
    return sorted(int(fd) for fd in os.listdir("/proc/self/fd"))


def ts_peer(*args: str, timeout: float = 120) -> Dict[str, Any]:
    """Runs the TypeScript peer script; its JSON result."""
    run = subprocess.run(["node", TS_PEER, *args], capture_output=True, text=True, timeout=timeout, check=False)
    result = json.loads(run.stdout or "{}")
    assert run.returncode == 0, (result, run.stderr)
    return dict(result)


@pytest.fixture(scope="session", autouse=True)
def runtime_directory() -> Iterator[str]:
    """A private runtime directory: nodes write their records there, clients read them from there."""
    directory = tempfile.mkdtemp(prefix="packice-py-runtime-")
    saved = {k: os.environ.get(k) for k in ("XDG_RUNTIME_DIR", "PACKICE_TOKEN", "PACKICE_NODE", "PACKICE_CA")}
    os.environ["XDG_RUNTIME_DIR"] = directory
    for key in ("PACKICE_TOKEN", "PACKICE_NODE", "PACKICE_CA"):
        os.environ.pop(key, None)
    yield directory
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    shutil.rmtree(directory, ignore_errors=True)


KINDS: List[Tuple[str, str]] = [("uds", "mem"), ("uds", "fs"), ("http", "mem"), ("http", "fs")]


@pytest.fixture(scope="module", params=KINDS, ids=[f"{b}-{s}" for b, s in KINDS])
def node(request: pytest.FixtureRequest, runtime_directory: str) -> Iterator[Tuple[NodeApp, str]]:
    """A node per binding and storage, shared by a module's tests: (node, target)."""
    binding, storage = request.param
    app = NodeApp(storage=storage, http=binding == "http")
    target = app.url if binding == "http" else app.socket
    assert target is not None
    yield app, target
    assert app.stop() == 0


@pytest.fixture
def client(node: Tuple[NodeApp, str]) -> Iterator[packice.Client]:
    with packice.connect(node[1]) as connected:
        yield connected


@pytest.fixture
def uds_node(runtime_directory: str) -> Iterator[NodeApp]:
    """A fresh memory-storage node of one test's own."""
    app = NodeApp()
    yield app
    app.kill()
