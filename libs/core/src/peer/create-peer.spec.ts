import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { BlobStore } from '../blob';
import { createPeer } from './create-peer';
import { PackIceError } from '../errors';
import type { Peer, PeerEvents, PeerOptions } from './peer';
import { createBufferBlobStore, type BufferBlobStore } from '../testing/buffer-blob-store';
import { ManualClock } from '../testing/manual-clock';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface Fixture {
  peer: Peer;
  store: BufferBlobStore;
  clock: ManualClock;
}

const open: Peer[] = [];

function setup(options: Partial<PeerOptions> & { store?: BufferBlobStore } = {}): Fixture {
  const store = options.store ?? createBufferBlobStore();
  const clock = new ManualClock();
  const peer = createPeer({ clock, ...options, storage: options.storage ?? store });
  open.push(peer);
  return { peer, store, clock };
}

/** Creates, writes and seals an object; returns the (still held) create lease id. */
async function putObject(peer: Peer, objectId: string, data: string | number): Promise<string> {
  const hint = typeof data === 'number' ? data : undefined;
  const { lease, object } = await peer.acquire({ intent: 'create', objectId, blobs: [{ size: hint }] });
  if (typeof data === 'string') await object.blobs[0].write(Buffer.from(data));
  await peer.seal(lease.leaseId);
  return lease.leaseId;
}

