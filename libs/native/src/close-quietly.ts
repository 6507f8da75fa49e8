import { closeSync } from 'node:fs';

/** Closes descriptors, ignoring any that is already closed. */
export function closeQuietly(...fds: readonly number[]): void {
  for (const fd of fds) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }
}
