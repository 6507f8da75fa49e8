"""
PackIce for Python: share large immutable objects between processes on one machine, zero-copy.

    import packice
    with packice.connect() as client:           # PACKICE_NODE, else the default socket
        info = client.put(b"hello", object_id="greeting")
        with client.acquire("read", "greeting") as lease:
            view = lease.map()                  # a read-only memoryview over shared memory
"""

from ._targets import default_socket_path, default_target, find_node_record, runtime_directory
from ._version import __version__
from .client import Client, Watch
from .connect import connect
from .errors import CODES, PackIceError
from .lease import Lease
from .types import BlobInfo, DeleteResult, Event, LeaseInfo, ObjectInfo, Stats

__all__ = [
    "CODES",
    "BlobInfo",
    "Client",
    "DeleteResult",
    "Event",
    "Lease",
    "LeaseInfo",
    "ObjectInfo",
    "PackIceError",
    "Stats",
    "Watch",
    "__version__",
    "connect",
    "default_socket_path",
    "default_target",
    "find_node_record",
    "runtime_directory",
]
