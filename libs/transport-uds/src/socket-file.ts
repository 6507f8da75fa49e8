import { NativeError, connectUnix } from '@packice/native';
import { closeSync, lstatSync, unlinkSync } from 'node:fs';

/**
 * Makes `path` free for a new socket: a stale socket file left by a dead node is removed; a live
 * node's socket is never taken (`EADDRINUSE`), and a file that is not a socket is never removed
 * (`EEXIST`).
 */
export async function prepareSocketPath(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!isSocket) throw new NativeError('bind', 'EEXIST', `${path} exists and is not a socket; not replacing it`);
  try {
    closeSync(connectUnix(path));
  } catch (err) {
    if ((err as NativeError).code === 'ECONNREFUSED') {
      unlinkSync(path);
      return;
    }
    throw err;
  }
  throw new NativeError('bind', 'EADDRINUSE', `a node is already listening on ${path}`);
}

/** Removes a socket file; harmless when it is gone, and never removes anything else. */
export function removeSocketFile(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // gone already
  }
}
