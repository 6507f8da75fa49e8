import type { LeaseInfo } from '@packice/core';
import type { CatalogNotice } from './catalog';
import { toObjectInfo } from './catalog-records';
import type { ClusterContext } from './cluster-context';

/**
 * What a cluster node does beside answering requests: records the end of its leases, acts on the
 * other nodes' notices, registers what shared storage holds, removes what no node holds any more.
 */
export class ClusterUpkeep {
  /** The catalog side of leases that ended here, by lease id. */
  readonly ending = new Map<string, Promise<void>>();
  readonly #ctx: ClusterContext;
  #unrecordedEnds = 0;

  constructor(ctx: ClusterContext) {
    this.#ctx = ctx;
  }

  /** Records the end of a local lease in the catalog; a delete waiting for it is finished. */
  leaseEnded(lease: LeaseInfo): void {
    const { catalog, clock } = this.#ctx;
    const ending = (async () => {
      const outcome = await catalog.removeLease(this.#ctx.withNode(lease), clock.now());
      if (outcome === 'deleted') await this.removeEverywhere(lease.objectId, 'deleted');
    })()
      .then(() => {
        this.#unrecordedEnds = 0;
      })
      .catch((err: unknown) => {
        // The catalog's copy expires by itself and a sweep acts for it then; one warning per outage.
        if (this.#unrecordedEnds++ === 0) {
          process.emitWarning(
            `PackIce: lease ends cannot be recorded in the catalog (they expire there): ${String(err)}`,
          );
        }
      })
      .finally(() => this.ending.delete(lease.leaseId));
    this.ending.set(lease.leaseId, ending);
  }

  /** A create here ended unsealed: the catalog forgets it, the other nodes hear of it. */
  async aborted(objectId: string): Promise<void> {
    await this.#ctx.catalog.abort(objectId).catch(() => undefined);
    await this.#ctx.catalog.publish({ type: 'gone', objectId, reason: 'aborted' }).catch(() => undefined);
  }

  /** Registers every sealed object of the shared storage the catalog does not know; how many. */
  async register(): Promise<number> {
    const { local, storage, catalog } = this.#ctx;
    const ids = new Set((await local.listObjects()).map((o) => o.objectId));
    for (const id of (await storage.storedIds?.()) ?? []) ids.add(id);
    let added = 0;
    for (const objectId of ids) {
      const object = await local.adopt(objectId).catch(() => null);
      if (object?.state !== 'sealed') continue;
      if (
        await catalog.register(
          this.#ctx.record(
            object,
            object.blobs.map((b) => b.size),
          ),
        )
      )
        added++;
    }
    return added;
  }

  /** Removes the object's storage (once, here) and tells the other nodes to forget it. */
  async removeEverywhere(objectId: string, reason: 'deleted' | 'aborted'): Promise<void> {
    const { local, storage, catalog } = this.#ctx;
    if (reason === 'aborted') {
      // The storage is the truth of a seal: an object whose seal never reached the catalog is
      // recorded, not removed.
      const sealed = await local.adopt(objectId).catch(() => null);
      if (sealed?.state === 'sealed') {
        await catalog.register(
          this.#ctx.record(
            sealed,
            sealed.blobs.map((b) => b.size),
          ),
        );
        return;
      }
    }
    // Through this node's Peer when it has the object (its storage accounting, its events);
    // straight from the storage when not (a dead node's leftovers).
    const here = await local.delete(objectId).catch(() => null);
    if (!here) await storage.remove(objectId, []);
    await catalog.publish({ type: 'gone', objectId, reason });
  }

  /** A notice of another node (or this one): wake waiting reads, announce seals, forget removed copies. */
  onNotice(notice: CatalogNotice): void {
    if (notice.type === 'sealed') {
      this.#ctx.notices.wake(notice.objectId);
      void this.#announceSeal(notice.objectId);
    } else {
      void this.#ctx.local.drop(notice.objectId).catch(() => undefined);
    }
  }

  // A seal made through another node is an event here too: subscribers watch the whole cluster's seals.
  async #announceSeal(objectId: string): Promise<void> {
    const record = await this.#ctx.catalog.get(objectId).catch(() => null);
    if (!record || record.node === this.#ctx.node || record.state !== 'sealed' || record.deleting) return;
    this.#ctx.local.events.emit('seal', { object: toObjectInfo(record) });
  }
}
