import type { OpName, OpParams, OpResult } from './ops';
import type { Peer } from './peer';
import { toWireDelete, toWireLease, toWireObject, toWireStats } from './wire';

/** Ops that every binding serves the same way (no holder, no handles, no binding facts). */
export type PlainOp = Exclude<
  OpName,
  'hello' | 'health' | 'acquire' | 'acquire_many' | 'ping' | 'subscribe' | 'unsubscribe'
>;

/** A server-side handler of one op: wire params in, wire answer out. */
export type OpHandler<O extends OpName> = (params: OpParams<O>) => Promise<OpResult<O>>;

/**
 * The server side of the plain ops over a Peer: wire params to Peer calls, Peer answers to the
 * wire. Params come as the client sent them; the Peer validates their types and ids.
 */
export function plainOpHandlers(peer: Peer): { readonly [O in PlainOp]: OpHandler<O> } {
  return {
    seal: async (p) => ({ object: toWireObject(await peer.seal(p.lease_id)) }),
    release: async (p) => {
      await peer.release(p.lease_id);
      return {};
    },
    renew: async (p) => ({ lease: toWireLease(await peer.renew(p.lease_id, p.ttl_ms)) }),
    delete: async (p) => toWireDelete(await peer.delete(p.object_id)),
    stat: async (p) => ({ object: toWireObject(await peer.stat(p.object_id)) }),
    list_objects: async () => ({ objects: (await peer.listObjects()).map((o) => toWireObject(o)) }),
    list_leases: async (p) => ({
      leases: (await peer.listLeases(p.object_id === undefined ? {} : { objectId: p.object_id })).map(toWireLease),
    }),
    stats: async () => toWireStats(await peer.stats()),
  };
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

const PLAIN_OPS: ReadonlySet<string> = new Set<PlainOp>([
  'seal',
  'release',
  'renew',
  'delete',
  'stat',
  'list_objects',
  'list_leases',
  'stats',
]);
