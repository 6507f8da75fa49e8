import type { RemoteReads } from '@packice/cluster';
import { PackIceError } from '@packice/core';
import { fromWireLease, fromWireObject } from '@packice/protocol';
import { HttpTransport } from '@packice/transport-http';

/**
 * Reads of objects in another node's memory, through that node's HTTP binding (scale-out with
 * memory storage). The nodes of a cluster share one `--token`; `ca` (PEM) is trusted for their HTTPS.
 */
export function createRemoteReads(token: string | null, ca?: Buffer): RemoteReads {
  const nodes = new Map<string, HttpTransport>();
  const at = (baseUrl: string): HttpTransport => {
    let http = nodes.get(baseUrl);
    if (!http) nodes.set(baseUrl, (http = new HttpTransport(baseUrl, { token: token ?? undefined, ca })));
    return http;
  };
  return {
    async acquire(baseUrl, objectId, ttlMs, signal) {
      const body = await at(baseUrl).request(
        'acquire',
        { intent: 'read', object_id: objectId, ...(ttlMs === undefined ? {} : { ttl_ms: ttlMs }) },
        { signal },
      );
      const { handles, ...object } = fromWireObject(body.object);
      const urls = handles.map((handle, i) => {
        if (handle?.kind !== 'url') {
          throw new PackIceError('INTERNAL', `node ${baseUrl} answered blob ${i} of ${objectId} without a URL`);
        }
        return new URL(handle.url, baseUrl).toString();
      });
      return { lease: fromWireLease(body.lease), object, urls };
    },
    async release(baseUrl, leaseId) {
      await at(baseUrl).request('release', { lease_id: leaseId });
    },
    async renew(baseUrl, leaseId, ttlMs) {
      const body = await at(baseUrl).request('renew', {
        lease_id: leaseId,
        ...(ttlMs === undefined ? {} : { ttl_ms: ttlMs }),
      });
      return fromWireLease(body.lease);
    },
  };
}
