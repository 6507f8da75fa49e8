import { describe, expect, it } from '@jest/globals';
import type { LeaseStore } from '../lease-store';
import type { LeaseInfo } from '../model';

/** Options of {@link describeLeaseStore}. */
export interface LeaseStoreSuiteOptions {
  /** Runs after each test (e.g. to stop a server the store talks to). */
  cleanup?: () => Promise<void> | void;
}

const lease = (leaseId: string, objectId: string, expiresAt: number): LeaseInfo => ({
  leaseId,
  objectId,
  access: 'read',
  ttlMs: 10,
  expiresAt,
  holder: { transport: 'direct' },
});

const ids = (leases: readonly LeaseInfo[]): string[] => leases.map((l) => l.leaseId).sort();

/**
 * The shared lease store suite: every lease store (the core map store, the in-memory heap store,
 * the Redis one) runs it with its own factory, then adds its own cases. `create` must return a
 * new, empty store each time.
 */
export function describeLeaseStore(
  name: string,
  create: () => Promise<LeaseStore> | LeaseStore,
  options: LeaseStoreSuiteOptions = {},
): void {
  describe(`LeaseStore contract: ${name}`, () => {
    const withStore = async (fn: (store: LeaseStore) => void | Promise<void>): Promise<void> => {
      const store = await create();
      try {
        await fn(store);
      } finally {
        await options.cleanup?.();
      }
    };

    it('starts empty', () =>
      withStore((store) => {
        expect(store.size).toBe(0);
        expect(store.list()).toEqual([]);
        expect(store.get('nope')).toBeUndefined();
        expect(store.countFor('x')).toBe(0);
        expect(store.expire(Number.MAX_SAFE_INTEGER)).toEqual([]);
      }));

    it('puts, gets, lists by object, counts and deletes', () =>
      withStore((store) => {
        store.put(lease('l1', 'a', 10));
        store.put(lease('l2', 'a', 20));
        store.put(lease('l3', 'b', 30));
        expect(store.size).toBe(3);
        expect(store.get('l2')).toEqual(lease('l2', 'a', 20));
        expect(ids(store.list({ objectId: 'a' }))).toEqual(['l1', 'l2']);
        expect(ids(store.list({ objectId: 'none' }))).toEqual([]);
        expect(store.countFor('a')).toBe(2);
        expect(store.delete('l1')).toBe(true);
        expect(store.delete('l1')).toBe(false);
        expect(store.get('l1')).toBeUndefined();
        expect(store.countFor('a')).toBe(1);
        expect(ids(store.list())).toEqual(['l2', 'l3']);
        expect(store.size).toBe(2);
      }));

    it('replaces a lease in place (a renewal), keeping one entry', () =>
      withStore((store) => {
        store.put(lease('l1', 'a', 10));
        store.put(lease('l1', 'a', 99));
        expect(store.size).toBe(1);
        expect(store.countFor('a')).toBe(1);
        expect(store.get('l1')?.expiresAt).toBe(99);
      }));

    it('expires every lease due at or before now, once, and only those', () =>
      withStore((store) => {
        store.put(lease('l1', 'a', 10));
        store.put(lease('l2', 'b', 20));
        store.put(lease('l3', 'b', 21));
        expect(ids(store.expire(20))).toEqual(['l1', 'l2']);
        expect(ids(store.list())).toEqual(['l3']);
        expect(store.countFor('a')).toBe(0);
        expect(store.countFor('b')).toBe(1);
        expect(store.expire(20)).toEqual([]);
      }));

    it('follows renewals: an earlier expiry no longer ends a renewed lease', () =>
      withStore((store) => {
        store.put(lease('l1', 'a', 10));
        store.put(lease('l1', 'a', 100));
        expect(store.expire(50)).toEqual([]);
        expect(ids(store.expire(100))).toEqual(['l1']);
      }));

    it('does not expire a deleted lease', () =>
      withStore((store) => {
        store.put(lease('gone', 'a', 5));
        expect(store.delete('gone')).toBe(true);
        expect(store.expire(10)).toEqual([]);
        expect(store.size).toBe(0);
      }));
  });
}
