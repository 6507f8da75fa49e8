import type { Access, Lease, LeaseHolder, ObjectInfo, ObjectState, PeerStats } from './model';
import type { WireAcquireParams } from './ops';
import type { AcquireRequest, DeleteResult } from './peer';

/** A blob handle on the wire (docs/protocol.md, "Model"). */
export type WireHandle = { kind: 'fd'; fd: number } | { kind: 'path'; path: string } | { kind: 'url'; url: string };

/** A lease on the wire. */
export interface WireLease {
  lease_id: string;
  object_id: string;
  access: Access;
  ttl_ms: number;
  expires_at: number;
  holder: LeaseHolder;
}

/** A blob on the wire; `handle` only in answers to `acquire`. */
export interface WireBlob {
  size: number;
  handle?: WireHandle;
}

/** An object on the wire. */
export interface WireObject {
  object_id: string;
  state: ObjectState;
  size: number;
  meta: Record<string, string>;
  created_at: number;
  sealed_at: number | null;
  blobs: WireBlob[];
}

/** The `stats` answer on the wire. */
export interface WireStats {
  objects: number;
  leases: number;
  bytes: number;
  capacity: number | null;
  evictions: number;
  uptime_ms: number;
  fds_in_use?: number;
  fds_limit?: number;
}

/** An object read from the wire, with the handles it carried (if any). */
export type DecodedObject = ObjectInfo & { handles: (WireHandle | undefined)[] };

/** Lease to wire. */
export function toWireLease(lease: Lease): WireLease {
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
export function fromWireLease(wire: WireLease): Lease {
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
  const { uptimeMs, fdsInUse, fdsLimit, ...rest } = stats;
  const wire: WireStats = { ...rest, uptime_ms: uptimeMs };
  if (fdsInUse !== undefined) wire.fds_in_use = fdsInUse;
  if (fdsLimit !== undefined) wire.fds_limit = fdsLimit;
  return wire;
}

/** Wire to stats. */
export function fromWireStats(wire: WireStats): PeerStats {
  const { uptime_ms, fds_in_use, fds_limit, ...rest } = wire;
  const stats: PeerStats = { ...rest, uptimeMs: uptime_ms };
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
  if (params.blobs !== undefined) request.blobs = params.blobs;
  if (params.meta !== undefined) request.meta = params.meta;
  return request;
}

/** `acquire` params to the wire. */
export function toWireAcquire(request: AcquireRequest): WireAcquireParams {
  const params: WireAcquireParams = { intent: request.intent };
  if (request.objectId !== undefined) params.object_id = request.objectId;
  if (request.ttlMs !== undefined) params.ttl_ms = request.ttlMs;
  if (request.timeoutMs !== undefined) params.timeout_ms = request.timeoutMs;
  if (request.blobs !== undefined)
    params.blobs = typeof request.blobs === 'number' ? request.blobs : [...request.blobs];
  if (request.meta !== undefined) params.meta = request.meta;
  return params;
}
