import type { OpName, OpParams, OpResult } from './wire-shapes';

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

/** The field names of a wire shape as the op table writes them: optional ones end in `?`. */
export type FieldNames<T> = string extends keyof T
  ? never
  : { [K in keyof T & string]-?: object extends Pick<T, K> ? `${K}?` : K }[keyof T & string];

/** One row of the op table. */
export interface OpSpec<O extends OpName = OpName> {
  /** One line on what it does (docs/protocol.md says more). */
  readonly summary: string;
  /** Wire param names; `?` marks optional ones. */
  readonly params: readonly FieldNames<OpParams<O>>[];
  /** Wire answer field names; `?` marks optional ones. */
  readonly result: readonly FieldNames<OpResult<O>>[];
  /** Served over UDS. */
  readonly uds: boolean;
  /** HTTP route, or `null` for UDS-only ops. */
  readonly http: HttpBinding | null;
}

const route = (method: HttpBinding['method'], path: string, status = 200): HttpBinding => ({ method, path, status });

// The rows of the op table (OPS below), checked against the wire shapes.
const TABLE = {
  hello: {
    summary: 'Who the node is and what it can do.',
    params: ['client?', 'features?'],
    result: ['protocol', 'server', 'storage', 'transport', 'features'],
    uds: true,
    http: null,
  },
  ping: { summary: 'Liveness and round-trip time.', params: [], result: [], uds: true, http: null },
  acquire: {
    summary: 'Create an object, or get read access to a sealed one (waiting for it with timeout_ms).',
    params: ['intent', 'object_id?', 'ttl_ms?', 'timeout_ms?', 'blobs?', 'meta?', 'release?', 'seal?'],
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
  put: {
    summary: 'Create and seal an object from the bytes the request carries; no lease is left to end.',
    params: ['object_id?', 'meta?', 'blobs', 'release?'],
    result: ['object', 'release_failed?'],
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
    summary: 'Every visible object, or a page of them.',
    params: ['limit?', 'cursor?'],
    result: ['objects', 'next_cursor?'],
    uds: true,
    http: route('GET', '/v1/objects'),
  },
  list_leases: {
    summary: 'Every lease, or those of one object; or a page of them.',
    params: ['object_id?', 'limit?', 'cursor?'],
    result: ['leases', 'next_cursor?'],
    uds: true,
    http: route('GET', '/v1/leases'),
  },
  stats: {
    summary: 'Counters of the node.',
    params: [],
    result: [
      'objects',
      'leases',
      'bytes',
      'capacity',
      'evictions',
      'uptime_ms',
      'fds_in_use?',
      'fds_limit?',
      'spare_bytes?',
    ],
    uds: true,
    http: route('GET', '/v1/stats'),
  },
  health: {
    summary: 'Liveness over HTTP; needs no token.',
    params: [],
    result: ['ok', 'server?', 'storage?'],
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
} as const satisfies { readonly [O in OpName]: OpSpec<O> };

// Each row must list every field of its wire shapes (WireOps), with `?` just where they are
// optional: a field added to a shape and not to its row, or the other way round, does not compile.
type Listed<T extends { readonly [O in OpName]: OpSpec<O> }> = {
  readonly [O in OpName]: [Exclude<FieldNames<OpParams<O>>, T[O]['params'][number]>] extends [never]
    ? [Exclude<FieldNames<OpResult<O>>, T[O]['result'][number]>] extends [never]
      ? OpSpec<O>
      : { unlistedResultField: Exclude<FieldNames<OpResult<O>>, T[O]['result'][number]> }
    : { unlistedParam: Exclude<FieldNames<OpParams<O>>, T[O]['params'][number]> };
};

/**
 * The op table: for each op its params, its answer, and how each binding reaches it. The UDS
 * server dispatches from it, the HTTP server registers its routes from it, both client
 * transports call through it, and a test checks docs/protocol.md against it.
 */
export const OPS: { readonly [O in OpName]: OpSpec<O> } = Object.freeze(listed(TABLE));

/** The table itself; refuses to compile while a row misses a field of its wire shapes. */
function listed<T extends { readonly [O in OpName]: OpSpec<O> }>(table: T & Listed<T>): T {
  return table;
}

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
