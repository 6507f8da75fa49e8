import type { WireError } from './errors';
import type { WireReleaseFailure } from './release-first';
import type { WireLease, WireObject, WireStats } from './wire';

/** `acquire` params on the wire. */
export interface WireAcquireParams {
  intent: 'create' | 'read';
  object_id?: string;
  ttl_ms?: number;
  timeout_ms?: number;
  blobs?: number | readonly { size?: number }[];
  meta?: Record<string, string>;
  /** Leases to release first (docs/protocol.md, "release with acquire"). */
  release?: readonly string[];
}

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
  hello: { params: { client?: string }; result: WireHello };
  ping: { params: Empty; result: Empty };
  acquire: {
    params: WireAcquireParams;
    result: { lease: WireLease; object: WireObject; release_failed?: WireReleaseFailure[] };
  };
  acquire_many: {
    params: WireAcquireManyParams;
    result: { results: WireAcquireManyResult[]; release_failed?: WireReleaseFailure[] };
  };
  seal: { params: { lease_id: string }; result: { object: WireObject } };
  release: { params: { lease_id: string }; result: Empty };
  renew: { params: { lease_id: string; ttl_ms?: number }; result: { lease: WireLease } };
  delete: { params: { object_id: string }; result: { deleted: boolean; pending: boolean } };
  stat: { params: { object_id: string }; result: { object: WireObject } };
  list_objects: { params: Empty; result: { objects: WireObject[] } };
  list_leases: { params: { object_id?: string }; result: { leases: WireLease[] } };
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

/**
 * How an op is reached over HTTP. Path params are `:name`; other params go in the query (GET,
 * DELETE) or the JSON body (POST).
 */
export interface HttpBinding {
  readonly method: 'GET' | 'POST' | 'DELETE' | 'PUT';
  readonly path: string;
  /** Status of a successful answer. */
  readonly status: number;
}

/** One row of the op table. */
export interface OpSpec {
  /** One line on what it does (docs/protocol.md says more). */
  readonly summary: string;
  /** Wire param names; `?` marks optional ones. */
  readonly params: readonly string[];
  /** Wire answer field names; `?` marks optional ones. */
  readonly result: readonly string[];
  /** Served over UDS. */
  readonly uds: boolean;
  /** HTTP route, or `null` for UDS-only ops. */
  readonly http: HttpBinding | null;
}

const route = (method: HttpBinding['method'], path: string, status = 200): HttpBinding => ({ method, path, status });

/**
 * The op table: for each op its params, its answer, and how each binding reaches it. The UDS
 * server dispatches from it, the HTTP server registers its routes from it, both client
 * transports call through it, and a test checks docs/protocol.md against it.
 */
export const OPS: { readonly [O in OpName]: OpSpec } = Object.freeze({
  hello: {
    summary: 'Who the node is and what it can do.',
    params: ['client?'],
    result: ['protocol', 'server', 'storage', 'transport', 'features'],
    uds: true,
    http: null,
  },
  ping: { summary: 'Liveness and round-trip time.', params: [], result: [], uds: true, http: null },
  acquire: {
    summary: 'Create an object, or get read access to a sealed one (waiting for it with timeout_ms).',
    params: ['intent', 'object_id?', 'ttl_ms?', 'timeout_ms?', 'blobs?', 'meta?', 'release?'],
    result: ['lease', 'object', 'release_failed?'],
    uds: true,
    http: route('POST', '/v1/leases', 201),
  },
  acquire_many: {
    summary: 'Read leases on several sealed objects in one round trip, each answered on its own.',
    params: ['object_ids', 'ttl_ms?', 'timeout_ms?', 'release?'],
    result: ['results', 'release_failed?'],
    uds: true,
    http: null,
  },
  seal: {
    summary: 'Seal the object of a create lease; wakes waiting readers.',
    params: ['lease_id'],
    result: ['object'],
    uds: true,
    http: route('POST', '/v1/leases/:lease_id/seal'),
  },
  release: {
    summary: 'End a lease; an unsealed create is aborted.',
    params: ['lease_id'],
    result: [],
    uds: true,
    http: route('DELETE', '/v1/leases/:lease_id'),
  },
  renew: {
    summary: 'Extend a lease by ttl_ms (default its own) from now.',
    params: ['lease_id', 'ttl_ms?'],
    result: ['lease'],
    uds: true,
    http: route('POST', '/v1/leases/:lease_id/renew'),
  },
  delete: {
    summary: 'Delete an object now, or when its last lease ends.',
    params: ['object_id'],
    result: ['deleted', 'pending'],
    uds: true,
    http: route('DELETE', '/v1/objects/:object_id'),
  },
  stat: {
    summary: 'An object without handles.',
    params: ['object_id'],
    result: ['object'],
    uds: true,
    http: route('GET', '/v1/objects/:object_id'),
  },
  list_objects: {
    summary: 'Every visible object.',
    params: [],
    result: ['objects'],
    uds: true,
    http: route('GET', '/v1/objects'),
  },
  list_leases: {
    summary: 'Every lease, or those of one object.',
    params: ['object_id?'],
    result: ['leases'],
    uds: true,
    http: route('GET', '/v1/leases'),
  },
  stats: {
    summary: 'Counters of the node.',
    params: [],
    result: ['objects', 'leases', 'bytes', 'capacity', 'evictions', 'uptime_ms', 'fds_in_use?', 'fds_limit?'],
    uds: true,
    http: route('GET', '/v1/stats'),
  },
  health: {
    summary: 'Liveness over HTTP; needs no token.',
    params: [],
    result: ['ok', 'server', 'storage'],
    uds: false,
    http: route('GET', '/v1/health'),
  },
  subscribe: {
    summary: 'Receive event lines on this connection (HTTP: the events stream).',
    params: ['prefix?', 'replay?'],
    result: ['subscription_id'],
    uds: true,
    http: null,
  },
  unsubscribe: {
    summary: 'Stop a subscription of this connection.',
    params: ['subscription_id'],
    result: [],
    uds: true,
    http: null,
  },
});

/** The HTTP events stream (Server-Sent Events): the counterpart of `subscribe`. */
export const EVENTS_ROUTE = Object.freeze(route('GET', '/v1/events'));

/** Every op name, in table order. */
export const opNames: readonly OpName[] = Object.freeze(Object.keys(OPS) as OpName[]);

/** The HTTP data plane: a lease's blob bytes (no UDS counterpart: UDS passes descriptors). */
export const DATA_PLANE = Object.freeze({
  write: route('PUT', '/v1/leases/:lease_id/blobs/:i'),
  read: route('GET', '/v1/leases/:lease_id/blobs/:i'),
});

/** True when `value` names an op of the table. */
export function isOpName(value: unknown): value is OpName {
  return typeof value === 'string' && Object.hasOwn(OPS, value);
}

/** Fills a route's `:name` params from `params` (URI-encoded); returns the path and the params left over. */
export function fillPath(
  path: string,
  params: Readonly<Record<string, unknown>>,
): { path: string; rest: Record<string, unknown> } {
  const rest: Record<string, unknown> = { ...params };
  const filled = path.replace(/:([a-z_]+)/g, (_m, name: string) => {
    const value = rest[name];
    delete rest[name];
    return encodeURIComponent(String(value));
  });
  return { path: filled, rest };
}

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
