import type { Peer } from '@packice/core';
import type { ClientTransport } from './client-transport';

/** A Client transport straight onto a Peer in this process: no copies, no sockets. */
export function createDirectTransport(peer: Peer, onClose: () => Promise<void> = async () => undefined): ClientTransport {
  return {
    kind: 'direct',
    async acquire(request, signal) {
      const { lease, object } = await peer.acquire(request, { signal });
      return { lease, object, access: object.blobs.map((blob) => ({ kind: 'blob' as const, blob })) };
    },
    seal: (leaseId) => peer.seal(leaseId),
    release: (leaseId) => peer.release(leaseId),
    renew: (leaseId, ttlMs) => peer.renew(leaseId, ttlMs),
    delete: (objectId) => peer.delete(objectId),
    stat: (objectId) => peer.stat(objectId),
    listObjects: () => peer.listObjects(),
    listLeases: (filter) => peer.listLeases(filter),
    stats: () => peer.stats(),
    storage: async () => peer.storageName,
    close: onClose,
  };
}
