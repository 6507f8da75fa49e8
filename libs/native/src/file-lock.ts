import { closeSync, openSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { check, loadLibc } from './libc';
import { NativeError } from './native-error';

const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;

/**
 * Takes an exclusive advisory lock (`flock`) on an open file without waiting: `true` when taken,
 * `false` when another open file description holds it. The kernel drops the lock when the last
 * descriptor of that description closes, which happens when its process exits, even one that
 * stays a zombie or was killed with SIGKILL.
 */
export function tryLockFile(fd: number): boolean {
  const { flock, koffi } = loadLibc();
  if (flock(fd, LOCK_EX | LOCK_NB) === 0) return true;
  const errno = koffi.errno();
  if (errno === constants.errno.EWOULDBLOCK) return false;
  throw new NativeError('flock', errno);
}

/** Drops a lock taken by {@link tryLockFile}. */
export function unlockFile(fd: number): void {
  check('flock', loadLibc().flock(fd, LOCK_UN));
}

/**
 * The pid in a pidfile whose writer still holds its lock (see {@link tryLockFile}), else `null`:
 * no file, or a file left by a process that is gone (killed, crashed, or a zombie nobody reaped).
 * A pid that was reused by another program is never reported, since that program holds no lock.
 */
export function heldPidfile(path: string): number | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    if (tryLockFile(fd)) return null;
    const pid = Number(readFileSync(fd, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } finally {
    closeSync(fd);
  }
}
