import { describe, expect, it } from '@jest/globals';
import { createPeer } from '@packice/core';
import { openDescriptorCount } from '@packice/native';
import { createMemStorage } from './mem-storage';

const SMALL = 64 * 1024;
const kib = (n: number): Buffer => Buffer.alloc(1024, n % 251);

describe('small objects in slabs (memory storage)', () => {
  it('keeps 10,000 small objects under a handful of descriptors, each byte-identical', async () => {
    const storage = createMemStorage({ smallObjectMaxBytes: SMALL });
    const peer = createPeer({ storage });
    const before = openDescriptorCount();
    for (let i = 0; i < 10_000; i++) {
      const { lease } = await peer.acquire({
        intent: 'create',
        objectId: `o${i}`,
        blobs: [{ data: kib(i) }],
        seal: true,
      });
      await peer.release(lease.leaseId);
    }
    expect(openDescriptorCount() - before).toBeLessThanOrEqual(4);
    expect(storage.slabs).toBeGreaterThan(0);
    for (const i of [0, 1, 4_999, 9_999]) {
      const { lease, object } = await peer.acquire({ intent: 'read', objectId: `o${i}` });
      expect((await object.blobs[0].read()).equals(kib(i))).toBe(true);
      expect(object.blobs[0].handle('read')).toEqual({ kind: 'in-process' });
      await peer.release(lease.leaseId);
    }
    // A slab object counts its size-class slot, not a page.
    expect((await peer.stats()).bytes).toBe(10_000 * 1024);
    await peer.close();
    expect(openDescriptorCount()).toBeLessThanOrEqual(before);
  });

  it('moves a small object made the descriptor way into a slab at seal, closing its memfd', async () => {
    const storage = createMemStorage({ smallObjectMaxBytes: SMALL });
    const peer = createPeer({ storage });
    const before = openDescriptorCount();
    const { lease, object } = await peer.acquire({ intent: 'create', objectId: 'moved', blobs: [{ size: 100 }] });
    expect(object.blobs[0].handle('create').kind).toBe('fd');
    expect(openDescriptorCount()).toBe(before + 1);
    await object.blobs[0].write(Buffer.from('hello slab'), 0);
    await object.blobs[0].truncate(10);
    const sealed = await peer.seal(lease.leaseId);
    expect(sealed.size).toBe(10);
    expect(object.blobs[0].handle('read')).toEqual({ kind: 'in-process' });
    expect((await object.blobs[0].read()).toString()).toBe('hello slab');
    expect((await peer.stats()).bytes).toBe(64);
    expect(openDescriptorCount()).toBe(before + 1); // the memfd went, one slab came
    await peer.release(lease.leaseId);
    await peer.close();
  });

  it('keeps objects over the threshold in a memfd of their own', async () => {
    const storage = createMemStorage({ smallObjectMaxBytes: 4096 });
    const peer = createPeer({ storage });
    const big = Buffer.alloc(4097, 7);
    const { lease, object } = await peer.acquire({
      intent: 'create',
      objectId: 'big',
      blobs: [{ data: big }],
      seal: true,
    });
    expect(object.blobs[0].handle('read').kind).toBe('fd');
    expect((await object.blobs[0].read()).equals(big)).toBe(true);
    expect(storage.slabs).toBe(0);
    await peer.release(lease.leaseId);
    await peer.close();
  });

  it('reuses freed slots: fill, delete half, fill again, and the slabs do not grow', async () => {
    const storage = createMemStorage({ smallObjectMaxBytes: SMALL, slabBytes: 256 * 1024 });
    const peer = createPeer({ storage });
    const put = async (id: string, n: number): Promise<void> => {
      const { lease } = await peer.acquire({ intent: 'create', objectId: id, blobs: [{ data: kib(n) }], seal: true });
      await peer.release(lease.leaseId);
    };
    for (let i = 0; i < 2_000; i++) await put(`a${i}`, i);
    const slabsAfterFirst = storage.slabs;
    const allocatedAfterFirst = storage.allocatedBytes;
    for (let i = 0; i < 2_000; i += 2) await peer.delete(`a${i}`);
    expect(storage.slabFreeBytes).toBeGreaterThanOrEqual(1_000 * 1024);
    expect((await peer.stats()).spareBytes).toBe(storage.slabFreeBytes);
    for (let i = 0; i < 1_000; i++) await put(`b${i}`, i + 7);
    expect(storage.slabs).toBe(slabsAfterFirst);
    expect(storage.allocatedBytes).toBe(allocatedAfterFirst);
    for (let i = 1; i < 2_000; i += 2) {
      const { lease, object } = await peer.acquire({ intent: 'read', objectId: `a${i}` });
      expect((await object.blobs[0].read()).equals(kib(i))).toBe(true);
      await peer.release(lease.leaseId);
    }
    await peer.close();
  });

  it('never reuses a slot while a lease holds its object: a delete waits for the lease', async () => {
    const storage = createMemStorage({ smallObjectMaxBytes: SMALL, slabBytes: 64 * 1024 });
    const peer = createPeer({ storage });
    const first = await peer.acquire({ intent: 'create', objectId: 'held', blobs: [{ data: kib(1) }], seal: true });
    await peer.release(first.lease.leaseId);
    const reader = await peer.acquire({ intent: 'read', objectId: 'held' });
    await expect(peer.delete('held')).resolves.toEqual({ deleted: false, pending: true });
    for (let i = 0; i < 200; i++) {
      const { lease } = await peer.acquire({
        intent: 'create',
        objectId: `x${i}`,
        blobs: [{ data: kib(200) }],
        seal: true,
      });
      await peer.release(lease.leaseId);
    }
    expect((await reader.object.blobs[0].read()).equals(kib(1))).toBe(true);
    await peer.release(reader.lease.leaseId);
    await expect(reader.object.blobs[0].read()).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await peer.close();
  });

  it('refuses writes to a sealed slab object and keeps slabs within the budget', async () => {
    const storage = createMemStorage({ smallObjectMaxBytes: SMALL, slabBytes: 64 * 1024, budgetBytes: 64 * 1024 });
    const peer = createPeer({ storage });
    const { lease, object } = await peer.acquire({
      intent: 'create',
      objectId: 's',
      blobs: [{ data: kib(3) }],
      seal: true,
    });
    await expect(object.blobs[0].write(Buffer.from('x'), 0)).rejects.toMatchObject({ code: 'ALREADY_SEALED' });
    await peer.release(lease.leaseId);
    // The one slab of the 1 KiB class fills the budget: a second class needs a slab that does not fit.
    await expect(
      peer.acquire({ intent: 'create', objectId: 't', blobs: [{ data: Buffer.alloc(10) }], seal: true }),
    ).rejects.toMatchObject({ code: 'OUT_OF_CAPACITY' });
    await peer.close();
  });
});
