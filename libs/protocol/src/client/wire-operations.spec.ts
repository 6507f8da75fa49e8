import { afterEach, describe, expect, it } from '@jest/globals';
import { createPeer, type Peer } from '@packice/core';
import { createBufferBlobStore } from '@packice/core/testing';
import { isPlainOp, plainOpHandlers } from '../server/plain-ops';
import type { OpName, OpParams, OpResult } from '../wire/wire-shapes';
import { wireOperations, type WireCall } from './wire-operations';

const peers: Peer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

/** Both halves joined through JSON, as a binding would join them. */
function loopback(peer: Peer): { call: WireCall; sent: string[] } {
  const handlers = plainOpHandlers(peer);
  const sent: string[] = [];
  const call = async <O extends OpName>(op: O, params: OpParams<O>): Promise<OpResult<O>> => {
    sent.push(`${op} ${JSON.stringify(params)}`);
    if (!isPlainOp(op)) throw new Error(`not a plain op: ${op}`);
    const handler = handlers[op] as (p: unknown) => Promise<unknown>;
    return JSON.parse(JSON.stringify(await handler(JSON.parse(JSON.stringify(params))))) as OpResult<O>;
  };
  return { call: call as WireCall, sent };
}

describe('wireOperations over plainOpHandlers', () => {
  it('round-trips every plain op through the wire names', async () => {
    const peer = createPeer({ storage: createBufferBlobStore() });
    peers.push(peer);
    const { call, sent } = loopback(peer);
    const ops = wireOperations(call);
    const { lease, object } = await peer.acquire({ intent: 'create', objectId: 'o', meta: { k: 'v' } });
    await object.blobs[0].write(Buffer.from('abc'));
    await expect(ops.seal(lease.leaseId)).resolves.toMatchObject({
      objectId: 'o',
      state: 'sealed',
      size: 3,
      meta: { k: 'v' },
    });
    await expect(ops.renew(lease.leaseId, 5_000)).resolves.toMatchObject({ leaseId: lease.leaseId, ttlMs: 5_000 });
    await expect(ops.stat('o')).resolves.toMatchObject({ objectId: 'o', blobs: [{ size: 3 }] });
    await expect(ops.listObjects()).resolves.toHaveLength(1);
    await expect(ops.listLeases({ objectId: 'o' })).resolves.toEqual([expect.objectContaining({ objectId: 'o' })]);
    await expect(ops.stats()).resolves.toMatchObject({ objects: 1, leases: 1, bytes: 3, capacity: null });
    await expect(ops.delete('o')).resolves.toEqual({ deleted: false, pending: true });
    await expect(ops.release(lease.leaseId)).resolves.toBeUndefined();
    await expect(ops.release(lease.leaseId)).rejects.toMatchObject({ code: 'LEASE_NOT_FOUND' });
    expect(sent).toContain(`renew {"lease_id":"${lease.leaseId}","ttl_ms":5000}`);
    expect(sent).toContain('list_leases {"object_id":"o","limit":1000}');
    expect(sent).toContain('list_objects {"limit":1000}');
  });

  it('lists page by page, following next_cursor to the end', async () => {
    const peer = createPeer({ storage: createBufferBlobStore() });
    peers.push(peer);
    for (let i = 0; i < 2_345; i++) {
      const { lease, object } = await peer.acquire({ intent: 'create', objectId: `p-${i}` });
      await object.blobs[0].write(Buffer.from('x'));
      await peer.seal(lease.leaseId);
      await peer.release(lease.leaseId);
    }
    const { call, sent } = loopback(peer);
    const listed = await wireOperations(call).listObjects();
    expect(new Set(listed.map((o) => o.objectId)).size).toBe(2_345);
    expect(sent.filter((line) => line.startsWith('list_objects'))).toHaveLength(3);
  });

  it('leaves type checking of wire params to the Peer', async () => {
    const peer = createPeer({ storage: createBufferBlobStore() });
    peers.push(peer);
    const handlers = plainOpHandlers(peer);
    await expect(handlers.seal({ lease_id: 42 as unknown as string })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(handlers.stat({ object_id: '../etc' })).rejects.toMatchObject({ code: 'INVALID_ID' });
    expect(isPlainOp('acquire')).toBe(false);
  });

  it('types Peer events without an index signature', () => {
    const peer = createPeer({ storage: createBufferBlobStore() });
    peers.push(peer);
    // @ts-expect-error a misspelled event name does not compile
    const off = peer.events.on('seel', () => undefined);
    off();
  });
});
