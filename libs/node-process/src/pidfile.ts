import { PackIceError } from '@packice/core';
import { closeQuietly, tryLockFile } from '@packice/native';
import { closeSync, constants, ftruncateSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** A pidfile this process holds: written, and locked for as long as the node runs. */
export interface Pidfile {
  readonly path: string;
  /** Removes the file and drops the lock. Idempotent. */
  release(): void;
}

/**
 * Writes this process's pid to `path` and holds an exclusive lock on it until `release()` or
 * exit. The lock, not the pid, says whether a node is running: the kernel drops it when the
 * process dies, even with SIGKILL or as an unreaped zombie, and a pid reused by another program
 * holds no lock. `ALREADY_EXISTS` when a running node holds it.
 */
export function acquirePidfile(path: string): Pidfile {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // Not truncated before the lock is ours: the file may belong to a running node.
  const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o644);
  if (!tryLockFile(fd)) {
    closeQuietly(fd);
    const owner = heldPidfile(path);
    throw new PackIceError(
      'ALREADY_EXISTS',
      `pidfile ${path} is held by a running node${owner ? ` (pid ${owner})` : ''}`,
    );
  }
  ftruncateSync(fd, 0);
  writeSync(fd, `${process.pid}\n`, 0);
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      // Unlinked before the lock drops, so a node starting meanwhile never loses its new file.
      rmSync(path, { force: true });
      closeQuietly(fd);
    },
  };
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
