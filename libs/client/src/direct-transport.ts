import type { Peer } from '@packice/core';
import type { CallOptions, ClientTransport } from '@packice/protocol';
import { eventHubOf } from '@packice/protocol';

/** Runs a Peer call unless the signal has already fired (in-process calls do not wait on I/O). */
async function guarded<T>(options: CallOptions | undefined, call: () => Promise<T>): Promise<T> {
  options?.signal?.throwIfAborted();
  return call();
}

/** A Client transport straight onto a Peer in this process: no copies, no sockets. */
export function createDirectTransport(
  peer: Peer,
  onClose: () => Promise<void> = async () => undefined,
): ClientTransport {
  return {
    kind: 'direct',
    bytesInCreateMax: 64 * 1024, // 64 KiB: a put of a small object is one Peer call
    async acquire(request, options) {
      const { lease, object } = await peer.acquire(request, { signal: options?.signal });
      return { lease, object, access: object.blobs.map((blob) => ({ kind: 'blob' as const, blob })) };
    },
    seal: (leaseId, options) => guarded(options, () => peer.seal(leaseId)),
    release: (leaseId, options) => guarded(options, () => peer.release(leaseId)),
    renew: (leaseId, ttlMs, options) => guarded(options, () => peer.renew(leaseId, ttlMs)),
    delete: (objectId, options) => guarded(options, () => peer.delete(objectId)),
    stat: (objectId, options) => guarded(options, () => peer.stat(objectId)),
    listObjects: (options) => guarded(options, () => peer.listObjects()),
    listLeases: (filter, options) => guarded(options, () => peer.listLeases(filter)),
    stats: (options) => guarded(options, () => peer.stats()),
    storage: (options) => guarded(options, async () => peer.storageName),
    async watch(options, onEvent, callOptions) {
      callOptions?.signal?.throwIfAborted();
      const subscription = await eventHubOf(peer).subscribe(options, (event) => {
        onEvent(event);
        return true;
      });
      let closed!: () => void;
      const ended = new Promise<void>((resolve) => (closed = resolve));
      return {
        ended,
        close: async () => {
          subscription.close();
          closed();
        },
      };
    },
    close: onClose,
  };
}
