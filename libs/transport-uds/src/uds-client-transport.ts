import type {
  AcquiredLease,
  BlobAccess,
  CallOptions,
  ClientTransport,
  OpName,
  OpParams,
  OpResult,
  WireCall,
  WireLease,
  WireObject,
} from '@packice/protocol';
import { fromWireError, PackIceError, toPackIceError } from '@packice/core';
import {
  decodeEvent,
  fromWireInfo,
  fromWireLease,
  fromWireObject,
  ReleaseQueue,
  toWireAcquire,
  wireOperations,
} from '@packice/protocol';
import { closeQuietly } from '@packice/native';
import type { UdsTransport } from './uds-transport';

/**
 * A lease from an acquire answer: each blob's handle to the descriptor it names among `fds` (or
 * another node's URL). Unless `shared` (several results own parts of `fds`), a bad answer closes them all.
 */
function decode(body: { lease: WireLease; object: WireObject }, fds: number[], shared = false): AcquiredLease {
  const { handles, ...object } = fromWireObject(body.object);
  const access: BlobAccess[] = [];
  for (const handle of handles) {
    if (handle?.kind === 'inline') {
      access.push({ kind: 'bytes', data: Buffer.from(handle.data, 'base64') });
      continue;
    }
    if (handle?.kind === 'url' && /^https?:\/\//.test(handle.url)) {
      access.push({ kind: 'remote', url: handle.url });
      continue;
    }
    const fd = handle?.kind === 'fd' ? fds[handle.fd] : undefined;
    if (fd === undefined) {
      if (!shared) closeQuietly(...fds);
      throw new PackIceError('INTERNAL', 'the node sent a blob without a descriptor');
    }
    access.push({ kind: 'fd', fd });
  }
  return { lease: fromWireLease(body.lease), object, access };
}

/** What this client announces in `hello`: it takes small objects' bytes inline in answers. */
const CLIENT_FEATURES: readonly string[] = ['inline-bytes'];

/** Largest blob `put()` sends inside its create request (base64 in the line, well under 1 MiB). */
const BYTES_IN_CREATE_MAX = 64 * 1024;

/** The client half of the UDS binding for `@packice/client`: blobs arrive as descriptors. */
export function createUdsClientTransport(uds: UdsTransport): ClientTransport {
  // Releases ride on the next acquire once the node says it takes them (hello's features).
  const releases = new ReleaseQueue((leaseId) => operations.release(leaseId));
  let releaseWithAcquire = false;
  // Only `acquire` answers carry descriptors; any others are closed, never leaked.
  const call = async <O extends OpName>(op: O, params: OpParams<O>, options = {}): Promise<OpResult<O>> => {
    releases.flush();
    const { body, fds } = await uds.request(op, params, options);
    closeQuietly(...fds);
    return body;
  };
  const operations = wireOperations(call as WireCall);
  // An acquire, acquire_many or put carries the releases queued so far, once the node takes them.
  // Params may come as JSON members already (see UdsTransport.requestJson).
  const withReleases = async <O extends 'acquire' | 'acquire_many' | 'put'>(
    op: O,
    params: OpParams<O> | string,
    options?: CallOptions,
  ) => {
    const carried = releaseWithAcquire && !options?.signal?.aborted ? releases.take() : null;
    const release = carried?.leaseIds.length ? carried.leaseIds : null;
    try {
      const answer =
        typeof params === 'string'
          ? await uds.requestJson(op, release ? `${params},"release":${JSON.stringify(release)}` : params, options)
          : await uds.request(op, release ? { ...params, release } : params, options);
      carried?.settle(answer.body.release_failed);
      return answer;
    } catch (err) {
      carried?.settle(undefined);
      throw err;
    }
  };
  let bytesInCreate = false;
  let putOp = false;
  // Sent first on the connection, so the node knows before any acquire that this client takes
  // small objects' bytes inline.
  const ready = call('hello', { client: 'packice-client', features: [...CLIENT_FEATURES] }).then(
    (hello) => {
      releaseWithAcquire = hello.features.includes('release-with-acquire');
      bytesInCreate = hello.features.includes('inline-bytes');
      putOp = hello.features.includes('put');
    },
    () => undefined,
  );
  return {
    kind: 'uds',
    ready,
    get bytesInCreateMax() {
      return bytesInCreate ? BYTES_IN_CREATE_MAX : 0;
    },
    ...operations,
    release: (leaseId, options) =>
      releaseWithAcquire && options?.defer && !options.signal
        ? releases.add(leaseId)
        : operations.release(leaseId, options),
    async acquire(request, options) {
      const { body, fds } = await withReleases('acquire', toWireAcquire(request), options);
      return decode(body, fds);
    },
    async put({ objectId, meta, data }, options) {
      if (!putOp) return null;
      // The base64 goes into the line as it is (see UdsTransport.requestJson).
      const base64 = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
      let members = `"blobs":[{"data":"${base64}"}]`;
      if (objectId !== undefined) members += `,"object_id":${JSON.stringify(objectId)}`;
      if (meta !== undefined) members += `,"meta":${JSON.stringify(meta)}`;
      const { body, fds } = await withReleases('put', members, options);
      closeQuietly(...fds);
      return fromWireInfo(body.object);
    },
    async acquireMany(objectIds, request, options) {
      const params = { object_ids: objectIds, ttl_ms: request.ttlMs, timeout_ms: request.timeoutMs };
      const { body, fds } = await withReleases('acquire_many', params, options);
      const results = body.results.map((result) => {
        if ('error' in result) return fromWireError(result.error);
        try {
          return decode(result, fds, true);
        } catch (err) {
          return toPackIceError(err);
        }
      });
      // Descriptors no result took (there should be none) are closed, never leaked.
      const taken = new Set(
        results.flatMap((r) => ('access' in r ? r.access.flatMap((a) => (a.kind === 'fd' ? [a.fd] : [])) : [])),
      );
      closeQuietly(...fds.filter((fd) => !taken.has(fd)));
      return results;
    },
    storage: async (options) => (await call('hello', { client: 'packice-client' }, options)).storage,
    async watch(options, onEvent, callOptions) {
      const { subscription_id: id } = await call('subscribe', options, callOptions);
      let settle!: { resolve(): void; reject(error: Error): void };
      const ended = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
      const off = uds.onEvent(
        id,
        (line) => {
          const event = decodeEvent(line);
          if (event) onEvent(event);
        },
        (error) => settle.reject(error),
      );
      return {
        ended,
        async close() {
          off();
          if (!uds.closed) await call('unsubscribe', { subscription_id: id }).catch(() => undefined);
          settle.resolve();
        },
      };
    },
    close: () => {
      releases.flush();
      return uds.close();
    },
  };
}
