import { describe, expect, it } from '@jest/globals';
import { createMapLeaseStore } from './lease-store';
import type { Lease } from './model';

const lease = (leaseId: string, objectId: string, expiresAt: number): Lease => ({
  leaseId,
  objectId,
  access: 'read',
  ttlMs: 10,
  expiresAt,
  holder: { transport: 'direct' },
});

describe('createMapLeaseStore', () => {
  it('puts, gets, lists by object, counts and deletes', () => {
    const store = createMapLeaseStore();
    store.put(lease('l1', 'a', 10));
    store.put(lease('l2', 'a', 20));
    store.put(lease('l3', 'b', 30));
    expect(store.size).toBe(3);
    expect(store.get('l2')?.objectId).toBe('a');
    expect(store.list({ objectId: 'a' }).map((l) => l.leaseId)).toEqual(['l1', 'l2']);
    expect(store.countFor('a')).toBe(2);
    expect(store.delete('l1')).toBe(true);
    expect(store.delete('l1')).toBe(false);
    expect(store.countFor('a')).toBe(1);
    expect(store.list().map((l) => l.leaseId)).toEqual(['l2', 'l3']);
  });

  it('replaces a lease in place and re-indexes it', () => {
    const store = createMapLeaseStore();
    store.put(lease('l1', 'a', 10));
    store.put({ ...lease('l1', 'a', 99) });
    expect(store.size).toBe(1);
    expect(store.get('l1')?.expiresAt).toBe(99);
  });

  it('expires every lease due at or before now, and only those', () => {
    const store = createMapLeaseStore();
    store.put(lease('l1', 'a', 10));
    store.put(lease('l2', 'b', 20));
    store.put(lease('l3', 'b', 21));
    expect(store.expire(20).map((l) => l.leaseId)).toEqual(['l1', 'l2']);
    expect(store.list().map((l) => l.leaseId)).toEqual(['l3']);
    expect(store.countFor('a')).toBe(0);
    expect(store.expire(20)).toEqual([]);
  });
});
