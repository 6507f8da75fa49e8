import type { AcquireRequest, DeleteResult, LeaseInfo, ObjectInfo, PeerStats } from '@packice/core';
import { PackIceError } from '@packice/core';
import type {
  NodeEvent,
  NodeEventName,
  OverflowNotice,
  WireAcquireParams,
  WireHandle,
  WireLease,
  WireObject,
  WireStats,
} from './wire-shapes';

/** An object read from the wire, with the handles it carried (if any). */
export type DecodedObject = ObjectInfo & { handles: (WireHandle | undefined)[] };

/** A lease to the wire. */
export function toWireLease(lease: LeaseInfo): WireLease {
  return {
    lease_id: lease.leaseId,
    object_id: lease.objectId,
    access: lease.access,
    ttl_ms: lease.ttlMs,
    expires_at: lease.expiresAt,
    holder: { ...lease.holder },
  };
}

/** Wire to lease. */
export function fromWireLease(wire: WireLease): LeaseInfo {
  return {
    leaseId: wire.lease_id,
    objectId: wire.object_id,
    access: wire.access,
    ttlMs: wire.ttl_ms,
    expiresAt: wire.expires_at,
    holder: wire.holder,
  };
}

/** Object to wire; `handles[i]`, when given, goes with blob `i`. */
export function toWireObject(object: ObjectInfo, handles?: readonly WireHandle[]): WireObject {
  return {
    object_id: object.objectId,
    state: object.state,
    size: object.size,
    meta: { ...object.meta },
    created_at: object.createdAt,
    sealed_at: object.sealedAt,
    blobs: object.blobs.map((b, i) => (handles?.[i] ? { size: b.size, handle: handles[i] } : { size: b.size })),
  };
}

/** Wire to object, keeping the handles apart. */
export function fromWireObject(wire: WireObject): DecodedObject {
  return {
    objectId: wire.object_id,
    state: wire.state,
    size: wire.size,
    meta: wire.meta,
    createdAt: wire.created_at,
    sealedAt: wire.sealed_at,
    blobs: wire.blobs.map((b) => ({ size: b.size })),
    handles: wire.blobs.map((b) => b.handle),
  };
}

/** Wire to object, dropping any handles. */
export function fromWireInfo(wire: WireObject): ObjectInfo {
  const { handles: _handles, ...object } = fromWireObject(wire);
  return object;
}

/** Stats to wire. */
export function toWireStats(stats: PeerStats): WireStats {
  const { uptimeMs, fdsInUse, fdsLimit, spareBytes, ...rest } = stats;
  const wire: WireStats = { ...rest, uptime_ms: uptimeMs };
  if (spareBytes !== undefined) wire.spare_bytes = spareBytes;
  if (fdsInUse !== undefined) wire.fds_in_use = fdsInUse;
  if (fdsLimit !== undefined) wire.fds_limit = fdsLimit;
  return wire;
}

/** Wire to stats. */
export function fromWireStats(wire: WireStats): PeerStats {
  const { uptime_ms, fds_in_use, fds_limit, spare_bytes, ...rest } = wire;
  const stats: PeerStats = {
    ...rest,
    uptimeMs: uptime_ms,
    ...(spare_bytes === undefined ? {} : { spareBytes: spare_bytes }),
  };
  return fds_in_use === undefined ? stats : { ...stats, fdsInUse: fds_in_use, fdsLimit: fds_limit };
}

/** Delete result to wire (same names). */
export function toWireDelete(result: DeleteResult): DeleteResult {
  return { deleted: result.deleted, pending: result.pending };
}

/**
 * `acquire` params from the wire. Values are passed on as they came: the Peer validates them
 * and answers `BAD_REQUEST` for wrong types.
 */
