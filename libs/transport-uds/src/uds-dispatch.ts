import type { Peer } from '@packice/core';
import type { OpParams, WireHello } from '@packice/protocol';
import { PackIceError } from '@packice/core';
import {
  callPlainOp,
  eventHubOf,
  isOpName,
  isPlainOp,
  OPS,
  parseSubscribeParams,
  plainOpHandlers,
} from '@packice/protocol';
import { acquire, acquireMany, put } from './uds-acquire';
import type { UdsAnswer, UdsConnection } from './uds-connection';

/** Dispatches one request of a connection to the Peer. */
export type UdsDispatch = (conn: UdsConnection, op: string, params: object) => Promise<UdsAnswer>;

/**
 * The UDS binding's dispatch, from the op table: `hello` and `ping` answered here, `acquire` with
 * the connection's holder and descriptors, `put` with its holder, every other op through the shared plain handlers.
 * `onLease` is told of each lease granted to a connection, `onCarried` of each release an acquire carried.
 */
export function createUdsDispatch(
  peer: Peer,
  hello: () => WireHello,
  onLease: (conn: UdsConnection, leaseId: string) => void,
  onCarried?: (code: string) => void,
): UdsDispatch {
  const plain = plainOpHandlers(peer);
  return async (conn, op, params) => {
    if (!isOpName(op) || !OPS[op].uds) {
      throw new PackIceError('UNKNOWN_OP', `unknown op ${JSON.stringify(op).slice(0, 80)}`);
    }
    if (op === 'hello') {
      const { features } = params as OpParams<'hello'>;
      if (Array.isArray(features))
        for (const f of features.slice(0, 64)) if (typeof f === 'string') conn.features.add(f);
      return { result: hello() };
    }
    if (op === 'ping') return { result: {} };
    if (op === 'acquire') return acquire(peer, conn, params as OpParams<'acquire'>, onLease, onCarried);
    if (op === 'put') return put(peer, conn, params as OpParams<'put'>, onCarried);
    if (op === 'acquire_many') {
      return acquireMany(peer, conn, params as OpParams<'acquire_many'>, onLease, onCarried);
    }
    if (op === 'subscribe') return subscribe(peer, conn, params as OpParams<'subscribe'>);
    if (op === 'unsubscribe') {
      const { subscription_id: id } = params as OpParams<'unsubscribe'>;
      const subscription = typeof id === 'string' ? conn.subscriptions.get(id) : undefined;
      if (!subscription)
        throw new PackIceError('BAD_REQUEST', `no subscription ${String(id).slice(0, 80)} on this connection`);
      subscription.close();
      conn.subscriptions.delete(id);
      return { result: {} };
    }
    if (isPlainOp(op)) return { result: await callPlainOp(plain, op, params) };
    throw new PackIceError('UNKNOWN_OP', `op ${op} is not served over UDS`);
  };
}

/** Queued output past which a connection's events are dropped (and counted) instead of queued. */
const EVENT_QUEUE_BYTES = 256 * 1024;

async function subscribe(peer: Peer, conn: UdsConnection, params: OpParams<'subscribe'>): Promise<UdsAnswer> {
  const options = parseSubscribeParams(params);
  let id = '';
  // Events go out as lines without an id; they start after the subscribe answer (queued first).
  const subscription = await eventHubOf(peer).subscribe({ ...options, hold: true }, (event) => {
    if (conn.socket.closed || conn.socket.queuedBytes > EVENT_QUEUE_BYTES) return false;
    conn.socket.send(JSON.stringify({ ...event, subscription_id: id }));
    return true;
  });
  id = subscription.id;
  conn.subscriptions.set(id, subscription);
  return { result: { subscription_id: id }, after: () => subscription.start() };
}
