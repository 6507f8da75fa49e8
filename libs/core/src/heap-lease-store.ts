import type { LeaseStore } from './lease-store';
import { createMapLeaseStore } from './lease-store';
import type { LeaseInfo } from './model';

interface Due {
  at: number;
  leaseId: string;
}

/** The heap lease store, with what its expiry heap holds. */
export interface HeapLeaseStore extends LeaseStore {
  /** Entries in the expiry heap, stale ones from renewals included (bounded by 2 x size + 64). */
  readonly scheduled: number;
}

/**
 * The Peer's default lease store: the map store plus a min-heap of expiry times, so
 * `expire(now)` costs O(k log n) for k ended leases instead of a scan of all n. Renewals leave
 * stale heap entries behind; they are skipped when popped and compacted when they pile up.
 */
export function createHeapLeaseStore(): HeapLeaseStore {
  const leases = createMapLeaseStore();
  let heap: Due[] = [];

  const up = (i: number): void => {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].at <= heap[i].at) return;
      [heap[parent], heap[i]] = [heap[i], heap[parent]];
      i = parent;
    }
  };
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < heap.length && heap[l].at < heap[min].at) min = l;
      if (r < heap.length && heap[r].at < heap[min].at) min = r;
      if (min === i) return;
      [heap[min], heap[i]] = [heap[i], heap[min]];
      i = min;
    }
  };
  const pop = (): Due => {
    const top = heap[0];
    const last = heap.pop() as Due;
    if (heap.length > 0) {
      heap[0] = last;
      down(0);
    }
    return top;
  };
  const compact = (): void => {
    heap = leases.list().map((l) => ({ at: l.expiresAt, leaseId: l.leaseId }));
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
  };

  return {
    put(lease: LeaseInfo) {
      leases.put(lease);
      heap.push({ at: lease.expiresAt, leaseId: lease.leaseId });
      up(heap.length - 1);
      if (heap.length > 2 * leases.size + 64) compact();
    },
    get: (leaseId) => leases.get(leaseId),
    delete: (leaseId) => leases.delete(leaseId),
    list: (filter) => leases.list(filter),
    countFor: (objectId) => leases.countFor(objectId),
    expire(now) {
      const ended: LeaseInfo[] = [];
      while (heap.length > 0 && heap[0].at <= now) {
        const due = pop();
        const lease = leases.get(due.leaseId);
        if (lease && lease.expiresAt === due.at) {
          leases.delete(due.leaseId);
          ended.push(lease);
        }
      }
      return ended;
    },
    nextExpiry() {
      // Entries left by released or renewed leases are dropped on the way to a live one.
      while (heap.length > 0 && leases.get(heap[0].leaseId)?.expiresAt !== heap[0].at) pop();
      return heap[0]?.at;
    },
    get size() {
      return leases.size;
    },
    get scheduled() {
      return heap.length;
    },
  };
}
