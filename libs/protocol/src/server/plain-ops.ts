import type { LeaseInfo, ObjectInfo, Peer } from '@packice/core';
import { toWireDelete, toWireLease, toWireObject, toWireStats } from '../wire/wire-codec';
import type { OpName, OpParams, OpResult } from '../wire/wire-shapes';
import { listPage } from './paging';

/** The ops each binding serves its own way: holders, handles, waits, subscriptions, binding facts. */
type BindingOp = 'hello' | 'health' | 'acquire' | 'acquire_many' | 'put' | 'ping' | 'subscribe' | 'unsubscribe';

/** Ops that every binding serves the same way (no holder, no handles, no binding facts). */
export type PlainOp = Exclude<OpName, BindingOp>;

/** A server-side handler of one op: wire params in, wire answer out. */
export type OpHandler<O extends OpName> = (params: OpParams<O>) => Promise<OpResult<O>>;

// The one list of plain ops: a new op in the table that is not a binding's own must be served here,
// or this does not compile.
const PLAIN: { readonly [O in PlainOp]: (peer: Peer, params: OpParams<O>) => Promise<OpResult<O>> } = {
  seal: async (peer, p) => ({ object: toWireObject(await peer.seal(p.lease_id)) }),
  release: async (peer, p) => {
    await peer.release(p.lease_id);
    return {};
  },
  renew: async (peer, p) => ({ lease: toWireLease(await peer.renew(p.lease_id, p.ttl_ms)) }),
  delete: async (peer, p) => toWireDelete(await peer.delete(p.object_id)),
  stat: async (peer, p) => ({ object: toWireObject(await peer.stat(p.object_id)) }),
  list_objects: async (peer, p) => {
    const { items, next } = await listPage<ObjectInfo>(
      p,
      (o) => o.objectId,
      (page) => peer.listObjects(page),
    );
    const objects = items.map((o) => toWireObject(o));
    return next === undefined ? { objects } : { objects, next_cursor: next };
  },
  list_leases: async (peer, p) => {
    const only = p.object_id === undefined ? {} : { objectId: p.object_id };
    const { items, next } = await listPage<LeaseInfo>(
      p,
      (l) => l.leaseId,
      (page) => peer.listLeases({ ...only, ...page }),
    );
    const leases = items.map(toWireLease);
    return next === undefined ? { leases } : { leases, next_cursor: next };
  },
  stats: async (peer) => toWireStats(await peer.stats()),
};

const PLAIN_OPS: ReadonlySet<string> = new Set(Object.keys(PLAIN));

/**
 * The server side of the plain ops over a Peer: wire params to Peer calls, Peer answers to the
 * wire. Params come as the client sent them; the Peer validates their types and ids.
 */
export function plainOpHandlers(peer: Peer): { readonly [O in PlainOp]: OpHandler<O> } {
  const bound = Object.fromEntries(
    Object.entries(PLAIN).map(([op, handler]) => {
      const run = handler as (peer: Peer, params: object) => Promise<object>;
      return [op, (params: object) => run(peer, params)];
    }),
  );
  return bound as unknown as { readonly [O in PlainOp]: OpHandler<O> };
}

/**
 * Runs a plain op by name with params as they came off the wire; resolves with the wire answer.
 * The Peer checks the params' types, so they need not match `OpParams` statically.
 */
export function callPlainOp(
  handlers: ReturnType<typeof plainOpHandlers>,
  op: PlainOp,
  params: object,
): Promise<object> {
  return (handlers[op] as (p: object) => Promise<object>)(params);
}

/** True when `op` is one of the plain ops. */
export function isPlainOp(op: string): op is PlainOp {
  return PLAIN_OPS.has(op);
}
