import type { Peer } from '@packice/core';
import type { OpParams, WireHandle, WireLease, WireObject } from '@packice/protocol';
import { PackIceError, toPackIceError } from '@packice/core';
import {
  fromWireAcquire,
  parseAcquireMany,
  parseReleaseList,
  releaseFirst,
  toWireLease,
  toWireObject,
} from '@packice/protocol';
import { closeQuietly, MAX_FDS_PER_MESSAGE } from '@packice/native';
import { descriptorsFor, INLINE_ANSWER_MAX_BYTES, type InlineBudget } from './blob-descriptors';
import type { UdsAnswer, UdsConnection } from './uds-connection';
import { acquireAnswerJson } from './answer-json';

/** Told of each lease granted to a connection. */
export type OnLease = (conn: UdsConnection, leaseId: string) => void;

interface Granted {
  answer: { lease: WireLease; object: WireObject };
  fds: number[];
  leaseId: string;
}

/** Grants one acquire to a connection, with this server's descriptors for its blobs. */
async function grant(
  peer: Peer,
  conn: UdsConnection,
  params: OpParams<'acquire'>,
  onLease: OnLease,
  budget: InlineBudget,
): Promise<Granted> {
  const result = await peer.acquire(fromWireAcquire(params), {
    holder: { transport: 'uds', pid: conn.cred.pid, uid: conn.cred.uid },
    signal: conn.waits.signal,
  });
  const { lease, object } = result;
  if (conn.socket.closed) {
    await peer.release(lease.leaseId).catch(() => undefined);
    throw new PackIceError('SHUTTING_DOWN', 'the connection closed');
  }
  conn.leases.add(lease.leaseId);
  onLease(conn, lease.leaseId);
  let fds: number[];
  let handles: WireHandle[];
  try {
    ({ fds, handles } = await descriptorsFor(result, budget));
  } catch (err) {
    await ungrant(peer, conn, lease.leaseId);
    throw err;
  }
  return { answer: { lease: toWireLease(lease), object: toWireObject(object, handles) }, fds, leaseId: lease.leaseId };
}

/** Small objects' bytes go inline to clients that take them, up to a bound per answer. */
const inlineBudget = (conn: UdsConnection): InlineBudget => ({
  inline: conn.features.has('inline-bytes'),
  left: INLINE_ANSWER_MAX_BYTES,
});

async function ungrant(peer: Peer, conn: UdsConnection, leaseId: string): Promise<void> {
  conn.leases.delete(leaseId);
  await peer.release(leaseId).catch(() => undefined);
}

/** `acquire`: the leases named in `release` end first, as if released by ops sent just before. */
export async function acquire(
  peer: Peer,
  conn: UdsConnection,
  params: OpParams<'acquire'>,
  onLease: OnLease,
  onCarried?: (code: string) => void,
): Promise<UdsAnswer> {
  const releaseFailed = await releaseFirst(peer, parseReleaseList(params.release), onCarried);
  const { answer, fds } = await grant(peer, conn, params, onLease, inlineBudget(conn));
  return { json: acquireAnswerJson(answer, releaseFailed), fds };
}

/**
 * `acquire_many`: read leases on up to 256 (`MAX_ACQUIRE_MANY`) objects in one round trip, each
 * answered on its own (a lease and its object, or an error); all descriptors travel with the one
 * answer, numbered across it. One that would take the answer past the descriptors one message
 * can carry is `PAYLOAD_TOO_LARGE` (acquire it alone).
 */
export async function acquireMany(
  peer: Peer,
  conn: UdsConnection,
  params: OpParams<'acquire_many'>,
  onLease: OnLease,
  onCarried?: (code: string) => void,
): Promise<UdsAnswer> {
  const objectIds = parseAcquireMany(params);
  const one = (objectId: string): OpParams<'acquire'> => ({
    intent: 'read',
    object_id: objectId,
    ttl_ms: params.ttl_ms,
    timeout_ms: params.timeout_ms,
  });
  const releaseFailed = await releaseFirst(peer, parseReleaseList(params.release), onCarried);
  const budget = inlineBudget(conn);
  const settled = await Promise.allSettled(objectIds.map((id) => grant(peer, conn, one(id), onLease, budget)));
  const fds: number[] = [];
  const json: string[] = [];
  for (const [i, outcome] of settled.entries()) {
    if (outcome.status === 'rejected') {
      json.push(JSON.stringify({ object_id: objectIds[i], error: toPackIceError(outcome.reason).toJSON() }));
      continue;
    }
    const { answer, fds: own, leaseId } = outcome.value;
    if (fds.length + own.length > MAX_FDS_PER_MESSAGE) {
      closeQuietly(...own);
      await ungrant(peer, conn, leaseId);
      const error = new PackIceError('PAYLOAD_TOO_LARGE', `more than ${MAX_FDS_PER_MESSAGE} descriptors in one answer`);
      json.push(JSON.stringify({ object_id: objectIds[i], error: error.toJSON() }));
      continue;
    }
    const at = fds.length;
    fds.push(...own);
    const blobs = answer.object.blobs.map((b) =>
      b.handle?.kind === 'fd' ? { ...b, handle: { kind: 'fd' as const, fd: b.handle.fd + at } } : b,
    );
    json.push(`{${acquireAnswerJson({ lease: answer.lease, object: { ...answer.object, blobs } })}}`);
  }
  const failures = releaseFailed.length > 0 ? `,"release_failed":${JSON.stringify(releaseFailed)}` : '';
  return { json: `"results":[${json.join(',')}]${failures}`, fds };
}

/**
 * `put`: creates and seals an object from the bytes the request carries, as an `acquire` create
 * with `seal: true` would, and ends that create lease at once, so nothing is left for the client
 * to release and no handle or bytes travel back. `release` as for `acquire`.
 */
export async function put(
  peer: Peer,
  conn: UdsConnection,
  params: OpParams<'put'>,
  onCarried?: (code: string) => void,
): Promise<UdsAnswer> {
  const releaseFailed = await releaseFirst(peer, parseReleaseList(params.release), onCarried);
  const { blobs } = params;
  if (!Array.isArray(blobs) || blobs.length === 0 || !blobs.every((b) => typeof b?.data === 'string')) {
    throw new PackIceError('BAD_REQUEST', 'put needs blobs, each with its data (base64)');
  }
  const request = fromWireAcquire({
    intent: 'create',
    object_id: params.object_id,
    meta: params.meta,
    blobs: blobs.map(({ data }) => ({ data })),
    seal: true,
  });
  const { lease, object } = await peer.acquire(request, {
    holder: { transport: 'uds', pid: conn.cred.pid, uid: conn.cred.uid },
    signal: conn.waits.signal,
  });
  // The object is sealed: ending its create lease cannot abort it.
  await peer.release(lease.leaseId);
  const answer = { object: toWireObject(object) };
  return { result: releaseFailed.length > 0 ? { ...answer, release_failed: releaseFailed } : answer };
}
