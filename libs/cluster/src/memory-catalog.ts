import type { LeaseInfo } from '@packice/core';
import { PackIceError } from '@packice/core';
import type { Catalog, CatalogNotice, CatalogObject, CatalogOutcome } from './catalog';

/**
 * A catalog in this process's memory: the reference implementation of the contract, for nodes of
 * one process (tests, embedding several Peers over one shared directory). Each call is atomic
 * because it runs to its end without awaiting.
 */
export function createMemoryCatalog(): Catalog {
  const objects = new Map<string, CatalogObject>();
  const leases = new Map<string, LeaseInfo>();
  const listeners = new Set<(notice: CatalogNotice) => void>();
  let bytes = 0;
  let closed = false;

  const open = (): void => {
    if (closed) throw new PackIceError('SHUTTING_DOWN', 'the catalog is closed');
  };
  const live = (objectId: string, now: number): number =>
    [...leases.values()].filter((l) => l.objectId === objectId && l.expiresAt > now).length;
  const forget = (objectId: string): void => {
    bytes -= objects.get(objectId)?.bytes ?? 0;
    objects.delete(objectId);
    for (const [id, lease] of leases) if (lease.objectId === objectId) leases.delete(id);
  };
  /** Heartbeats: when each node that ever sent one stops counting as alive. */
  const alive = new Map<string, number>();
  const tell = (notice: CatalogNotice): void => {
    // Delivered later, as over a network: never inside the caller's step.
    queueMicrotask(() => listeners.forEach((listener) => listener(notice)));
  };
  const fits = (more: number, capacity: number | null): boolean => capacity === null || bytes + more <= capacity;

  return {
    async create(object, capacity) {
      open();
      if (objects.has(object.objectId)) {
        throw new PackIceError('ALREADY_EXISTS', `object ${object.objectId} already exists`);
      }
      if (!fits(object.bytes, capacity)) {
        throw new PackIceError('OUT_OF_CAPACITY', `${object.bytes} more bytes do not fit ${capacity}`);
      }
      objects.set(object.objectId, { ...object, deleting: false });
      bytes += object.bytes;
    },
    async seal(objectId, sealed, capacity) {
      open();
      const current = objects.get(objectId);
      if (!current) throw new PackIceError('NOT_FOUND', `object ${objectId} not found`);
      const grow = sealed.bytes - current.bytes;
      if (grow > 0 && !fits(grow, capacity)) {
        throw new PackIceError('OUT_OF_CAPACITY', `object ${objectId} grew past ${capacity}`);
      }
      objects.set(objectId, { ...current, ...sealed, state: 'sealed' });
      bytes += grow;
      tell({ type: 'sealed', objectId });
    },
    async register(object) {
      open();
      const current = objects.get(object.objectId);
      if (current && (current.state !== 'creating' || current.node !== object.node)) return false;
      bytes += object.bytes - (current?.bytes ?? 0);
      objects.set(object.objectId, { ...object, state: 'sealed', deleting: current?.deleting ?? false });
      tell({ type: 'sealed', objectId: object.objectId });
      return true;
    },
    async abort(objectId) {
      open();
      if (objects.get(objectId)?.state === 'creating') forget(objectId);
    },
    async addLease(lease, node, createdAt) {
      open();
      const object = objects.get(lease.objectId);
      if (!object || object.deleting || (createdAt !== undefined && object.createdAt !== createdAt)) {
        throw new PackIceError('NOT_FOUND', `object ${lease.objectId} not found`);
      }
      if (lease.access === 'read' && object.state !== 'sealed') {
        throw new PackIceError('NOT_SEALED', `object ${lease.objectId} is not sealed yet`);
      }
      leases.set(lease.leaseId, { ...lease, holder: { ...lease.holder, node } });
    },
    async renewLease(lease) {
      open();
      const held = leases.get(lease.leaseId);
      if (held) leases.set(lease.leaseId, { ...lease, holder: held.holder });
    },
    async removeLease(lease, now): Promise<CatalogOutcome> {
      open();
      leases.delete(lease.leaseId);
      const object = objects.get(lease.objectId);
      if (object?.deleting && live(lease.objectId, now) === 0) {
        forget(lease.objectId);
        return 'deleted';
      }
      return 'kept';
    },
    async delete(objectId, now) {
      open();
      const object = objects.get(objectId);
      if (!object) throw new PackIceError('NOT_FOUND', `object ${objectId} not found`);
      if (object.deleting) return 'pending';
      if (object.state === 'sealed' && live(objectId, now) === 0) {
        forget(objectId);
        return 'deleted';
      }
      objects.set(objectId, { ...object, deleting: true });
      return 'pending';
    },
    async heartbeat(node, ttlMs, now) {
      open();
      const until = alive.get(node);
      alive.set(node, now + ttlMs);
      return until !== undefined && until > now;
    },
    async forgetDeadOwners(now) {
      open();
      const gone: { objectId: string; size: number }[] = [];
      for (const object of [...objects.values()]) {
        const until = alive.get(object.node);
        if (until === undefined || until > now || object.dataUrl === undefined) continue;
        if (object.state !== 'sealed' || object.deleting) continue;
        forget(object.objectId);
        gone.push({ objectId: object.objectId, size: object.size });
      }
      return gone;
    },
    async sweep(now) {
      open();
      const done: { objectId: string; outcome: 'aborted' | 'deleted' }[] = [];
      const expired = [...leases.values()].filter((l) => l.expiresAt <= now).sort((a, b) => a.expiresAt - b.expiresAt);
      for (const lease of expired) {
        if (!leases.delete(lease.leaseId)) continue;
        const object = objects.get(lease.objectId);
        if (!object) continue;
        if (object.state === 'creating' && lease.access === 'create') {
          forget(lease.objectId);
          done.push({ objectId: lease.objectId, outcome: 'aborted' });
        } else if (object.deleting && live(lease.objectId, now) === 0) {
          forget(lease.objectId);
          done.push({ objectId: lease.objectId, outcome: 'deleted' });
        }
      }
      return done;
    },
    async get(objectId) {
      open();
      return objects.get(objectId) ?? null;
    },
    async list() {
      open();
      return [...objects.values()]
        .filter((o) => !o.deleting)
        .sort((a, b) => a.createdAt - b.createdAt || a.objectId.localeCompare(b.objectId));
    },
    async listLeases(filter, now) {
      open();
      return [...leases.values()].filter(
        (l) => l.expiresAt > now && (filter.objectId === undefined || l.objectId === filter.objectId),
      );
    },
    async totals(now) {
      open();
      const visible = [...objects.values()].filter((o) => !o.deleting).length;
      return { objects: visible, leases: [...leases.values()].filter((l) => l.expiresAt > now).length, bytes };
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async publish(notice) {
      open();
      tell(notice);
    },
    async close() {
      closed = true;
      listeners.clear();
    },
  };
}
