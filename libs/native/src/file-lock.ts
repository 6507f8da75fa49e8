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
