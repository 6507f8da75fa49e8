import type { Access, LeaseHolder, ObjectState, WireError } from '@packice/core';

// Every snake_case shape of the protocol (docs/protocol.md), in one file: the op table, the codecs
// and both kits take their types from here, and nothing here imports them back.

/** A blob handle on the wire (docs/protocol.md, "Model"). */
export type WireHandle =
  | { kind: 'fd'; fd: number }
  | { kind: 'path'; path: string }
  | { kind: 'url'; url: string }
  /** The blob's bytes themselves, base64 (UDS, to clients that announced `inline-bytes`). */
  | { kind: 'inline'; data: string };

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
  /** Bytes the storage holds that no object uses (free slab slots). */
  spare_bytes?: number;
}

/** A lease that an `acquire`'s `release` list named and that could not be released. */
export interface WireReleaseFailure {
  lease_id: string;
  error: WireError;
}

/** The kinds of node events (docs/protocol.md, "Events"). */
export type NodeEventName = 'sealed' | 'deleted' | 'evicted' | 'aborted' | 'lease_expired';

/** A node event on the wire. `seq` grows by one per event of the node: a gap shows a loss. */
export interface NodeEvent {
  event: NodeEventName;
  object_id: string;
  seq: number;
  /** Milliseconds since the epoch. */
  at: number;
  /** `sealed`, `deleted`, `evicted`, `aborted`: the object's size (held bytes for the last three). */
  size?: number;
  /** `sealed`: the object's meta. */
  meta?: Record<string, string>;
  /** `lease_expired`: the lease. */
  lease_id?: string;
  /** Set on the `sealed` events a subscription with `replay` starts with; they carry the seq of the moment it started. */
  replay?: true;
}

/** What a subscriber is told when events were dropped because it did not keep up. */
export interface OverflowNotice {
  event: 'overflow';
  dropped: number;
  at: number;
}

/** Any line a subscription delivers: a node event or an overflow notice. */
export type WireEvent = NodeEvent | OverflowNotice;

/** Paging params of the list ops (protocol 0.3.0): at most `limit` items after `cursor`. */
export type WirePage = {
  limit?: number;
  cursor?: string;
};

/** `acquire` params on the wire. */
export interface WireAcquireParams {
  intent: 'create' | 'read';
  object_id?: string;
  ttl_ms?: number;
  timeout_ms?: number;
  /** A count, or per blob a size hint or its bytes (`data`, base64; create in one request). */
  blobs?: number | readonly { size?: number; data?: string }[];
  meta?: Record<string, string>;
  /** Create only: seal at once, in the same request (with the bytes `blobs` carries). */
  seal?: boolean;
  /** Leases to release first (docs/protocol.md, "release with acquire"). */
  release?: readonly string[];
}

/** `put` params on the wire: a sealed object made from the bytes it carries, with no lease to end. */
export type WirePutParams = {
  object_id?: string;
  meta?: Record<string, string>;
  /** Each blob's bytes, base64. */
  blobs: readonly { data: string }[];
  /** Leases to release first, as `acquire`'s `release`. */
  release?: readonly string[];
};

/** `acquire_many` params on the wire: read leases on several objects at once. */
export type WireAcquireManyParams = {
  object_ids: readonly string[];
  ttl_ms?: number;
  timeout_ms?: number;
  release?: readonly string[];
};

/** One object's outcome in an `acquire_many` answer, in the order of `object_ids`. */
export type WireAcquireManyResult = { lease: WireLease; object: WireObject } | { object_id: string; error: WireError };

/** The `hello` answer. */
export interface WireHello {
  protocol: number;
  server: { name: string; version: string };
  storage: string;
  transport: string;
  features: string[];
}

/** The `GET /v1/health` answer (HTTP only). */
export interface WireHealth {
  ok: true;
  server?: string;
  storage?: string;
}

type Empty = Record<string, never>;

/**
 * Every op of the protocol with its wire params and its answer (snake_case, as sent). The one
 * source of types for both ends of both bindings.
 */
export interface WireOps {
  hello: { params: { client?: string; features?: string[] }; result: WireHello };
  ping: { params: Empty; result: Empty };
  acquire: {
    params: WireAcquireParams;
    result: { lease: WireLease; object: WireObject; release_failed?: WireReleaseFailure[] };
  };
  acquire_many: {
    params: WireAcquireManyParams;
    result: { results: WireAcquireManyResult[]; release_failed?: WireReleaseFailure[] };
  };
  put: { params: WirePutParams; result: { object: WireObject; release_failed?: WireReleaseFailure[] } };
  seal: { params: { lease_id: string }; result: { object: WireObject } };
  release: { params: { lease_id: string }; result: Empty };
  renew: { params: { lease_id: string; ttl_ms?: number }; result: { lease: WireLease } };
  delete: { params: { object_id: string }; result: { deleted: boolean; pending: boolean } };
  stat: { params: { object_id: string }; result: { object: WireObject } };
  list_objects: { params: WirePage; result: { objects: WireObject[]; next_cursor?: string } };
  list_leases: { params: WirePage & { object_id?: string }; result: { leases: WireLease[]; next_cursor?: string } };
  stats: { params: Empty; result: WireStats };
  health: { params: Empty; result: WireHealth };
  subscribe: { params: { prefix?: string; replay?: boolean }; result: { subscription_id: string } };
  unsubscribe: { params: { subscription_id: string }; result: Empty };
}

/** An op's name. */
export type OpName = keyof WireOps;
/** An op's wire params. */
export type OpParams<O extends OpName> = WireOps[O]['params'];
/** An op's wire answer (without `id`, `ok`, `fds`). */
export type OpResult<O extends OpName> = WireOps[O]['result'];

/** A UDS request line's shape. */
export interface WireRequest {
  id: number;
  op: string;
  [param: string]: unknown;
}

/** A UDS answer line's shape. */
export type WireAnswer =
  | ({ id: number; ok: true; fds?: number } & Record<string, unknown>)
  | { id: number | null; ok: false; error: WireError };
