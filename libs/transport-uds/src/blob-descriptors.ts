import type { AcquireResult } from '@packice/core';
import type { WireHandle } from '@packice/protocol';
import { fromSystemError, PackIceError } from '@packice/core';
import { closeQuietly, dupCloexec } from '@packice/native';
import { openSync } from 'node:fs';

/**
 * This server's own descriptor for each blob of an acquired object: a duplicate of a memfd (so
 * deleting the object while the answer waits in the queue cannot close or recycle the number), or
 * the file opened read-only (read lease) or read-write (create lease). The caller closes them
 * once sent. A blob in another node's memory (scale-out) has no descriptor: its handle is the URL.
 */
export function descriptorsFor({ lease, object }: AcquireResult): { fds: number[]; handles: WireHandle[] } {
  const fds: number[] = [];
  const handles: WireHandle[] = [];
  try {
    for (const blob of object.blobs) {
      const handle = blob.handle(lease.access);
      if (handle.kind === 'url') {
        handles.push({ kind: 'url', url: handle.url });
        continue;
      }
      if (handle.kind === 'fd') fds.push(dupCloexec(handle.fd));
      else if (handle.kind === 'path') fds.push(openSync(handle.path, lease.access === 'read' ? 'r' : 'r+'));
      else
        throw new PackIceError('INTERNAL', 'this storage keeps blobs in-process: they cannot be passed over a socket');
      handles.push({ kind: 'fd', fd: fds.length - 1 });
    }
    return { fds, handles };
  } catch (err) {
    closeQuietly(...fds);
    throw fromSystemError(err, `cannot open blob of object ${object.objectId}`);
  }
}
