import type { WireLease, WireObject, WireStats } from '@packice/core';
import { objectInfo } from './object-info';
import { fromWireLease, fromWireObject as decode, fromWireStats, PackIceError, toWireAcquire } from '@packice/core';
import type { UdsTransport } from '@packice/transport-uds';
import { closeSync } from 'node:fs';
import type { BlobAccess, ClientTransport } from './client-transport';

/** A Client transport over a node's Unix socket: blobs arrive as descriptors. */
export function createUdsClientTransport(uds: UdsTransport): ClientTransport {
  const object = async (op: string, params: Record<string, unknown>) =>
    objectInfo((await uds.request(op, params)).body.object as WireObject);
  return {
    kind: 'uds',
    async acquire(request, signal) {
      const { body, fds } = await uds.request('acquire', toWireAcquire(request), { signal });
      const decoded = decode(body.object as WireObject);
      const access: BlobAccess[] = decoded.handles.map((handle) => {
        if (handle?.kind !== 'fd' || fds[handle.fd] === undefined) {
          fds.forEach((fd) => closeSync(fd));
          throw new PackIceError('INTERNAL', 'the node sent a blob without a descriptor');
        }
        return { kind: 'fd', fd: fds[handle.fd] };
      });
      const { handles: _handles, ...object } = decoded;
      return { lease: fromWireLease(body.lease as WireLease), object, access };
    },
    seal: (leaseId) => object('seal', { lease_id: leaseId }),
    release: async (leaseId) => void (await uds.request('release', { lease_id: leaseId })),
    renew: async (leaseId, ttlMs) =>
      fromWireLease((await uds.request('renew', ttlMs === undefined ? { lease_id: leaseId } : { lease_id: leaseId, ttl_ms: ttlMs })).body.lease as WireLease),
    delete: async (objectId) => {
      const { body } = await uds.request('delete', { object_id: objectId });
      return { deleted: body.deleted as boolean, pending: body.pending as boolean };
    },
    stat: (objectId) => object('stat', { object_id: objectId }),
    listObjects: async () => ((await uds.request('list_objects')).body.objects as WireObject[]).map((o) => objectInfo(o)),
    listLeases: async (filter = {}) =>
      ((await uds.request('list_leases', filter.objectId === undefined ? {} : { object_id: filter.objectId })).body.leases as WireLease[]).map(fromWireLease),
    stats: async () => fromWireStats((await uds.request('stats')).body as unknown as WireStats),
    storage: async () => String((await uds.request('hello', { client: 'packice-client' })).body.storage),
    close: () => uds.close(),
  };
}