function record<K extends keyof PeerEvents & string>(peer: Peer, event: K): PeerEvents[K][] {
  const seen: PeerEvents[K][] = [];
  peer.events.on(event, (payload) => seen.push(payload));
  return seen;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

describe('createPeer', () => {
  it('refuses options without a storage or with bad numbers', () => {
    expect(() => createPeer({} as PeerOptions)).toThrow(PackIceError);
    expect(() => createPeer({ storage: createBufferBlobStore(), capacityBytes: -1 })).toThrow(/capacityBytes/);
    expect(() => createPeer({ storage: createBufferBlobStore(), defaultTtlMs: 10, maxTtlMs: 5 })).toThrow(/maxTtlMs/);
  });
});

describe('Peer: create and read', () => {
  it('creates, seals and reads an object with its meta, sizes and handles', async () => {
    const { peer, clock } = setup();
    const created = await peer.acquire({ intent: 'create', objectId: 'greeting', meta: { type: 'text/plain' } });
    expect(created.lease).toMatchObject({
      objectId: 'greeting',
      access: 'create',
      ttlMs: 60_000,
      expiresAt: clock.now() + 60_000,
      holder: { transport: 'direct' },
    });
    expect(created.lease.leaseId).toMatch(UUID_V4);
    expect(created.object).toMatchObject({ objectId: 'greeting', state: 'creating', sealedAt: null });
    await created.object.blobs[0].write(Buffer.from('Zero-Copy Data!'));
    clock.advance(5);
    const sealed = await peer.seal(created.lease.leaseId);
    expect(sealed).toEqual({
      objectId: 'greeting',
      state: 'sealed',
      size: 15,
      meta: { type: 'text/plain' },
      createdAt: clock.now() - 5,
      sealedAt: clock.now(),
      blobs: [{ size: 15 }],
    });
    const read = await peer.acquire(
      { intent: 'read', objectId: 'greeting' },
      { holder: { transport: 'uds', pid: 42, uid: 1000 } },
    );
    expect(read.lease).toMatchObject({ access: 'read', holder: { transport: 'uds', pid: 42, uid: 1000 } });
    expect(read.object.blobs[0].handle('read')).toEqual({ kind: 'in-process' });
    expect((await read.object.blobs[0].read()).toString()).toBe('Zero-Copy Data!');
  });

  it('generates a UUID v4 object id when a create names none', async () => {
    const { peer } = setup();
    const { object } = await peer.acquire({ intent: 'create' });
    expect(object.objectId).toMatch(UUID_V4);
  });

  it('makes one blob per count or per size hint, preallocated', async () => {
    const { peer } = setup();
    const counted = await peer.acquire({ intent: 'create', blobs: 3 });
    expect(counted.object.blobs.map((b) => b.size)).toEqual([0, 0, 0]);
    const hinted = await peer.acquire({ intent: 'create', blobs: [{ size: 10 }, {}, { size: 5 }] });
    expect(hinted.object.blobs.map((b) => b.size)).toEqual([10, 0, 5]);
    expect(hinted.object.size).toBe(15);
  });

  it('answers ALREADY_EXISTS for an existing id, whatever its state', async () => {
    const { peer } = setup();
    await putObject(peer, 'taken', 'x');
    await peer.acquire({ intent: 'create', objectId: 'creating' });
    await expect(peer.acquire({ intent: 'create', objectId: 'taken' })).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
    });
    await expect(peer.acquire({ intent: 'create', objectId: 'creating' })).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
    });
  });

  it('lets exactly one of many concurrent creates of the same id win', async () => {
    const { peer, store } = setup();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => peer.acquire({ intent: 'create', objectId: 'race', blobs: [{ size: 8 }] })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(19);
    expect(lost.every((r) => (r.reason as PackIceError).code === 'ALREADY_EXISTS')).toBe(true);
    expect(store.liveBlobs).toBe(1);
    expect((await peer.stats()).bytes).toBe(8);
  });

  it('answers NOT_FOUND and NOT_SEALED at once when no wait is asked', async () => {
    const { peer } = setup();
    await expect(peer.acquire({ intent: 'read', objectId: 'missing' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await peer.acquire({ intent: 'create', objectId: 'half' });
    await expect(peer.acquire({ intent: 'read', objectId: 'half', timeoutMs: 0 })).rejects.toMatchObject({
      code: 'NOT_SEALED',
    });
  });
});

describe('Peer: bad requests get codes and change nothing', () => {
  const bad: [string, unknown, string][] = [
    ['no intent', { objectId: 'a' }, 'BAD_REQUEST'],
    ['unknown intent', { intent: 'write', objectId: 'a' }, 'BAD_REQUEST'],
    ['read without id', { intent: 'read' }, 'BAD_REQUEST'],
    ['id with a slash', { intent: 'create', objectId: 'a/b' }, 'INVALID_ID'],
    ['id ..', { intent: 'read', objectId: '..' }, 'INVALID_ID'],
    ['id not a string', { intent: 'create', objectId: 7 }, 'BAD_REQUEST'],
    ['zero blobs', { intent: 'create', blobs: 0 }, 'BAD_REQUEST'],
    ['too many blobs', { intent: 'create', blobs: 5000 }, 'BAD_REQUEST'],
    ['negative size', { intent: 'create', blobs: [{ size: -1 }] }, 'BAD_REQUEST'],
    ['fractional size', { intent: 'create', blobs: [{ size: 1.5 }] }, 'BAD_REQUEST'],
    ['blob not an object', { intent: 'create', blobs: [3] }, 'BAD_REQUEST'],
    ['meta not flat', { intent: 'create', meta: { a: { b: 1 } } }, 'BAD_REQUEST'],
    ['meta an array', { intent: 'create', meta: ['a'] }, 'BAD_REQUEST'],
    ['ttl zero', { intent: 'create', ttlMs: 0 }, 'BAD_REQUEST'],
    ['ttl over the maximum', { intent: 'create', ttlMs: 86_400_001 }, 'BAD_REQUEST'],
    ['negative timeout', { intent: 'read', objectId: 'a', timeoutMs: -1 }, 'BAD_REQUEST'],
    ['timeout a string', { intent: 'read', objectId: 'a', timeoutMs: '5' }, 'BAD_REQUEST'],
  ];

  it.each(bad)('%s -> %s', async (_name, request, code) => {
    const { peer, store } = setup();
    await putObject(peer, 'existing', 'data');
    const before = await peer.stats();
    await expect(peer.acquire(request as never)).rejects.toMatchObject({ code: expect.stringMatching(code) });
    await expect(peer.stats()).resolves.toEqual(before);
    expect(store.liveBlobs).toBe(1);
  });

  it('checks lease ids and object ids of the other operations', async () => {
    const { peer } = setup();
    await expect(peer.seal('')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(peer.release(42 as never)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(peer.renew('nope')).rejects.toMatchObject({ code: 'LEASE_NOT_FOUND' });
    await expect(peer.delete('../etc')).rejects.toMatchObject({ code: 'INVALID_ID' });
    await expect(peer.stat('')).rejects.toMatchObject({ code: 'INVALID_ID' });
    await expect(peer.listLeases({ objectId: 'a b' })).rejects.toMatchObject({ code: 'INVALID_ID' });
  });
});

describe('Peer: waiting for seal', () => {
  it('wakes every waiting reader as soon as the object is sealed', async () => {
    const { peer, clock } = setup();
    const created = await peer.acquire({ intent: 'create', objectId: 'soon' });
    const waits = [1, 2, 3].map(() => peer.acquire({ intent: 'read', objectId: 'soon', timeoutMs: 10_000 }));
    clock.advance(9_000);
    await created.object.blobs[0].write(Buffer.from('ready'));
    await peer.seal(created.lease.leaseId);
    const reads = await Promise.all(waits);
    expect(reads.map((r) => r.lease.access)).toEqual(['read', 'read', 'read']);
    expect((await reads[0].object.blobs[0].read()).toString()).toBe('ready');
    expect(clock.pending).toBe(1); // one expiry timer for the four leases; the wait timers are gone
  });

  it('waits for an object that does not exist yet', async () => {
    const { peer } = setup();
    const wait = peer.acquire({ intent: 'read', objectId: 'later', timeoutMs: 1_000 });
    await putObject(peer, 'later', 'here');
    await expect(wait).resolves.toMatchObject({ object: { objectId: 'later', state: 'sealed' } });
  });

  it('answers TIMEOUT when the time runs out, and cleans up the wait', async () => {
    const { peer, clock } = setup();
    const wait = peer.acquire({ intent: 'read', objectId: 'never', timeoutMs: 500 });
    await Promise.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(499);
    const early = await Promise.race([
      wait.then(
        () => 'done',
        () => 'failed',
      ),
      Promise.resolve('pending'),
    ]);
    expect(early).toBe('pending');
    clock.advance(1);
    await expect(wait).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(clock.pending).toBe(0);
    await putObject(peer, 'never', 'late');
    expect((await peer.stats()).leases).toBe(1);
  });

  it('stops waiting when the signal aborts, with the signal reason', async () => {
    const { peer, clock } = setup();
    const controller = new AbortController();
    const wait = peer.acquire({ intent: 'read', objectId: 'x', timeoutMs: 10_000 }, { signal: controller.signal });
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error('user gave up'));
    await expect(wait).rejects.toThrow('user gave up');
    expect(clock.pending).toBe(0);
    await expect(
      peer.acquire({ intent: 'read', objectId: 'x', timeoutMs: 10 }, { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('does not wake readers for an object deleted while it was being written', async () => {
    const { peer, clock } = setup();
    const created = await peer.acquire({ intent: 'create', objectId: 'doomed' });
    await expect(peer.delete('doomed')).resolves.toEqual({ deleted: false, pending: true });
    const wait = peer.acquire({ intent: 'read', objectId: 'doomed', timeoutMs: 100 });
    await new Promise((resolve) => setImmediate(resolve));
    await peer.seal(created.lease.leaseId);
    clock.advance(100);
    await expect(wait).rejects.toMatchObject({ code: 'TIMEOUT' });
  });
});

describe('Peer: seal, release, abort', () => {
  it('refuses seal with a read lease, twice, or with an unknown lease', async () => {
    const { peer } = setup();
    const createLease = await putObject(peer, 'obj', 'x');
    const read = await peer.acquire({ intent: 'read', objectId: 'obj' });
    await expect(peer.seal(read.lease.leaseId)).rejects.toMatchObject({ code: 'WRONG_ACCESS' });
    await expect(peer.seal(createLease)).rejects.toMatchObject({ code: 'ALREADY_SEALED' });
    await expect(peer.seal('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'LEASE_NOT_FOUND' });
  });

  it('refuses writes to a sealed blob', async () => {
    const { peer } = setup();
    const { lease, object } = await peer.acquire({ intent: 'create', objectId: 'frozen' });
    await peer.seal(lease.leaseId);
    await expect(object.blobs[0].write(Buffer.from('late'))).rejects.toMatchObject({ code: 'ALREADY_SEALED' });
  });

  it('aborts an unsealed create on release: object and storage gone', async () => {
    const { peer, store } = setup();
    const deletes = record(peer, 'delete');
    const ends = record(peer, 'lease-end');
    const { lease } = await peer.acquire({ intent: 'create', objectId: 'abandoned', blobs: [{ size: 100 }] });
    expect(store.liveBlobs).toBe(1);
    await peer.release(lease.leaseId);
    expect(store.liveBlobs).toBe(0);
    await expect(peer.stat('abandoned')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await peer.stats()).toMatchObject({ objects: 0, leases: 0, bytes: 0 });
    expect(deletes).toEqual([{ objectId: 'abandoned', reason: 'aborted', size: 100 }]);
    expect(ends).toEqual([{ lease, reason: 'released' }]);
    await expect(peer.release(lease.leaseId)).rejects.toMatchObject({ code: 'LEASE_NOT_FOUND' });
  });

  it('keeps a sealed object when its leases end', async () => {
    const { peer } = setup();
    const createLease = await putObject(peer, 'kept', 'data');
    await peer.release(createLease);
    await expect(peer.stat('kept')).resolves.toMatchObject({ state: 'sealed', size: 4 });
  });

  it('emits seal events', async () => {
    const { peer } = setup();
    const seals = record(peer, 'seal');
    await putObject(peer, 'evented', 'abc');
    expect(seals).toEqual([{ object: expect.objectContaining({ objectId: 'evented', state: 'sealed', size: 3 }) }]);
  });

  it('leaves the object unsealed when a blob cannot be sealed, and can seal again', async () => {
    const store = createBufferBlobStore();
    const { peer } = setup({ store });
    const { lease, object } = await peer.acquire({ intent: 'create', objectId: 'busy' });
    const blob = object.blobs[0];
    const realSeal = blob.seal.bind(blob);
    blob.seal = () => Promise.reject(new PackIceError('INTERNAL', 'EBUSY: a writable mapping exists'));
    await expect(peer.seal(lease.leaseId)).rejects.toMatchObject({ code: 'INTERNAL' });
    await expect(peer.stat('busy')).resolves.toMatchObject({ state: 'creating' });
    blob.seal = realSeal;
    await expect(peer.seal(lease.leaseId)).resolves.toMatchObject({ state: 'sealed' });
  });
});

describe('Peer: lease TTL with an injected clock', () => {
  it('expires a read lease at expiresAt and tells who listens', async () => {
    const { peer, clock } = setup({ defaultTtlMs: 1_000 });
    await putObject(peer, 'obj', 'x');
    const ends = record(peer, 'lease-end');
    const { lease } = await peer.acquire({ intent: 'read', objectId: 'obj', ttlMs: 300 });
    clock.advance(299);
    expect(await peer.listLeases({ objectId: 'obj' })).toHaveLength(2);
    clock.advance(1);
    expect(ends).toEqual([{ lease, reason: 'expired' }]);
    expect(await peer.listLeases({ objectId: 'obj' })).toHaveLength(1);
    await expect(peer.release(lease.leaseId)).rejects.toMatchObject({ code: 'LEASE_NOT_FOUND' });
    await expect(peer.stat('obj')).resolves.toMatchObject({ state: 'sealed' });
  });

  it('aborts an unsealed create whose lease expires', async () => {
    const { peer, clock, store } = setup();
    const deletes = record(peer, 'delete');
    await peer.acquire({ intent: 'create', objectId: 'slow', ttlMs: 5_000 });
    clock.advance(5_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(deletes).toEqual([{ objectId: 'slow', reason: 'aborted', size: 0 }]);
    expect(store.liveBlobs).toBe(0);
    await expect(peer.stat('slow')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('renews a lease from now, with its own or a new TTL', async () => {
    const { peer, clock } = setup();
    const { lease } = await peer.acquire({ intent: 'create', objectId: 'long', ttlMs: 1_000 });
    clock.advance(900);
    const renewed = await peer.renew(lease.leaseId);
    expect(renewed).toMatchObject({ leaseId: lease.leaseId, ttlMs: 1_000, expiresAt: clock.now() + 1_000 });
    clock.advance(900);
    await expect(peer.stat('long')).resolves.toMatchObject({ state: 'creating' });
    const longer = await peer.renew(lease.leaseId, 10_000);
    expect(longer.expiresAt).toBe(clock.now() + 10_000);
    clock.advance(9_999);
    await expect(peer.seal(lease.leaseId)).resolves.toMatchObject({ state: 'sealed' });
    await expect(peer.renew(lease.leaseId, 0)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('expires each lease at its own time with one timer, past released, renewed and shorter ones', async () => {
    const { peer, clock } = setup();
    await putObject(peer, 'obj', 'x');
    const ends = record(peer, 'lease-end');
    const ttls = [500, 100, 300, 200];
    const leases = [];
    for (const ttlMs of ttls) leases.push((await peer.acquire({ intent: 'read', objectId: 'obj', ttlMs })).lease);
    await peer.release(leases[1].leaseId); // the soonest, released early
    await peer.renew(leases[2].leaseId, 50); // now the soonest
    expect(clock.pending).toBe(1);
    const expired = () => ends.filter((e) => e.reason === 'expired').map((e) => e.lease.leaseId);
    clock.advance(50);
    expect(expired()).toEqual([leases[2].leaseId]);
    clock.advance(150);
    expect(expired()).toEqual([leases[2].leaseId, leases[3].leaseId]);
    clock.advance(299);
    expect(expired()).toHaveLength(2);
    clock.advance(1);
    expect(expired()).toEqual([leases[2].leaseId, leases[3].leaseId, leases[0].leaseId]);
    expect(clock.pending).toBe(1); // putObject's create lease, still held
  });

  it('treats a lease past expiresAt as gone even before its timer runs', async () => {
    const { peer, clock } = setup();
    const { lease } = await peer.acquire({ intent: 'create', objectId: 'late', ttlMs: 100 });
    const timerless = clock.now;
    clock.now = () => timerless.call(clock) + 100;
    await expect(peer.seal(lease.leaseId)).rejects.toMatchObject({ code: 'LEASE_NOT_FOUND' });
    await new Promise((resolve) => setImmediate(resolve));
    await expect(peer.stat('late')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('Peer: openLease', () => {
  it('gives a live lease back with its object and blobs, and nothing for ended ones', async () => {
    const { peer, clock } = setup();
    const { lease } = await peer.acquire({ intent: 'create', objectId: 'plane', ttlMs: 100 });
    const opened = await peer.openLease(lease.leaseId);
    expect(opened.lease).toEqual(lease);
    await opened.object.blobs[0].write(Buffer.from('via the data plane'));
    expect((await peer.stat('plane')).size).toBe(18);
    clock.advance(100);
    await expect(peer.openLease(lease.leaseId)).rejects.toMatchObject({ code: 'LEASE_NOT_FOUND' });
    await expect(peer.openLease('')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('Peer: delete', () => {
  it('deletes an unleased object at once', async () => {
    const { peer, store } = setup();
    await peer.release(await putObject(peer, 'gone', 'bytes'));
    await expect(peer.delete('gone')).resolves.toEqual({ deleted: true, pending: false });
    expect(store.liveBlobs).toBe(0);
    await expect(peer.delete('gone')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('defers the delete of a leased object until the last lease ends; new reads see NOT_FOUND', async () => {
    const { peer, store } = setup();
    const deletes = record(peer, 'delete');
    await peer.release(await putObject(peer, 'shared', 'bytes'));
    const r1 = await peer.acquire({ intent: 'read', objectId: 'shared' });
    const r2 = await peer.acquire({ intent: 'read', objectId: 'shared' });
    await expect(peer.delete('shared')).resolves.toEqual({ deleted: false, pending: true });
    await expect(peer.delete('shared')).resolves.toEqual({ deleted: false, pending: true });
    await expect(peer.acquire({ intent: 'read', objectId: 'shared' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(peer.stat('shared')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await peer.listObjects()).toEqual([]);
    expect((await r1.object.blobs[0].read()).toString()).toBe('bytes');
    await peer.release(r1.lease.leaseId);
    expect(store.liveBlobs).toBe(1);
    await peer.release(r2.lease.leaseId);
    expect(store.liveBlobs).toBe(0);
    expect(deletes).toEqual([{ objectId: 'shared', reason: 'deleted', size: 5 }]);
  });
});

describe('Peer: capacity and LRU eviction', () => {
  it('evicts sealed, unleased objects least recently used first', async () => {
    const { peer } = setup({ capacityBytes: 100 });
    const evicted = record(peer, 'evict');
    for (const id of ['a', 'b', 'c']) await peer.release(await putObject(peer, id, 30));
    const touch = await peer.acquire({ intent: 'read', objectId: 'a' });
    await peer.release(touch.lease.leaseId);
    await peer.release(await putObject(peer, 'd', 30));
    expect(evicted).toEqual([{ objectId: 'b', size: 30 }]);
    await peer.release(await putObject(peer, 'e', 60));
    expect(evicted.map((e) => e.objectId)).toEqual(['b', 'c', 'a']);
    expect(await peer.stats()).toMatchObject({ objects: 2, bytes: 90, capacity: 100, evictions: 3 });
    expect((await peer.listObjects()).map((o) => o.objectId).sort()).toEqual(['d', 'e']);
  });

  it('never evicts leased or unsealed objects, and answers OUT_OF_CAPACITY before allocating', async () => {
    const { peer, store } = setup({ capacityBytes: 100 });
    await putObject(peer, 'held', 50);
    await peer.acquire({ intent: 'create', objectId: 'writing', blobs: [{ size: 40 }] });
    const blobsBefore = store.liveBlobs;
    await expect(peer.acquire({ intent: 'create', blobs: [{ size: 20 }] })).rejects.toMatchObject({
      code: 'OUT_OF_CAPACITY',
    });
    expect(store.liveBlobs).toBe(blobsBefore);
    expect(await peer.stats()).toMatchObject({ objects: 2, bytes: 90, evictions: 0 });
  });

  it('refuses a hint larger than the capacity without evicting anything', async () => {
    const { peer } = setup({ capacityBytes: 100 });
    await peer.release(await putObject(peer, 'small', 10));
    await expect(peer.acquire({ intent: 'create', blobs: [{ size: 101 }] })).rejects.toMatchObject({
      code: 'OUT_OF_CAPACITY',
    });
    expect(await peer.stats()).toMatchObject({ objects: 1, evictions: 0 });
  });

  it('checks at seal the bytes written beyond the hints', async () => {
    const { peer } = setup({ capacityBytes: 100 });
    const { lease, object } = await peer.acquire({ intent: 'create', objectId: 'grows', blobs: [{ size: 10 }] });
    await object.blobs[0].write(Buffer.alloc(150), 0);
    await expect(peer.seal(lease.leaseId)).rejects.toMatchObject({ code: 'OUT_OF_CAPACITY' });
    await expect(peer.stat('grows')).resolves.toMatchObject({ state: 'creating' });
    expect((await peer.stats()).bytes).toBe(10);
  });

  it("frees the evicted objects' storage before allocating the new object", async () => {
    const inner = createBufferBlobStore();
    const calls: string[] = [];
    let freeRemoval!: () => void;
    const gate = new Promise<void>((resolve) => (freeRemoval = resolve));
    const storage: BlobStore = {
      ...inner,
      createBlobs: async (id, hints) => (calls.push(`create ${id}`), inner.createBlobs(id, hints)),
      remove: async (id, blobs) => {
        calls.push(`remove ${id}`);
        await gate;
        calls.push(`removed ${id}`);
        return inner.remove(id, blobs);
      },
    };
    const peer = createPeer({ storage, capacityBytes: 100 });
    open.push(peer);
    await peer.release(await putObject(peer, 'old', 80));
    const creating = peer.acquire({ intent: 'create', objectId: 'new', blobs: [{ size: 80 }] });
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual(['create old', 'remove old']);
    freeRemoval();
    await creating;
    expect(calls).toEqual(['create old', 'remove old', 'removed old', 'create new']);
  });

  it('passes storage refusals through and frees the id', async () => {
    const store = createBufferBlobStore({ maxHintBytes: 1_000 });
    const { peer } = setup({ store });
    await expect(peer.acquire({ intent: 'create', objectId: 'big', blobs: [{ size: 5_000 }] })).rejects.toMatchObject({
      code: 'OUT_OF_CAPACITY',
    });
    expect((await peer.stats()).bytes).toBe(0);
    await expect(peer.acquire({ intent: 'create', objectId: 'big', blobs: [{ size: 500 }] })).resolves.toBeDefined();
  });
});

describe('Peer: accounting in allocation units', () => {
  it('counts whole units per blob, at least one, so many small objects cannot pass the capacity', async () => {
    const store = createBufferBlobStore({ allocationUnit: 4096 });
    const { peer } = setup({ store, capacityBytes: 16 * 4096 });
    for (let i = 0; i < 16; i++) await peer.release(await putObject(peer, `small-${i}`, 'x'.repeat(100)));
    expect(await peer.stats()).toMatchObject({ objects: 16, bytes: 16 * 4096, evictions: 0 });
    // 4097 bytes take two units and an empty blob one: three objects must go.
    const { lease, object } = await peer.acquire({ intent: 'create', objectId: 'two', blobs: [{ size: 4097 }, {}] });
    expect(await peer.stats()).toMatchObject({ objects: 14, bytes: 16 * 4096, evictions: 3 });
    await object.blobs[0].truncate(10);
    await peer.seal(lease.leaseId);
    expect(await peer.stats()).toMatchObject({ bytes: 15 * 4096, evictions: 3 });
  });

  it('adds the process descriptors to stats when the node reports them', async () => {
    const { peer } = setup({ descriptors: () => ({ inUse: 12, limit: 1024 }) });
    expect(await peer.stats()).toMatchObject({ fdsInUse: 12, fdsLimit: 1024 });
    const { peer: plain } = setup();
    expect(await plain.stats()).not.toHaveProperty('fdsInUse');
  });
});

describe('Peer: inspection', () => {
  it('lists objects and leases, filtered by object, and counts them', async () => {
    const { peer, clock } = setup();
    await putObject(peer, 'one', 'a');
    await peer.acquire({ intent: 'create', objectId: 'two' });
    await peer.acquire({ intent: 'read', objectId: 'one' });
    clock.advance(250);
    expect((await peer.listObjects()).map((o) => [o.objectId, o.state])).toEqual([
      ['one', 'sealed'],
      ['two', 'creating'],
    ]);
    expect((await peer.listLeases()).length).toBe(3);
    expect((await peer.listLeases({ objectId: 'one' })).map((l) => l.access).sort()).toEqual(['create', 'read']);
    expect(await peer.stats()).toEqual({
      objects: 2,
      leases: 3,
      bytes: 1,
      capacity: null,
      evictions: 0,
      uptimeMs: 250,
    });
  });
});

describe('Peer: start and close', () => {
  it('serves the objects its storage recovers', async () => {
    const seed = createBufferBlobStore();
    const [blob] = await seed.createBlobs('old', [undefined]);
    await blob.write(Buffer.from('survived'));
    await blob.seal();
    const store = createBufferBlobStore({
      recovered: [
        {
          info: { objectId: 'old', state: 'sealed', size: 8, meta: { v: '1' }, createdAt: 1, sealedAt: 2 },
          blobs: [blob],
        },
      ],
    });
    const { peer } = setup({ store });
    const { object } = await peer.acquire({ intent: 'read', objectId: 'old' });
    expect(object).toMatchObject({ state: 'sealed', size: 8, meta: { v: '1' }, sealedAt: 2 });
    expect((await object.blobs[0].read()).toString()).toBe('survived');
  });

  it('fails waiting reads, aborts unsealed creates, then refuses work', async () => {
    const { peer, store } = setup();
    const closed = jest.spyOn(store, 'close');
    await putObject(peer, 'sealed', 'x');
    await peer.acquire({ intent: 'create', objectId: 'unsealed' });
    const wait = peer.acquire({ intent: 'read', objectId: 'w', timeoutMs: 60_000 });
    await new Promise((resolve) => setImmediate(resolve));
    await peer.close();
    await expect(wait).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    expect(store.liveBlobs).toBe(1);
    expect(closed).toHaveBeenCalledTimes(1);
    await expect(peer.stats()).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    await expect(peer.acquire({ intent: 'create' })).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    await peer[Symbol.asyncDispose]();
    expect(closed).toHaveBeenCalledTimes(1);
  });

  it('waits for a create under way, then aborts it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const inner = createBufferBlobStore();
    const slow: BlobStore = {
      ...inner,
      name: 'slow',
      createBlobs: async (id, hints) => (await gate, inner.createBlobs(id, hints)),
    };
    const peer = createPeer({ storage: slow });
    const create = peer.acquire({ intent: 'create', objectId: 'mid' });
    await new Promise((resolve) => setImmediate(resolve));
    const closing = peer.close();
    release();
    await expect(create).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    await closing;
    expect(inner.liveBlobs).toBe(0);
  });
});