export function fromWireAcquire(params: WireAcquireParams): AcquireRequest {
  const request: AcquireRequest = { intent: params.intent };
  if (params.object_id !== undefined) request.objectId = params.object_id;
  if (params.ttl_ms !== undefined) request.ttlMs = params.ttl_ms;
  if (params.timeout_ms !== undefined) request.timeoutMs = params.timeout_ms;
  if (params.blobs !== undefined) request.blobs = fromWireBlobs(params.blobs);
  if (params.meta !== undefined) request.meta = params.meta;
  if (params.seal !== undefined) request.seal = params.seal;
  return request;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

// Blobs' `data` arrive base64; the rest is passed on as it came (the Peer checks it).
function fromWireBlobs(blobs: NonNullable<WireAcquireParams['blobs']>): AcquireRequest['blobs'] {
  if (typeof blobs === 'number' || !Array.isArray(blobs)) return blobs as number;
  return blobs.map((spec: unknown, i) => {
    const data = (spec as { data?: unknown } | null)?.data;
    if (data === undefined || data === null) return spec as { size?: number };
    if (typeof data !== 'string') throw new PackIceError('BAD_REQUEST', `blobs[${i}].data must be base64`);
    const bytes = Buffer.from(data, 'base64');
    // Canonical base64 (what encoders write) re-encodes to itself: that check costs a fraction of
    // the regex's on a KiB; anything else must pass the regex (Node's decoder skips what it does not know).
    if (bytes.toString('base64') !== data && (data.length % 4 !== 0 || !BASE64.test(data))) {
      throw new PackIceError('BAD_REQUEST', `blobs[${i}].data must be base64`);
    }
    return { ...(spec as object), data: bytes };
  });
}

/** `acquire` params to the wire. */
export function toWireAcquire(request: AcquireRequest): WireAcquireParams {
  const params: WireAcquireParams = { intent: request.intent };
  if (request.objectId !== undefined) params.object_id = request.objectId;
  if (request.ttlMs !== undefined) params.ttl_ms = request.ttlMs;
  if (request.timeoutMs !== undefined) params.timeout_ms = request.timeoutMs;
  if (request.blobs !== undefined)
    params.blobs =
      typeof request.blobs === 'number'
        ? request.blobs
        : request.blobs.map(({ size, data }) =>
            data === undefined
              ? { size }
              : { data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') },
          );
  if (request.meta !== undefined) params.meta = request.meta;
  if (request.seal !== undefined) params.seal = request.seal;
  return params;
}

/** A node event as TypeScript sees it (camelCase), from `Client.watch()`. */
export type WatchEvent =
  | {
      event: NodeEventName;
      objectId: string;
      seq: number;
      at: number;
      size?: number;
      meta?: Record<string, string>;
      leaseId?: string;
      replay?: true;
    }
  | { event: 'overflow'; dropped: number; at: number };

const EVENT_NAMES: ReadonlySet<string> = new Set<NodeEventName>([
  'sealed',
  'deleted',
  'evicted',
  'aborted',
  'lease_expired',
]);

/**
 * An event line as a subscription delivers it (UDS line or SSE data), checked: a node event or an
 * overflow notice, without transport fields (`subscription_id`). `null` for anything else (an
 * event kind a newer node may add), which a client skips.
 */
export function decodeEvent(value: unknown): NodeEvent | OverflowNotice | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.at !== 'number') return null;
  if (v.event === 'overflow') {
    return typeof v.dropped === 'number' ? { event: 'overflow', dropped: v.dropped, at: v.at } : null;
  }
  if (typeof v.event !== 'string' || !EVENT_NAMES.has(v.event)) return null;
  if (typeof v.object_id !== 'string' || typeof v.seq !== 'number') return null;
  const event: NodeEvent = { event: v.event as NodeEventName, object_id: v.object_id, seq: v.seq, at: v.at };
  if (typeof v.size === 'number') event.size = v.size;
  if (typeof v.meta === 'object' && v.meta !== null) event.meta = v.meta as Record<string, string>;
  if (typeof v.lease_id === 'string') event.lease_id = v.lease_id;
  if (v.replay === true) event.replay = true;
  return event;
}

/** A node event to TypeScript (camelCase), as `Client.watch()` delivers it. */
export function fromWireEvent(wire: NodeEvent | OverflowNotice): WatchEvent {
  if (wire.event === 'overflow') return { event: 'overflow', dropped: wire.dropped, at: wire.at };
  const { object_id, lease_id, ...rest } = wire;
  return lease_id === undefined
    ? { ...rest, objectId: object_id }
    : { ...rest, objectId: object_id, leaseId: lease_id };
}
