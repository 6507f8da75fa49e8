import { constants } from 'node:os';
import { check, loadLibc } from './libc';
import { closeQuietly } from './close-quietly';
import { NativeError } from './native-error';

const AF_UNIX = 1;
const SOCK_STREAM = 1;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_PEERCRED = 17;
const SUN_PATH_MAX = 107;
const { EAGAIN, EINTR } = constants.errno;

function sockaddr(path: string): Buffer {
  const bytes = Buffer.from(path);
  if (bytes.length > SUN_PATH_MAX) {
    throw new NativeError('bind', 'ENAMETOOLONG', `socket path is ${bytes.length} bytes; at most ${SUN_PATH_MAX}`);
  }
  const addr = Buffer.alloc(2 + bytes.length + 1);
  addr.writeUInt16LE(AF_UNIX, 0);
  bytes.copy(addr, 2);
  return addr;
}

/** A new non-blocking, close-on-exec Unix stream socket. */
function newSocket(): number {
  return check('socket', loadLibc().socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
}

/**
 * Makes a listening Unix socket at `path` (non-blocking, close-on-exec). Throws `NativeError`:
 * `EADDRINUSE` when the path exists, `ENAMETOOLONG` over 107 bytes, `EACCES`, ...
 */
export function listenUnix(path: string, backlog = 511): number {
  const addr = sockaddr(path);
  const fd = newSocket();
  try {
    check('bind', loadLibc().bind(fd, addr, addr.length), path);
    check('listen', loadLibc().listen(fd, backlog), path);
    return fd;
  } catch (err) {
    closeQuietly(fd);
    throw err;
  }
}

/**
 * Connects a non-blocking, close-on-exec Unix socket to `path`. Throws `NativeError`:
 * `ENOENT` (no socket), `ECONNREFUSED` (nobody listens), `EAGAIN` (the listener's backlog is full).
 */
export function connectUnix(path: string): number {
  const addr = sockaddr(path);
  const fd = newSocket();
  try {
    check('connect', loadLibc().connect(fd, addr, addr.length), path);
    return fd;
  } catch (err) {
    closeQuietly(fd);
    throw err;
  }
}

/** Accepts one connection (non-blocking, close-on-exec); `null` when none is waiting. */
export function acceptConnection(listenFd: number): number | null {
  const fd = loadLibc().accept4(listenFd, null, null, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd === -1) {
    const errno = loadLibc().koffi.errno();
    if (errno === EAGAIN || errno === EINTR) return null;
    throw new NativeError('accept4', errno);
  }
  return fd;
}

/** Who is at the other end of a Unix socket (`SO_PEERCRED`), as the kernel saw it at connect. */
export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
}

/** The peer's credentials (`SO_PEERCRED`). */
export function peerCredentials(fd: number): PeerCredentials {
  const value = Buffer.alloc(12);
  check('getsockopt(SO_PEERCRED)', loadLibc().getsockopt(fd, SOL_SOCKET, SO_PEERCRED, value, [12]));
  return { pid: value.readInt32LE(0), uid: value.readUInt32LE(4), gid: value.readUInt32LE(8) };
}
