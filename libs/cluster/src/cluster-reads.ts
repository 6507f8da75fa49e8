import type { AcquireContext, AcquireRequest, AcquireResult } from '@packice/core';
import { isPackIceError, PackIceError } from '@packice/core';
import type { CatalogObject } from './catalog';
import type { ClusterContext } from './cluster-context';
import { RemoteBlob } from './remote-blob';

/**
 * A read acquire through a cluster node: one catalog round trip for an object read here before;
 * else the catalog decides (sealed: adopt it from shared storage, or lease it at the node whose
 * memory holds it), waiting for a seal notice until `timeoutMs`.
 */
export async function clusterRead(
  ctx: ClusterContext,
  objectId: string,
  request: AcquireRequest,
  context: AcquireContext,
  timeoutMs: number,
): Promise<AcquireResult> {
  // The catalog checks, by creation time, that the id still names the object adopted here.
  const known = await ctx.local.stat(objectId).catch(() => null);
  if (known?.state === 'sealed') {
    const result = await ctx.local.acquire({ ...request, timeoutMs: 0 }, context);
    try {
      return await ctx.recordLease(result, known.createdAt);
    } catch (err) {
      if (!isPackIceError(err, 'NOT_FOUND')) throw err;
      // Deleted (or made again) elsewhere and the notice missed: forget this copy, look again.
      await ctx.local.drop(objectId).catch(() => undefined);
    }
  }
  const deadline = ctx.clock.now() + timeoutMs;
  for (;;) {
    // Listen before looking, so a seal between the look and the wait is not missed.
    const sealed = ctx.notices.listen(objectId, Math.max(0, deadline - ctx.clock.now()), context.signal);
    try {
      const record = await ctx.catalog.get(objectId);
      if (record && !record.deleting && record.state === 'sealed') {
        if (!ctx.storage.load && record.node !== ctx.node) return await readRemote(ctx, record, request, context);
        const adopted = await ctx.local.adopt(objectId);
        if (!adopted) {
          throw new PackIceError('INTERNAL', `object ${objectId} is sealed but its blobs are not in shared storage`);
        }
        const result = await ctx.local.acquire({ ...request, timeoutMs: 0 }, context);
        return await ctx.recordLease(result, adopted.createdAt);
      }
      if (timeoutMs === 0 || ctx.closing) {
        if (record && !record.deleting) throw new PackIceError('NOT_SEALED', `object ${objectId} is not sealed yet`);
        throw new PackIceError('NOT_FOUND', `object ${objectId} not found`);
      }
      if (ctx.clock.now() >= deadline) {
        throw new PackIceError('TIMEOUT', `object ${objectId} was not sealed within ${timeoutMs} ms`);
      }
      await sealed.promise;
      if (ctx.closing) throw new PackIceError('SHUTTING_DOWN', 'the node is shutting down');
    } finally {
      sealed.cancel();
    }
  }
}

/** The bytes are in another node's memory (memory storage): a lease at that node, its URLs for the client. */
async function readRemote(
  ctx: ClusterContext,
  record: CatalogObject,
  request: AcquireRequest,
  context: AcquireContext,
): Promise<AcquireResult> {
  if (!record.dataUrl || !ctx.remote) {
    throw new PackIceError(
      'UNAVAILABLE',
      `object ${record.objectId} lives in the memory of node ${record.node}, which serves no HTTP: read it through that node`,
    );
  }
  const got = await ctx.remote.acquire(record.dataUrl, record.objectId, request.ttlMs, context.signal);
  const blobs = got.urls.map((url, i) => new RemoteBlob(i, got.object.blobs[i]?.size ?? 0, url));
  const result: AcquireResult = { lease: got.lease, object: { ...got.object, blobs } };
  ctx.proxied.track(record.dataUrl, result);
  return result;
}
