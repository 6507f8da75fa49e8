import { afterEach, describe, expect, it } from '@jest/globals';
import { createPeer, type Peer } from '@packice/core';
import { createBufferBlobStore, ManualClock } from '@packice/core/testing';
import type { Catalog } from './catalog';
import { createClusterPeer } from './cluster-peer';
import type { ClusterPeer } from './cluster-peer-options';
import { createMemoryCatalog } from './memory-catalog';

const peers: Peer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

/** A cluster node on a manual clock, over its own buffer storage; counts the catalog's sweeps. */
function node(
  clock: ManualClock,
  catalog: Catalog = createMemoryCatalog(),
): { peer: ClusterPeer; sweeps: () => number } {
  let sweeps = 0;
  const counted: Catalog = {
    ...catalog,
    sweep: (now) => {
      sweeps++;
      return catalog.sweep(now);
    },
  };
  const storage = createBufferBlobStore();
  const peer = createClusterPeer({
    local: createPeer({ storage, clock }),
    storage,
    catalog: counted,
    nodeId: 'a',
    clock,
    sweepIntervalMs: 1_000,
  });
  peers.push(peer);
  return { peer, sweeps: () => sweeps };
}

/** Lets promise callbacks (the catalog's answers, the sweep's end) run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('the cluster Peer on an injected clock', () => {
  it('sweeps on the clock: one sweep per interval, none before', async () => {
    const clock = new ManualClock();
    const { peer, sweeps } = node(clock);
    await peer.start();
    clock.advance(999);
    await settle();
    expect(sweeps()).toBe(0);
    clock.advance(1);
    await settle();
    expect(sweeps()).toBe(1);
    clock.advance(1_000);
    await settle();
    expect(sweeps()).toBe(2);
  });

  it('times a read that waits for a seal on the clock: TIMEOUT once it has moved past timeout_ms', async () => {
    const clock = new ManualClock();
    const { peer } = node(clock);
    await peer.start();
    let outcome: unknown = 'waiting';
    const read = peer.acquire({ intent: 'read', objectId: 'late', timeoutMs: 5_000 }).then(
      () => (outcome = 'acquired'),
      (err: unknown) => (outcome = err),
    );
    await settle();
    clock.advance(4_999);
    await settle();
    expect(outcome).toBe('waiting');
    clock.advance(1);
    await read;
    expect(outcome).toMatchObject({ code: 'TIMEOUT' });
  });

  it('wakes a waiting read at the seal, before its time is up', async () => {
    const clock = new ManualClock();
    const { peer } = node(clock);
    await peer.start();
    const read = peer.acquire({ intent: 'read', objectId: 'soon', timeoutMs: 60_000 });
    const { lease, object } = await peer.acquire({ intent: 'create', objectId: 'soon' });
    await object.blobs[0].write(Buffer.from('here'), 0);
    await peer.seal(lease.leaseId);
    const got = await read;
    expect(got.object.objectId).toBe('soon');
    await peer.release(got.lease.leaseId);
    await peer.release(lease.leaseId);
  });

  it('ends a waiting read with SHUTTING_DOWN when it closes', async () => {
    const clock = new ManualClock();
    const { peer } = node(clock);
    await peer.start();
    const read = peer.acquire({ intent: 'read', objectId: 'never', timeoutMs: 60_000 });
    await settle();
    await peer.close();
    await expect(read).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
  });
});
