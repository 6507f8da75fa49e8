import { afterEach, describe, expect, it } from '@jest/globals';
import { createPeer, type Peer } from '@packice/core';
import { createBufferBlobStore, ManualClock } from '@packice/core/testing';
import type { NodeEvent, OverflowNotice } from '../wire/wire-shapes';
import { EventHub, eventHubOf } from './event-hub';

const peers: Peer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

function setup(): { peer: Peer; clock: ManualClock; hub: EventHub } {
  const clock = new ManualClock();
  const peer = createPeer({ storage: createBufferBlobStore(), clock });
  peers.push(peer);
  return { peer, clock, hub: new EventHub(peer, { clock, historySize: 4 }) };
}

async function put(peer: Peer, objectId: string, ttlMs?: number): Promise<string> {
  const { lease, object } = await peer.acquire({ intent: 'create', objectId, ttlMs, meta: { k: objectId } });
  await object.blobs[0].write(Buffer.from(objectId));
  await peer.seal(lease.leaseId);
  return lease.leaseId;
}

type Seen = (NodeEvent | OverflowNotice)[];
const collect = (seen: Seen) => (event: NodeEvent | OverflowNotice) => (seen.push(event), true);

describe('EventHub', () => {
  it('numbers every event of the node and filters by prefix', async () => {
    const { peer, hub } = setup();
    const all: Seen = [];
    const frames: Seen = [];
    await hub.subscribe({}, collect(all));
    await hub.subscribe({ prefix: 'frame-' }, collect(frames));
    await peer.release(await put(peer, 'frame-1'));
    const other = await peer.acquire({ intent: 'create', objectId: 'other' });
    await peer.release(other.lease.leaseId);
    await peer.delete('frame-1');
    expect(all.map((e) => [e.event, (e as NodeEvent).object_id, (e as NodeEvent).seq])).toEqual([
      ['sealed', 'frame-1', 1],
      ['aborted', 'other', 2],
      ['deleted', 'frame-1', 3],
    ]);
    expect(all[0]).toMatchObject({ size: 7, meta: { k: 'frame-1' } });
    expect(frames.map((e) => (e as NodeEvent).seq)).toEqual([1, 3]);
  });

  it('reports lease expiries and evictions', async () => {
    const clock = new ManualClock();
    const peer = createPeer({ storage: createBufferBlobStore(), clock, capacityBytes: 10 });
    peers.push(peer);
    const hub = new EventHub(peer, { clock });
    const seen: Seen = [];
    await hub.subscribe({}, collect(seen));
    const lease = await put(peer, 'a', 1_000);
    clock.advance(1_000);
    await put(peer, 'bbbbbbbbbb');
    expect(seen.map((e) => e.event)).toEqual(['sealed', 'lease_expired', 'evicted', 'sealed']);
    expect(seen[1]).toMatchObject({ lease_id: lease, object_id: 'a' });
  });

  it('replays sealed objects first, then live events, missing none in between', async () => {
    const { peer, hub } = setup();
    await peer.release(await put(peer, 'old-1'));
    await peer.release(await put(peer, 'old-2'));
    const seen: Seen = [];
    const subscribing = hub.subscribe({ replay: true, prefix: 'old' }, collect(seen));
    const live = put(peer, 'old-3');
    await subscribing;
    await live;
    expect(seen.map((e) => [(e as NodeEvent).object_id, (e as NodeEvent).replay ?? false])).toEqual([
      ['old-1', true],
      ['old-2', true],
      ['old-3', false],
    ]);
  });

  it('resumes from its recent history, as far as it reaches', async () => {
    const { peer, hub } = setup();
    for (let i = 1; i <= 6; i++) await peer.release(await put(peer, `o${i}`));
    const seen: Seen = [];
    await hub.subscribe({ after: 4 }, collect(seen));
    expect(seen.map((e) => (e as NodeEvent).seq)).toEqual([5, 6]);
    const late: Seen = [];
    await hub.subscribe({ after: 0 }, collect(late));
    // Seqs 1 and 2 fell out of the history: the gap is announced, not silent.
    expect(late.map((e) => (e.event === 'overflow' ? `dropped ${e.dropped}` : e.seq))).toEqual([
      'dropped 2',
      3,
      4,
      5,
      6,
    ]);
    // A seq from the future (a node that restarted numbers from 1 again) resumes with live events only.
    const reborn: Seen = [];
    await hub.subscribe({ after: 99 }, collect(reborn));
    await put(peer, 'o7');
    expect(reborn.map((e) => e.event === 'sealed' && e.seq)).toEqual([7]);
  });

  it('drops events a subscriber cannot take, counts them, and says so once it can again', async () => {
    const { peer, hub } = setup();
    const seen: Seen = [];
    let open = false;
    const subscription = await hub.subscribe({}, (event) => (open ? (seen.push(event), true) : false));
    await peer.release(await put(peer, 'a'));
    await peer.release(await put(peer, 'b'));
    expect(subscription.dropped).toBe(2);
    open = true;
    await peer.release(await put(peer, 'c'));
    expect(seen).toEqual([
      { event: 'overflow', dropped: 2, at: expect.any(Number) },
      expect.objectContaining({ event: 'sealed', object_id: 'c', seq: 3 }),
    ]);
    expect(hub.droppedTotal).toBe(2);
    subscription.close();
    expect(hub.subscribers).toBe(0);
  });

  it('offers the overflow notice again until taken, with no later event needed (a replay past the bound)', async () => {
    const { peer, hub } = setup();
    for (const id of ['r1', 'r2', 'r3']) await peer.release(await put(peer, id));
    const seen: Seen = [];
    let room = 1; // takes one event, then nothing until the test makes room
    const subscription = await hub.subscribe({ replay: true }, (event) =>
      room > 0 ? (room--, seen.push(event), true) : false,
    );
    expect(subscription.dropped).toBe(2);
    room = 1;
    const deadline = Date.now() + 5_000;
    while (seen.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(seen).toEqual([
      expect.objectContaining({ event: 'sealed', object_id: 'r1', replay: true }),
      { event: 'overflow', dropped: 2, at: expect.any(Number) },
    ]);
    expect(subscription.dropped).toBe(0);
    subscription.close();
  });

  it('is one per Peer', () => {
    const { peer } = setup();
    expect(eventHubOf(peer)).toBe(eventHubOf(peer));
  });
});
