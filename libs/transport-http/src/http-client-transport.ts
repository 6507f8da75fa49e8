import type { BlobAccess, ClientTransport, WireCall } from '@packice/protocol';
import { isPackIceError, PackIceError } from '@packice/core';
import {
  decodeEvent,
  fromWireLease,
  fromWireObject,
  ReleaseQueue,
  toWireAcquire,
  wireOperations,
} from '@packice/protocol';
import type { HttpTransport } from './http-transport';

/**
 * The client half of the HTTP binding for `@packice/client`: blobs are files (shared file system)
 * or data-plane URLs.
 */
export function createHttpClientTransport(http: HttpTransport): ClientTransport {
  const call: WireCall = (op, params, options) => {
    releases.flush();
    return http.request(op, params, options);
  };
  const operations = wireOperations(call);
  // Releases ride on the next acquire (its `release` param), as over UDS: a read cycle is one request.
  const releases = new ReleaseQueue((leaseId) => operations.release(leaseId));
  return {
    kind: 'http',
    bytesInCreateMax: 0, // the HTTP binding creates, writes and seals in three requests
    ...operations,
    release: (leaseId, options) =>
      options?.defer && !options.signal ? releases.add(leaseId) : operations.release(leaseId, options),
    async acquire(request, options) {
      const carried = !options?.signal?.aborted ? releases.take() : null;
      const wire = toWireAcquire(request);
      const params = carried?.leaseIds.length ? { ...wire, release: carried.leaseIds } : wire;
      let body: Awaited<ReturnType<HttpTransport['acquireBytes']>>;
      try {
        // A read asks for the bytes as the answer: a small one-blob object then takes one request.
        body =
          request.intent === 'read'
            ? await http.acquireBytes(params, options)
            : await http.request('acquire', params, options);
        carried?.settle(body.release_failed);
      } catch (err) {
        carried?.settle(undefined);
        throw err;
      }
      const lease = fromWireLease(body.lease);
      const { handles, ...object } = fromWireObject(body.object);
      if (body.bytes) return { lease, object, access: [{ kind: 'bytes', data: body.bytes }] };
      const access: BlobAccess[] = handles.map((handle, index) => {
        if (handle?.kind === 'path') return { kind: 'path', path: handle.path };
        if (handle?.kind === 'url' && /^https?:\/\//.test(handle.url)) return { kind: 'remote', url: handle.url };
        return { kind: 'url', leaseId: lease.leaseId, index };
      });
      return { lease, object, access };
    },
    putBlob: (leaseId, index, data, options) => http.putBlob(leaseId, index, data, options),
    streamBlob: (leaseId, index, range, options) => http.getBlob(leaseId, index, { ...range, ...options }),
    storage: async (options) => (await http.request('health', {}, options)).storage ?? 'unknown',
    async watch(options, onEvent, callOptions) {
      const stop = new AbortController();
      const signal = callOptions?.signal ? AbortSignal.any([callOptions.signal, stop.signal]) : stop.signal;
      const { done, cancel } = await http.events(
        options,
        (line) => {
          const event = decodeEvent(line);
          if (event) onEvent(event);
        },
        { signal },
      );
      let closed = false;
      // The stream ends without close(): the node shut down or the connection broke.
      const ended = done.then(
        () => {
          if (!closed) throw new PackIceError('UNAVAILABLE', `${http.baseUrl} ended the event stream`);
        },
        (err: unknown) => {
          if (closed) return;
          throw isPackIceError(err)
            ? err
            : new PackIceError('UNAVAILABLE', `the event stream from ${http.baseUrl} broke: ${String(err)}`, {
                cause: err,
              });
        },
      );
      ended.catch(() => undefined);
      return {
        ended,
        async close() {
          closed = true;
          await cancel();
          stop.abort();
          await done.catch(() => undefined);
        },
      };
    },
    close: async () => {
      await releases.flush();
      await http.close();
    },
  };
}
