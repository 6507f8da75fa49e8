#!/usr/bin/env python3
"""A raw-protocol conformance check of a PackIce node's UDS binding, as an old client sees it.

Written from docs/protocol.md (version 1 as first written) with Python's standard library only:
JSON lines over a Unix stream socket, descriptors received with socket.recv_fds. It never says
`hello` features, so the node must answer exactly as it did before the small-objects additions:
one descriptor per blob, bytes from offset 0, no inline handles.

    [PACKICE_STORAGE=fs] python3 uds_conformance.py SOCKET_PATH

Runs its checks as unittest cases and exits 0 when all pass.
"""
import fcntl
import json
import mmap
import os
import socket
import sys
import unittest

SOCKET = sys.argv.pop(1) if len(sys.argv) > 1 else os.environ.get("PACKICE_SOCKET", "")
STORAGE = os.environ.get("PACKICE_STORAGE", "mem")  # fs blobs are read-only files, not sealed memfds
F_GET_SEALS = 1034
F_SEAL_SHRINK, F_SEAL_GROW, F_SEAL_WRITE = 0x0002, 0x0004, 0x0008
MAX_FDS = 253


class RawClient:
    """One connection: requests by id, answers matched by id, descriptors in one FIFO."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(path)
        self.buffer = b""
        self.fifo = []
        self.answers = {}
        self.next_id = 0

    def close(self):
        for fd in self.fifo:
            os.close(fd)
        self.sock.close()

    def send_line(self, raw):
        self.sock.sendall(raw + b"\n")

    def request(self, op, **params):
        self.next_id += 1
        self.send_line(json.dumps({"id": self.next_id, "op": op, **params}).encode())
        return self.answer(self.next_id)

    def answer(self, wanted):
        while wanted not in self.answers:
            line = self.read_line()
            fds = [self.fifo.pop(0) for _ in range(line.get("fds", 0))]
            self.answers[line["id"]] = (line, fds)
        return self.answers.pop(wanted)

    def read_line(self):
        while b"\n" not in self.buffer:
            data, fds, flags, _ = socket.recv_fds(self.sock, 1 << 20, MAX_FDS, socket.MSG_CMSG_CLOEXEC)
            if flags & socket.MSG_CTRUNC:
                raise AssertionError("control message truncated")
            if not data:
                raise EOFError("the node closed the connection")
            self.fifo.extend(fds)
            self.buffer += data
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)


def create(client, object_id, payload):
    """The create path of version 1: acquire create, write through the descriptor, seal, release."""
    line, fds = client.request("acquire", intent="create", object_id=object_id, blobs=[{"size": len(payload)}])
    assert line["ok"], line
    assert line["fds"] == 1 and len(fds) == 1, line
    assert line["object"]["blobs"][0]["handle"] == {"kind": "fd", "fd": 0}, line
    try:
        os.ftruncate(fds[0], len(payload))
        os.pwrite(fds[0], payload, 0)
    finally:
        os.close(fds[0])
    sealed, _ = client.request("seal", lease_id=line["lease"]["lease_id"])
    assert sealed["ok"] and sealed["object"]["state"] == "sealed", sealed
    released, _ = client.request("release", lease_id=line["lease"]["lease_id"])
    assert released == {"id": released["id"], "ok": True}, released
    return sealed["object"]


class Conformance(unittest.TestCase):
    def setUp(self):
        self.client = RawClient(SOCKET)

    def tearDown(self):
        self.client.close()

    def test_hello_and_ping(self):
        line, fds = self.client.request("hello", client="python-conformance")
        self.assertTrue(line["ok"])
        self.assertEqual(line["protocol"], 1)
        self.assertEqual(line["transport"], "uds")
        self.assertIn("fd-handles", line["features"])
        self.assertEqual(fds, [])
        self.assertEqual(self.client.request("ping")[0], {"id": 2, "ok": True})

    def read(self, object_id):
        line, fds = self.client.request("acquire", intent="read", object_id=object_id)
        self.assertTrue(line["ok"], line)
        self.assertEqual(line["fds"], len(line["object"]["blobs"]))
        self.assertEqual(len(fds), line["fds"])
        return line, fds

    def check_read(self, object_id, payload):
        line, fds = self.read(object_id)
        try:
            blob = line["object"]["blobs"][0]
            self.assertEqual(blob["size"], len(payload))
            self.assertEqual(blob["handle"], {"kind": "fd", "fd": 0})
            fd = fds[0]
            self.assertEqual(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE, os.O_RDONLY)
            self.assertEqual(os.fstat(fd).st_size, len(payload))
            self.assertEqual(os.pread(fd, len(payload) + 1, 0), payload)  # from offset 0, nothing more
            with mmap.mmap(fd, len(payload), prot=mmap.PROT_READ) as view:
                self.assertEqual(view[:], payload)
            if STORAGE == "mem":
                all_seals = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE
                self.assertEqual(fcntl.fcntl(fd, F_GET_SEALS) & all_seals, all_seals)
            if STORAGE == "mem":
                self.assertUnwritable(fd)
            else:
                # A read-only file: no write bit (root could still reopen it writable; seals bind root too).
                self.assertEqual(os.fstat(fd).st_mode & 0o222, 0)
        finally:
            for fd in fds:
                os.close(fd)
        released, _ = self.client.request("release", lease_id=line["lease"]["lease_id"])
        self.assertTrue(released["ok"])

    def assertUnwritable(self, fd):
        # Not even reopened writable through /proc: the bytes are sealed (or the file read-only).
        try:
            again = os.open(f"/proc/self/fd/{fd}", os.O_RDWR)
        except OSError:
            return
        try:
            with self.assertRaises(OSError):
                os.pwrite(again, b"x", 0)
        finally:
            os.close(again)

    def test_small_object_reads_as_one_sealed_descriptor_from_offset_0(self):
        payload = b"small object, old client " * 4
        info = create(self.client, "py-small", payload)
        self.assertEqual(info["size"], len(payload))
        self.check_read("py-small", payload)
        self.check_read("py-small", payload)  # a fresh copy each time, still exact

    def test_large_object_reads_as_one_sealed_descriptor(self):
        payload = os.urandom(300 * 1024)
        create(self.client, "py-large", payload)
        self.check_read("py-large", payload)

    def test_stat_list_delete(self):
        create(self.client, "py-listed", b"listed")
        stat, _ = self.client.request("stat", object_id="py-listed")
        self.assertEqual(stat["object"]["object_id"], "py-listed")
        self.assertNotIn("handle", stat["object"]["blobs"][0])
        listed, _ = self.client.request("list_objects")
        self.assertIn("py-listed", [o["object_id"] for o in listed["objects"]])
        self.assertNotIn("next_cursor", listed)
        stats, _ = self.client.request("stats")
        for field in ("objects", "leases", "bytes", "capacity", "evictions", "uptime_ms"):
            self.assertIn(field, stats)
        deleted, _ = self.client.request("delete", object_id="py-listed")
        self.assertEqual((deleted["deleted"], deleted["pending"]), (True, False))
        gone, _ = self.client.request("stat", object_id="py-listed")
        self.assertEqual(gone["error"]["code"], "NOT_FOUND")

    def test_errors_are_coded_and_the_connection_stays(self):
        self.client.send_line(b"not json")
        self.assertEqual(self.client.read_line()["error"]["code"], "BAD_REQUEST")
        missing, _ = self.client.request("acquire", intent="read", object_id="py-missing")
        self.assertEqual((missing["ok"], missing["error"]["code"]), (False, "NOT_FOUND"))
        self.assertEqual(self.client.request("nope")[0]["error"]["code"], "UNKNOWN_OP")
        self.assertTrue(self.client.request("ping")[0]["ok"])

    def test_a_closed_connection_aborts_its_unsealed_create(self):
        line, fds = self.client.request("acquire", intent="create", object_id="py-aborted", blobs=[{"size": 10}])
        for fd in fds:
            os.close(fd)
        self.assertTrue(line["ok"])
        self.client.close()
        self.client = RawClient(SOCKET)
        for _ in range(200):
            stat, _ = self.client.request("stat", object_id="py-aborted")
            if not stat["ok"]:
                break
        self.assertEqual(stat["error"]["code"], "NOT_FOUND")


if __name__ == "__main__":
    if not SOCKET:
        sys.exit("usage: uds_conformance.py SOCKET_PATH")
    unittest.main(verbosity=2)
