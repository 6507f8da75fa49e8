import { describe, expect, it } from '@jest/globals';
import type { Lease } from '@packice/core';
import { createMemoryLeaseStore } from './memory-lease-store';

const lease = (leaseId: string, expiresAt: number, objectId = 'o'): Lease => ({
  leaseId,
  objectId,
  access: 'read',
  ttlMs: 1,
  expiresAt,
  holder: { transport: 'direct' },
});

describe('createMemoryLeaseStore', () => {
  it('expires leases in time order, only those due', () => {
    const store = createMemoryLeaseStore();
    [50, 10, 40, 20, 30].forEach((at, i) => store.put(lease(`l${i}`, at)));
    expect(store.expire(25).map((l) => l.expiresAt)).toEqual([10, 20]);
    expect(store.size).toBe(3);
    expect(store.expire(100).map((l) => l.expiresAt)).toEqual([30, 40, 50]);
    expect(store.size).toBe(0);
  });

  it('follows renewals: the old expiry no longer ends the lease', () => {
    const store = createMemoryLeaseStore();
    store.put(lease('a', 10));
    store.put(lease('a', 100));
    expect(store.expire(50)).toEqual([]);
    expect(store.expire(100).map((l) => l.leaseId)).toEqual(['a']);
  });

  it('skips deleted leases and stays small under many renewals', () => {
    const store = createMemoryLeaseStore();
    store.put(lease('gone', 5));
    store.delete('gone');
    for (let i = 0; i < 10_000; i++) store.put(lease('busy', 1_000 + i));
    expect(store.expire(6)).toEqual([]);
    expect(store.expire(10_999).map((l) => l.expiresAt)).toEqual([10_999]);
    expect(store.list()).toEqual([]);
  });

  it('indexes by object like the core store', () => {
    const store = createMemoryLeaseStore();
    store.put(lease('a', 10, 'x'));
    store.put(lease('b', 10, 'y'));
    expect(store.countFor('x')).toBe(1);
    expect(store.list({ objectId: 'y' }).map((l) => l.leaseId)).toEqual(['b']);
  });
});
