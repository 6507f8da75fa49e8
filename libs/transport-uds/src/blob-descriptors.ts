import type { AcquireResult, Blob } from '@packice/core';
import type { WireHandle } from '@packice/protocol';
import { fromSystemError, PackIceError } from '@packice/core';
import { addSeals, closeQuietly, dupCloexec, F_SEAL_IMMUTABLE, memfdCreate, reopenReadOnly } from '@packice/native';
import { openSync, writeSync } from 'node:fs';

/** Inline bytes past this many in one answer go as descriptors instead (answers stay small lines). */
export const INLINE_ANSWER_MAX_BYTES = 512 * 1024;

/** How a connection takes blobs that have no descriptor to pass (small objects in slabs). */
export interface InlineBudget {
  /** The client announced `inline-bytes` in `hello`. */
  readonly inline: boolean;
  /** Bytes still allowed inline in this answer. */
  left: number;
}

// A sealed memfd holding a copy of the bytes, read-only: for clients that take only descriptors.
function sealedCopy(bytes: Buffer, objectId: string, index: number): number {
  const fd = memfdCreate(`packice:${objectId}:${index}`);
  try {
    for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done, done);
    addSeals(fd, F_SEAL_IMMUTABLE);
    return reopenReadOnly(fd);
  } finally {
    closeQuietly(fd);
  }
}

async function bytesOf(blob: Blob): Promise<Buffer> {
  const now = (blob as { readNow?: () => Buffer | null }).readNow?.();
  return now ?? blob.read();
}

/**
 * This server's own descriptor for each blob of an acquired object: a duplicate of a memfd (so
 * deleting the object while the answer waits in the queue cannot close or recycle the number), or
 * the file opened read-only (read lease) or read-write (create lease). A sealed blob with no
 * descriptor of its own (a small object in a slab, whose memfd never leaves the node) goes as its
 * bytes to a client that takes them inline, else as a sealed memfd copy made for this answer. The
 * caller closes the descriptors once sent. A blob in another node's memory (scale-out) has none:
 * its handle is the URL.
 */
export async function descriptorsFor(
  { lease, object }: AcquireResult,
  budget: InlineBudget,
): Promise<{ fds: number[]; handles: WireHandle[] }> {
  const fds: number[] = [];
  const handles: WireHandle[] = [];
  try {
    for (const blob of object.blobs) {
      const handle = blob.handle(lease.access);
      if (handle.kind === 'url') {
        handles.push({ kind: 'url', url: handle.url });
        continue;
      }
      if (handle.kind === 'in-process') {
        if (!blob.sealed) {
          throw new PackIceError(
            'INTERNAL',
            'this storage keeps blobs in-process: they cannot be passed over a socket',
          );
        }
        const bytes = await bytesOf(blob);
        if (budget.inline && bytes.length <= budget.left) {
          budget.left -= bytes.length;
          handles.push({ kind: 'inline', data: bytes.toString('base64') });
          continue;
        }
        fds.push(sealedCopy(bytes, object.objectId, blob.index));
      } else if (handle.kind === 'fd') fds.push(dupCloexec(handle.fd));
      else fds.push(openSync(handle.path, lease.access === 'read' ? 'r' : 'r+'));
      handles.push({ kind: 'fd', fd: fds.length - 1 });
    }
    return { fds, handles };
  } catch (err) {
    closeQuietly(...fds);
    throw fromSystemError(err, `cannot open blob of object ${object.objectId}`);
  }
}
