import { describe, expect, it } from '@jest/globals';
import { createHeapLeaseStore } from './heap-lease-store';
import type { LeaseInfo } from './model';
import { describeLeaseStore } from './testing/describe-lease-store';

const lease = (leaseId: string, expiresAt: number, objectId = 'o'): LeaseInfo => ({
  leaseId,
  objectId,
  access: 'read',
  ttlMs: 1,
  expiresAt,
  holder: { transport: 'direct' },
});

describeLeaseStore('createHeapLeaseStore', () => createHeapLeaseStore());

describe('createHeapLeaseStore', () => {
  it('expires leases in time order', () => {
    const store = createHeapLeaseStore();
    [50, 10, 40, 20, 30].forEach((at, i) => store.put(lease(`l${i}`, at)));
    expect(store.expire(25).map((l) => l.expiresAt)).toEqual([10, 20]);
    expect(store.expire(100).map((l) => l.expiresAt)).toEqual([30, 40, 50]);
    expect(store.size).toBe(0);
  });

  it('keeps its expiry heap bounded under many renewals of one lease', () => {
    const store = createHeapLeaseStore();
    for (let i = 0; i < 10_000; i++) {
      store.put(lease('busy', 1_000 + i));
      expect(store.scheduled).toBeLessThanOrEqual(2 * store.size + 65);
    }
    expect(store.expire(10_998)).toEqual([]);
    expect(store.expire(10_999).map((l) => l.expiresAt)).toEqual([10_999]);
    expect(store.scheduled).toBe(0);
  });
});

describe('createHeapLeaseStore nextExpiry', () => {
  it('tells the soonest expiry of the leases held, past released and renewed ones', () => {
    const store = createHeapLeaseStore();
    expect(store.nextExpiry?.()).toBeUndefined();
    [50, 10, 40].forEach((at, i) => store.put(lease(`l${i}`, at)));
    expect(store.nextExpiry?.()).toBe(10);
    store.delete('l1');
    expect(store.nextExpiry?.()).toBe(40);
    store.put(lease('l2', 60));
    expect(store.nextExpiry?.()).toBe(50);
    expect(store.expire(55).map((l) => l.leaseId)).toEqual(['l0']);
    expect(store.nextExpiry?.()).toBe(60);
    store.delete('l2');
    expect(store.nextExpiry?.()).toBeUndefined();
  });
});
