import type { WireLease, WireObject, WireStats } from '@packice/core';
import { objectInfo } from './object-info';
import { fromWireLease, fromWireObject as decode, fromWireStats, toWireAcquire } from '@packice/core';
import type { HttpTransport } from '@packice/transport-http';
import type { BlobAccess, ClientTransport } from './client-transport';

/** A Client transport over HTTP: blobs are files (shared file system) or data-plane URLs. */
export function createHttpClientTransport(http: HttpTransport): ClientTransport {
  const id = encodeURIComponent;
  return {
    kind: 'http',
    async acquire(request, signal) {
      const body = await http.request<{ lease: WireLease; object: WireObject }>('POST', '/v1/leases', toWireAcquire(request), { signal });
      const lease = fromWireLease(body.lease);
      const { handles, ...object } = decode(body.object);
      const access: BlobAccess[] = handles.map((handle, index) =>
        handle?.kind === 'path' ? { kind: 'path', path: handle.path } : { kind: 'url', leaseId: lease.leaseId, index },
      );
      return { lease, object, access };
    },
    seal: async (leaseId) => objectInfo((await http.request<{ object: WireObject }>('POST', `/v1/leases/${id(leaseId)}/seal`)).object),
    release: async (leaseId) => void (await http.request('DELETE', `/v1/leases/${id(leaseId)}`)),
    renew: async (leaseId, ttlMs) =>
      fromWireLease((await http.request<{ lease: WireLease }>('POST', `/v1/leases/${id(leaseId)}/renew`, ttlMs === undefined ? {} : { ttl_ms: ttlMs })).lease),
    delete: (objectId) => http.request('DELETE', `/v1/objects/${id(objectId)}`),
    stat: async (objectId) => objectInfo((await http.request<{ object: WireObject }>('GET', `/v1/objects/${id(objectId)}`)).object),
    listObjects: async () => (await http.request<{ objects: WireObject[] }>('GET', '/v1/objects')).objects.map((o) => objectInfo(o)),
    listLeases: async (filter = {}) =>
      (await http.request<{ leases: WireLease[] }>('GET', filter.objectId === undefined ? '/v1/leases' : `/v1/leases?object_id=${id(filter.objectId)}`)).leases.map(fromWireLease),
    stats: async () => fromWireStats(await http.request<WireStats>('GET', '/v1/stats')),
    putBlob: (leaseId, index, data) => http.putBlob(leaseId, index, data),
    streamBlob: (leaseId, index, range) => http.getBlob(leaseId, index, range),
    storage: async () => String((await http.request<{ storage?: string }>('GET', '/v1/health')).storage ?? 'unknown'),
    close: async () => undefined,
  };
}
