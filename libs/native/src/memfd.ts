import { openSync } from 'node:fs';
import { F_ADD_SEALS, F_DUPFD_CLOEXEC, F_GET_SEALS, MFD_ALLOW_SEALING, MFD_CLOEXEC } from './constants';
import { check, loadLibc } from './libc';
import { NativeError } from './native-error';

// memfd names are limited to 249 bytes; they only label /proc/<pid>/fd entries.
const MAX_NAME_BYTES = 249;

/**
 * Creates a memfd, close-on-exec and sealable by default. The name labels it in
 * `/proc/<pid>/fd` (`/memfd:<name>`). Throws `NativeError` (`EMFILE`, `ENOMEM`, ...).
 */
export function memfdCreate(name: string, flags = MFD_CLOEXEC | MFD_ALLOW_SEALING): number {
  let label = name;
  while (Buffer.byteLength(label) > MAX_NAME_BYTES) label = label.slice(0, -1);
  return check('memfd_create', loadLibc().memfd_create(label, flags), name);
}

/** Adds seals (`F_SEAL_*`) to a memfd. `EBUSY` while a writable shared mapping exists; `EPERM` after `F_SEAL_SEAL`. */
export function addSeals(fd: number, seals: number): void {
  check('fcntl(F_ADD_SEALS)', loadLibc().fcntl(fd, F_ADD_SEALS, seals));
}

/** The seals a memfd carries. */
export function getSeals(fd: number): number {
  return check('fcntl(F_GET_SEALS)', loadLibc().fcntl(fd, F_GET_SEALS, 0));
}

/**
 * Allocates `length` bytes from `offset` (mode 0: the file grows to cover them). On a memfd the
 * kernel does not fail for lack of memory, it OOM-kills: bound `length` before calling this.
 */
export function fallocate(fd: number, offset: number, length: number): void {
  if (length <= 0) return;
  check('fallocate', loadLibc().fallocate(fd, 0, offset, length));
}

/** Sets a file's size. `EPERM` on a memfd sealed against shrinking or growing. */
export function ftruncate(fd: number, length: number): void {
  check('ftruncate', loadLibc().ftruncate(fd, length));
}

/** Duplicates a descriptor, close-on-exec; the copy must be closed by its owner. */
export function dupCloexec(fd: number): number {
  return check('fcntl(F_DUPFD_CLOEXEC)', loadLibc().fcntl(fd, F_DUPFD_CLOEXEC, 0));
}

/**
 * Opens a new read-only (`O_RDONLY`, close-on-exec) descriptor of the same file through
 * `/proc/self/fd`. An unsealed memfd can still be reopened writable by whoever holds it:
 * hand out read-only descriptors of sealed memfds only.
 */
export function reopenReadOnly(fd: number): number {
  try {
    return openSync(`/proc/self/fd/${fd}`, 'r');
  } catch (err) {
    const { errno } = err as NodeJS.ErrnoException;
    throw new NativeError('open(/proc/self/fd)', typeof errno === 'number' ? -errno : 'EBADF', String(fd));
  }
}
