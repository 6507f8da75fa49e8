import type {
  BlobAccess,
  ClientTransport,
  NodeEvent,
  OpName,
  OpParams,
  OpResult,
  OverflowNotice,
  WireCall,
} from '@packice/core';
import { fromWireLease, fromWireObject, PackIceError, toWireAcquire, wireOperations } from '@packice/core';
import { closeQuietly } from '@packice/native';
import { ReleaseQueue } from './release-queue';
import type { UdsTransport } from './uds-transport';

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
  call('hello', { client: 'packice-client' }).then(
    (hello) => (releaseWithAcquire = hello.features.includes('release-with-acquire')),
    () => undefined,
  );
  return {
    kind: 'uds',
    ...operations,
    release: (leaseId, options) =>
      releaseWithAcquire && !options?.signal ? releases.add(leaseId) : operations.release(leaseId, options),
    async acquire(request, options) {
      const params = toWireAcquire(request);
      const carried = releaseWithAcquire && !options?.signal?.aborted ? releases.take() : null;
      if (carried?.leaseIds.length) params.release = carried.leaseIds;
      let answer;
      try {
        answer = await uds.request('acquire', params, options);
      } catch (err) {
        carried?.settle(undefined);
        throw err;
      }
      const { body, fds } = answer;
      carried?.settle(body.release_failed);
      const { handles, ...object } = fromWireObject(body.object);
      const access: BlobAccess[] = [];
      for (const handle of handles) {
        if (handle?.kind === 'url' && /^https?:\/\//.test(handle.url)) {
          access.push({ kind: 'remote', url: handle.url });
          continue;
        }
        const fd = handle?.kind === 'fd' ? fds[handle.fd] : undefined;
        if (fd === undefined) {
          closeQuietly(...fds);
          throw new PackIceError('INTERNAL', 'the node sent a blob without a descriptor');
        }
        access.push({ kind: 'fd', fd });
      }
      return { lease: fromWireLease(body.lease), object, access };
    },
    storage: async (options) => (await call('hello', { client: 'packice-client' }, options)).storage,
    async watch(options, onEvent, callOptions) {
      const { subscription_id: id } = await call('subscribe', options, callOptions);
      let settle!: { resolve(): void; reject(error: Error): void };
      const ended = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
      const off = uds.onEvent(
        id,
        (event) => onEvent(event as unknown as NodeEvent | OverflowNotice),
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
