import type { LeaseInfo } from './model';

/**
 * Where a Peer keeps its leases. Synchronous: a Peer checks and changes leases in one step,
 * which is what makes races between clients impossible.
 */
export interface LeaseStore {
  /** Adds or replaces a lease. */
  put(lease: LeaseInfo): void;
  get(leaseId: string): LeaseInfo | undefined;
  /** Removes a lease; returns whether it was there. */
  delete(leaseId: string): boolean;
  /** Every lease, or those of one object. */
  list(filter?: { objectId?: string }): LeaseInfo[];
  /** Number of leases held on an object. */
  countFor(objectId: string): number;
  /** Removes and returns every lease whose `expiresAt` is at or before `now`. */
  expire(now: number): LeaseInfo[];
  /** The soonest `expiresAt` of the leases held (none: `undefined`); without it, the Peer scans `list()`. */
  nextExpiry?(): number | undefined;
  readonly size: number;
}

/**
 * A reference lease store on two maps (by lease, by object): `expire` scans every lease. The
 * Peer's default, the heap lease store, builds on it.
 */
export function createMapLeaseStore(): LeaseStore {
  const byId = new Map<string, LeaseInfo>();
  const byObject = new Map<string, Set<string>>();

  const unindex = (lease: LeaseInfo): void => {
    const ids = byObject.get(lease.objectId);
    ids?.delete(lease.leaseId);
    if (ids?.size === 0) byObject.delete(lease.objectId);
  };

  return {
    put(lease) {
      const old = byId.get(lease.leaseId);
      if (old) unindex(old);
      byId.set(lease.leaseId, lease);
      let ids = byObject.get(lease.objectId);
      if (!ids) byObject.set(lease.objectId, (ids = new Set()));
      ids.add(lease.leaseId);
    },
    get: (leaseId) => byId.get(leaseId),
    delete(leaseId) {
      const lease = byId.get(leaseId);
      if (!lease) return false;
      byId.delete(leaseId);
      unindex(lease);
      return true;
    },
    list(filter = {}) {
      if (filter.objectId === undefined) return [...byId.values()];
      return [...(byObject.get(filter.objectId) ?? [])].map((id) => byId.get(id) as LeaseInfo);
    },
    countFor: (objectId) => byObject.get(objectId)?.size ?? 0,
    expire(now) {
      const ended: LeaseInfo[] = [];
      for (const lease of byId.values()) {
        if (lease.expiresAt <= now) ended.push(lease);
      }
      for (const lease of ended) {
        byId.delete(lease.leaseId);
        unindex(lease);
      }
      return ended;
    },
    get size() {
      return byId.size;
    },
  };
}
