import type { AcquireResult } from '@packice/core';
import { fromSystemError, PackIceError } from '@packice/core';
import { closeQuietly, dupCloexec } from '@packice/native';
import { openSync } from 'node:fs';

/**
 * This server's own descriptor for each blob of an acquired object: a duplicate of a memfd (so
 * deleting the object while the answer waits in the queue cannot close or recycle the number), or
 * the file opened read-only (read lease) or read-write (create lease). The caller closes them
 * once sent.
 */
export function descriptorsFor({ lease, object }: AcquireResult): number[] {
  const fds: number[] = [];
  try {
    for (const blob of object.blobs) {
      const handle = blob.handle(lease.access);
      if (handle.kind === 'fd') fds.push(dupCloexec(handle.fd));
      else if (handle.kind === 'path') fds.push(openSync(handle.path, lease.access === 'read' ? 'r' : 'r+'));
      else
        throw new PackIceError('INTERNAL', 'this storage keeps blobs in-process: they cannot be passed over a socket');
    }
    return fds;
  } catch (err) {
    closeQuietly(...fds);
    throw fromSystemError(err, `cannot open blob of object ${object.objectId}`);
  }
}
