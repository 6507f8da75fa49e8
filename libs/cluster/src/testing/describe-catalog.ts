import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { LeaseInfo } from '@packice/core';
import type { Catalog, CatalogNotice, CatalogObject } from '../catalog';

const T0 = 1_700_000_000_000;

/** A catalog record of an unsealed 10-byte object made through `node-a`, with `extra` over it. */
export function catalogObject(objectId: string, extra: Partial<CatalogObject> = {}): CatalogObject {
  return {
    objectId,
    state: 'creating',
    size: 10,
    meta: { k: 'v' },
    createdAt: T0,
    sealedAt: null,
    blobSizes: [10],
    bytes: 4096,
    node: 'node-a',
    deleting: false,
    ...extra,
  };
}

function lease(leaseId: string, objectId: string, access: LeaseInfo['access'], expiresAt: number): LeaseInfo {
  return { leaseId, objectId, access, ttlMs: expiresAt - T0, expiresAt, holder: { transport: 'direct' } };
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The contract every Catalog (the state nodes share in scale-out) must meet. `create` gives a
 * fresh, empty catalog for each test; the suite closes it.
 */
export function describeCatalog(name: string, create: () => Promise<Catalog>): void {
  describe(`Catalog contract: ${name}`, () => {
    let open: Catalog[] = [];
    let a: Catalog;

    beforeEach(async () => {
      a = await create();
      open.push(a);
    });

    afterEach(async () => {
      await Promise.all(open.map((c) => c.close()));
      open = [];
    });

    it('records a create once: a second create of the id is ALREADY_EXISTS, whoever asks', async () => {
      await a.create(catalogObject('o1'), null);
      await expect(a.create(catalogObject('o1', { node: 'node-b' }), null)).rejects.toMatchObject({
        code: 'ALREADY_EXISTS',
      });
      await expect(a.get('o1')).resolves.toEqual(catalogObject('o1'));
      await expect(a.get('nope')).resolves.toBeNull();
    });

    it('bounds the shared bytes by the capacity, and a refused create changes nothing', async () => {
      await a.create(catalogObject('o1', { bytes: 6000 }), 10_000);
      await expect(a.create(catalogObject('o2', { bytes: 6000 }), 10_000)).rejects.toMatchObject({
        code: 'OUT_OF_CAPACITY',
      });
      await expect(a.get('o2')).resolves.toBeNull();
      await expect(a.totals(T0)).resolves.toEqual({ objects: 1, leases: 0, bytes: 6000 });
      await a.seal('o1', { size: 1, blobSizes: [1], bytes: 4096, createdAt: T0, sealedAt: T0 + 1 }, 10_000);
      await a.create(catalogObject('o2', { bytes: 5000 }), 10_000);
      await expect(a.totals(T0)).resolves.toEqual({ objects: 2, leases: 0, bytes: 9096 });
    });

    it('seals: final sizes and bytes, and every subscriber hears of it', async () => {
      const heard: CatalogNotice[] = [];
      a.subscribe((n) => heard.push(n));
      await a.create(catalogObject('o1'), null);
      await a.seal('o1', { size: 7, blobSizes: [7], bytes: 4096, createdAt: T0 + 2, sealedAt: T0 + 5 }, null);
      await expect(a.get('o1')).resolves.toMatchObject({
        state: 'sealed',
        size: 7,
        blobSizes: [7],
        createdAt: T0 + 2,
        sealedAt: T0 + 5,
      });
      await until('the seal notice', () => heard.some((n) => n.type === 'sealed' && n.objectId === 'o1'));
      await expect(
        a.seal('gone', { size: 1, blobSizes: [1], bytes: 1, createdAt: T0, sealedAt: T0 }, null),
      ).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    });

    it('leases: reads only of sealed objects, listed with their node, counted while live', async () => {
      await a.create(catalogObject('o1'), null);
      await a.addLease(lease('c1', 'o1', 'create', T0 + 1000), 'node-a');
      await expect(a.addLease(lease('r0', 'o1', 'read', T0 + 1000), 'node-b')).rejects.toMatchObject({
        code: 'NOT_SEALED',
      });
      await a.seal('o1', { size: 10, blobSizes: [10], bytes: 4096, createdAt: T0, sealedAt: T0 }, null);
      await a.addLease(lease('r1', 'o1', 'read', T0 + 2000), 'node-b');
      await expect(a.addLease(lease('r2', 'missing', 'read', T0 + 2000), 'node-b')).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      const listed = await a.listLeases({}, T0);
      expect(listed.map((l) => [l.leaseId, l.holder.node]).sort()).toEqual([
        ['c1', 'node-a'],
        ['r1', 'node-b'],
      ]);
      expect((await a.listLeases({}, T0 + 1500)).map((l) => l.leaseId)).toEqual(['r1']);
      await expect(a.totals(T0)).resolves.toMatchObject({ leases: 2 });
      // A lease for the object as made at another time (the id deleted and made again) is refused.
      await expect(a.addLease(lease('r9', 'o1', 'read', T0 + 2000), 'node-b', T0 - 1)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await a.addLease(lease('r8', 'o1', 'read', T0 + 2000), 'node-b', T0);
      await a.removeLease(lease('r8', 'o1', 'read', T0 + 2000), T0);
      await a.renewLease({ ...lease('r1', 'o1', 'read', T0 + 9000), holder: { transport: 'direct', node: 'node-b' } });
      expect((await a.listLeases({ objectId: 'o1' }, T0 + 5000)).map((l) => l.leaseId)).toEqual(['r1']);
    });

    it('defers a delete until the last lease anywhere ends; meanwhile the object is gone to new readers', async () => {
      await a.create(catalogObject('o1'), null);
      await a.seal('o1', { size: 10, blobSizes: [10], bytes: 4096, createdAt: T0, sealedAt: T0 }, null);
      const r1 = lease('r1', 'o1', 'read', T0 + 1000);
      const r2 = lease('r2', 'o1', 'read', T0 + 1000);
      await a.addLease(r1, 'node-a');
      await a.addLease(r2, 'node-b');
      await expect(a.delete('o1', T0)).resolves.toBe('pending');
      await expect(a.delete('o1', T0)).resolves.toBe('pending');
      await expect(a.get('o1')).resolves.toMatchObject({ deleting: true });
      await expect(a.list()).resolves.toEqual([]);
      await expect(a.addLease(lease('r3', 'o1', 'read', T0 + 1000), 'node-a')).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(a.removeLease(r1, T0)).resolves.toBe('kept');
      await expect(a.removeLease(r2, T0)).resolves.toBe('deleted');
      await expect(a.get('o1')).resolves.toBeNull();
      await expect(a.totals(T0)).resolves.toEqual({ objects: 0, leases: 0, bytes: 0 });
      await expect(a.delete('o1', T0)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('sweeps the leases of a node that died: its unsealed creates are aborted, pending deletes finished', async () => {
      await a.create(catalogObject('dead-create'), null);
      await a.addLease(lease('c1', 'dead-create', 'create', T0 + 1000), 'node-dead');
      await a.create(catalogObject('held'), null);
      await a.seal('held', { size: 10, blobSizes: [10], bytes: 4096, createdAt: T0, sealedAt: T0 }, null);
      await a.addLease(lease('r1', 'held', 'read', T0 + 1000), 'node-dead');
      await a.addLease(lease('r2', 'held', 'read', T0 + 9000), 'node-alive');
      await expect(a.delete('held', T0)).resolves.toBe('pending');
      await expect(a.sweep(T0 + 500)).resolves.toEqual([]);
      expect(await a.sweep(T0 + 1000)).toEqual([{ objectId: 'dead-create', outcome: 'aborted' }]);
      await expect(a.get('dead-create')).resolves.toBeNull();
      await expect(a.get('held')).resolves.toMatchObject({ deleting: true });
      expect(await a.sweep(T0 + 9000)).toEqual([{ objectId: 'held', outcome: 'deleted' }]);
      await expect(a.totals(T0 + 9000)).resolves.toEqual({ objects: 0, leases: 0, bytes: 0 });
    });

    it('registers a sealed object found in storage once, and aborts only unsealed ones', async () => {
      const found = catalogObject('found', { state: 'sealed', createdAt: T0, sealedAt: T0 });
      await expect(a.register(found)).resolves.toBe(true);
      await expect(a.register(found)).resolves.toBe(false);
      await a.abort('found');
      await expect(a.get('found')).resolves.toMatchObject({ state: 'sealed' });
      await a.create(catalogObject('half'), null);
      await a.abort('half');
      await expect(a.get('half')).resolves.toBeNull();
      // A seal that reached the storage but not the catalog: its own node registers it as sealed.
      await a.create(catalogObject('lost-seal', { node: 'node-a' }), null);
      const sealed = catalogObject('lost-seal', { state: 'sealed', sealedAt: T0 + 1, node: 'node-a' });
      await expect(a.register({ ...sealed, node: 'node-b' })).resolves.toBe(false);
      await expect(a.register(sealed)).resolves.toBe(true);
      await expect(a.get('lost-seal')).resolves.toMatchObject({ state: 'sealed', sealedAt: T0 + 1 });
      await a.abort('lost-seal');
      await expect(a.totals(T0)).resolves.toEqual({ objects: 2, leases: 0, bytes: 8192 });
    });

    it("forgets a dead node's memory objects once its heartbeat expires, and only those", async () => {
      if (!a.heartbeat || !a.forgetDeadOwners) return expect(a.heartbeat).toBeUndefined();
      const sealed = { size: 10, blobSizes: [10], bytes: 4096, createdAt: T0, sealedAt: T0 };
      const make = async (objectId: string, extra: Partial<CatalogObject>) => {
        await a.create(catalogObject(objectId, extra), null);
        await a.seal(objectId, sealed, null);
      };
      await make('in-memory', { node: 'node-a', dataUrl: 'http://127.0.0.1:1' });
      await make('no-http', { node: 'node-a', dataUrl: null });
      await make('on-shared-storage', { node: 'node-a' });
      await make('of-a-silent-node', { node: 'node-c', dataUrl: 'http://127.0.0.1:3' });
      // Heartbeats live in real time (Redis keys with a TTL): a short one, then wait it out.
      await expect(a.heartbeat('node-a', 100, Date.now())).resolves.toBe(false);
      await expect(a.heartbeat('node-a', 100, Date.now())).resolves.toBe(true);
      await expect(a.forgetDeadOwners(Date.now())).resolves.toEqual([]);
      const deadline = Date.now() + 5_000;
      let gone: { objectId: string; size: number }[] = [];
      while (gone.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        gone = await a.forgetDeadOwners(Date.now());
      }
      expect(gone.sort((x, y) => x.objectId.localeCompare(y.objectId))).toEqual([
        { objectId: 'in-memory', size: 10 },
        { objectId: 'no-http', size: 10 },
      ]);
      expect((await a.list()).map((o) => o.objectId).sort()).toEqual(['of-a-silent-node', 'on-shared-storage']);
      await expect(a.totals(Date.now())).resolves.toMatchObject({ objects: 2, bytes: 8192 });
      await expect(a.forgetDeadOwners(Date.now())).resolves.toEqual([]);
      await expect(a.heartbeat('node-a', 100, Date.now())).resolves.toBe(false); // back: it was counted dead
    });
  });
}
