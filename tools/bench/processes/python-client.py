"""
The Python client's benchmark process (the bench's Python section), one measure per run:

    python3 python-client.py echo-read PLAIN_SOCKET SECONDS BYTES   round trips against the plain echo
    python3 python-client.py read NODE_SOCKET SECONDS BYTES         acquire + map() + release cycles
    python3 python-client.py handoff NODE_SOCKET OBJECT_ID TRIES    acquire + map() of a big object
    python3 python-client.py copy PLAIN_SOCKET BYTES TRIES          the same bytes over a plain socket

Prints one JSON line: {"ops", "seconds"} for rates, {"times_ms"} for handoffs and copies.
Needs clients/python/src on PYTHONPATH; standard library only, like the client.
"""

import base64
import json
import socket
import sys
import time

import packice

WARMUP_S = 0.3


def echo_read(path: str, seconds: float, size: int) -> dict:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    buffer = b""

    def cycle(n: int) -> None:
        nonlocal buffer
        sock.sendall(json.dumps({"id": n, "op": "get", "bytes": size}).encode() + b"\n")
        while b"\n" not in buffer:
            buffer += sock.recv(1 << 20)
        line, buffer = buffer.split(b"\n", 1)
        assert len(base64.b64decode(json.loads(line)["data"])) == size

    result = timed(cycle, seconds)
    sock.close()
    return result


def read(path: str, seconds: float, size: int) -> dict:
    with packice.connect(path) as client:
        object_id = client.put(b"\x5a" * size).object_id

        def cycle(_: int) -> None:
            lease = client.acquire("read", object_id)
            assert len(lease.map()) == size
            lease.release()

        return timed(cycle, seconds)


def timed(cycle, seconds: float) -> dict:
    n = 0
    deadline = time.perf_counter() + WARMUP_S
    while time.perf_counter() < deadline:
        n += 1
        cycle(n)
    ops = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        n += 1
        cycle(n)
        ops += 1
    return {"ops": ops, "seconds": time.perf_counter() - started}


def handoff(path: str, object_id: str, tries: int) -> dict:
    times = []
    with packice.connect(path) as client:
        for _ in range(tries):
            started = time.perf_counter()
            lease = client.acquire("read", object_id)
            view = lease.map()
            times.append((time.perf_counter() - started) * 1000)
            assert view[len(view) - 1] == 0x5A
            lease.release()
            del view
    return {"times_ms": times}


def copy(path: str, size: int, tries: int) -> dict:
    times = []
    target = bytearray(size)
    view = memoryview(target)
    for _ in range(tries):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(path)
        started = time.perf_counter()
        sock.sendall(f"{size}\n".encode())
        got = 0
        while got < size:
            got += sock.recv_into(view[got:])
        times.append((time.perf_counter() - started) * 1000)
        sock.close()
        assert target[size - 1] == 0x5A
    return {"times_ms": times}


def main() -> None:
    mode, path, *rest = sys.argv[1:]
    if mode == "echo-read":
        result = echo_read(path, float(rest[0]), int(rest[1]))
    elif mode == "read":
        result = read(path, float(rest[0]), int(rest[1]))
    elif mode == "handoff":
        result = handoff(path, rest[0], int(rest[1]))
    elif mode == "copy":
        result = copy(path, int(rest[0]), int(rest[1]))
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
