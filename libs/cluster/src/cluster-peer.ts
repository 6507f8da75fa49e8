import type {
  AcquireContext,
  AcquireRequest,
  AcquireResult,
  ClockTimer,
  DeleteResult,
  LeaseInfo,
  ListPage,
  ObjectInfo,
  Peer,
  PeerStats,
} from '@packice/core';
import {
  assertObjectId,
  isPackIceError,
  isPaged,
  newObjectId,
  PackIceError,
  parseAcquireRequest,
  PEER_DEFAULTS,
  selectPage,
  systemClock,
} from '@packice/core';
import type { Catalog } from './catalog';
import { heldBytes, toObjectInfo } from './catalog-records';
import { ClusterContext } from './cluster-context';
import { CLUSTER_DEFAULTS, type ClusterPeer, type ClusterPeerOptions } from './cluster-peer-options';
import { clusterRead } from './cluster-reads';
import { ClusterUpkeep } from './cluster-upkeep';

/**
 * A Peer that serves one object space with the other nodes of a catalog: objects and leases are
 * recorded in the catalog (ids are unique cluster-wide, capacity is shared, deletes wait for
 * every node's leases), blobs live in shared storage, and an object sealed through another node is
 * adopted from that storage when it is read here. See docs/scale-out.md.
 */
class ClusterPeerImpl implements ClusterPeer {
  readonly #ctx: ClusterContext;
  readonly #upkeep: ClusterUpkeep;
  readonly #capacity: number | null;
  readonly #sweepMs: number;
  readonly #offs: (() => void)[] = [];
  #sweeper: ClockTimer | null = null;
  /** Whether this node has sent a heartbeat (its first finds none: that is no sign of a past death). */
  #beating = false;
  #starting: Promise<void> | null = null;
  #closing: Promise<void> | null = null;

  constructor(options: ClusterPeerOptions) {
    const { local, storage, catalog, nodeId, remote } = options;
    const clock = options.clock ?? systemClock;
    this.#ctx = new ClusterContext(local, storage, catalog, nodeId, clock, remote, options.dataUrl ?? (() => null));
    this.#upkeep = new ClusterUpkeep(this.#ctx);
    this.#capacity = options.capacityBytes ?? null;
    this.#sweepMs = options.sweepIntervalMs ?? CLUSTER_DEFAULTS.sweepIntervalMs;
  }

  get events(): Peer['events'] {
    return this.#ctx.local.events;
  }

  get storageName(): string {
    return this.#ctx.local.storageName;
  }

  get #local(): Peer {
    return this.#ctx.local;
  }

  get #catalog(): Catalog {
    return this.#ctx.catalog;
  }

  start(): Promise<void> {
    this.#starting ??= (async () => {
      await this.#local.start();
      this.#offs.push(
        this.#catalog.subscribe((notice) => this.#upkeep.onNotice(notice)),
        this.#local.events.on('lease-end', ({ lease }) => this.#upkeep.leaseEnded(lease)),
        this.#local.events.on('delete', ({ objectId, reason }) => {
          if (reason === 'aborted') void this.#upkeep.aborted(objectId);
        }),
      );
      await this.#catalog.heartbeat?.(this.#ctx.node, 3 * this.#sweepMs, this.#ctx.clock.now()).catch(() => false);
      this.#beating = true;
      await this.#upkeep.register();
      this.#scheduleSweep();
    })();
    return this.#starting;
  }

  async registerStored(): Promise<number> {
    await this.start();
    const added = await this.#upkeep.register();
    // The read leases this node holds, so a delete still waits for them.
    for (const lease of await this.#local.listLeases()) {
      if (lease.access !== 'read') continue;
      await this.#catalog.addLease(this.#ctx.withNode(lease), this.#ctx.node).catch(() => undefined);
    }
    return added;
  }

  async sweep(): Promise<{ objectId: string; outcome: 'aborted' | 'deleted' }[]> {
    const now = this.#ctx.clock.now();
    // Alive for three sweeps more; a node the catalog had counted dead registers what it holds again.
    if ((await this.#catalog.heartbeat?.(this.#ctx.node, 3 * this.#sweepMs, now)) === false && this.#beating) {
      await this.registerStored();
    }
    this.#beating = true;
    const done = await this.#catalog.sweep(now);
    for (const { objectId, outcome } of done) await this.#upkeep.removeEverywhere(objectId, outcome);
    // Objects in the memory of dead nodes are gone with them. No notice goes out: no other node
    // holds a copy, and an owner that was only frozen keeps its bytes and registers them again.
    for (const { objectId, size } of (await this.#catalog.forgetDeadOwners?.(now)) ?? []) {
      this.#local.events.emit('delete', { objectId, reason: 'deleted', size });
      done.push({ objectId, outcome: 'deleted' });
    }
    return done;
  }

  async acquire(request: AcquireRequest, context: AcquireContext = {}): Promise<AcquireResult> {
    await this.#ready();
    const parsed = parseAcquireRequest(request, {
      defaultTtlMs: PEER_DEFAULTS.defaultTtlMs,
      maxTtlMs: Number.MAX_SAFE_INTEGER,
      maxBlobs: Number.MAX_SAFE_INTEGER,
    });
    if (parsed.intent === 'read')
      return clusterRead(this.#ctx, parsed.objectId as string, request, context, parsed.timeoutMs);
    const objectId = parsed.objectId ?? newObjectId();
    const sizes = parsed.hints.map((h) => h ?? 0);
    const size = sizes.reduce((a, b) => a + b, 0);
    const createdAt = this.#ctx.clock.now();
    await this.#catalog.create(
      this.#ctx.record({ objectId, state: 'creating', size, meta: parsed.meta, createdAt, sealedAt: null }, sizes),
      this.#capacity,
    );
    let result: AcquireResult;
    try {
      // A create that seals at once is sealed through this cluster Peer, so the catalog records it.
      result = await this.#local.acquire({ ...request, objectId, seal: false }, context);
    } catch (err) {
      await this.#catalog.abort(objectId).catch(() => undefined);
      throw err;
    }
    const recorded = await this.#ctx.recordLease(result);
    if (!parsed.seal) return recorded;
    try {
      const sealed = await this.seal(recorded.lease.leaseId);
      return { lease: recorded.lease, object: { ...sealed, blobs: result.object.blobs } };
    } catch (err) {
      await this.release(recorded.lease.leaseId).catch(() => undefined);
      throw err;
    }
  }

  async seal(leaseId: string): Promise<ObjectInfo> {
    await this.#ready();
    const object = await this.#local.seal(leaseId);
    const blobSizes = (await this.#local.stat(object.objectId)).blobs.map((b) => b.size);
    const sealedAt = object.sealedAt ?? this.#ctx.clock.now();
    const bytes = heldBytes(blobSizes, this.#ctx.storage.allocationUnit);
    try {
      await this.#catalog.seal(
        object.objectId,
        { size: object.size, blobSizes, bytes, createdAt: object.createdAt, sealedAt },
        this.#capacity,
      );
    } catch (err) {
      // The catalog lost the record (Redis restarted since the create): the storage holds the
      // sealed object, so it is recorded anew. (While Redis is away the seal fails UNAVAILABLE;
      // the object is registered when it is back.)
      if (!isPackIceError(err, 'NOT_FOUND') || !(await this.#catalog.register(this.#ctx.record(object, blobSizes))))
        throw err;
    }
    return object;
  }

  async openLease(leaseId: string): Promise<AcquireResult> {
    const proxied = this.#ctx.proxied.get(leaseId);
    if (proxied) return proxied.result;
    const result = await this.#local.openLease(leaseId);
    return { ...result, lease: this.#ctx.withNode(result.lease) };
  }

  async release(leaseId: string): Promise<void> {
    const proxied = this.#ctx.proxied.get(leaseId);
    if (proxied && this.#ctx.remote) {
      this.#ctx.proxied.forget(leaseId);
      return this.#ctx.remote.release(proxied.baseUrl, leaseId);
    }
    await this.#local.release(leaseId);
    await this.#upkeep.ending.get(leaseId);
  }

  async renew(leaseId: string, ttlMs?: number): Promise<LeaseInfo> {
    const proxied = this.#ctx.proxied.get(leaseId);
    if (proxied && this.#ctx.remote) {
      const lease = await this.#ctx.remote.renew(proxied.baseUrl, leaseId, ttlMs);
      this.#ctx.proxied.track(proxied.baseUrl, { ...proxied.result, lease });
      return lease;
    }
    const lease = this.#ctx.withNode(await this.#local.renew(leaseId, ttlMs));
    await this.#catalog.renewLease(lease);
    return lease;
  }

  async delete(objectId: string): Promise<DeleteResult> {
    await this.#ready();
    assertObjectId(objectId);
    const outcome = await this.#catalog.delete(objectId, this.#ctx.clock.now());
    if (outcome !== 'deleted') return { deleted: false, pending: true };
    await this.#upkeep.removeEverywhere(objectId, 'deleted');
    return { deleted: true, pending: false };
  }

  async stat(objectId: string): Promise<ObjectInfo> {
    await this.#ready();
    assertObjectId(objectId);
    const record = await this.#catalog.get(objectId);
    if (!record || record.deleting) throw new PackIceError('NOT_FOUND', `object ${objectId} not found`);
    return toObjectInfo(record);
  }

  async listObjects(page?: ListPage): Promise<ObjectInfo[]> {
    await this.#ready();
    const objects = (await this.#catalog.list()).map(toObjectInfo);
    return page ? selectPage(objects, (o) => o.objectId, page) : objects;
  }

  async listLeases(filter: { objectId?: string } & ListPage = {}): Promise<LeaseInfo[]> {
    await this.#ready();
    if (filter.objectId !== undefined) assertObjectId(filter.objectId);
    const only = filter.objectId === undefined ? {} : { objectId: filter.objectId };
    const leases = await this.#catalog.listLeases(only, this.#ctx.clock.now());
    return isPaged(filter) ? selectPage(leases, (l) => l.leaseId, filter) : leases;
  }

  async stats(): Promise<PeerStats> {
    await this.#ready();
    const [own, totals] = await Promise.all([this.#local.stats(), this.#catalog.totals(this.#ctx.clock.now())]);
    return { ...own, ...totals, capacity: this.#capacity, evictions: 0 };
  }

  adopt(objectId: string): Promise<ObjectInfo | null> {
    return this.#local.adopt(objectId);
  }

  drop(objectId: string): Promise<void> {
    return this.#local.drop(objectId);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#ctx.closing = true;
      this.#sweeper?.cancel();
      const { proxied, remote } = this.#ctx;
      await Promise.allSettled(proxied.drain().map(({ leaseId, baseUrl }) => remote?.release(baseUrl, leaseId)));
      this.#ctx.notices.failAll(new PackIceError('SHUTTING_DOWN', 'the node is shutting down'));
      await this.#local.close();
      await Promise.allSettled([...this.#upkeep.ending.values()]);
      for (const off of this.#offs.splice(0)) off();
      await this.#catalog.close();
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // One sweep at a time, the next one an interval after the last ended (the clock's timers are one-shot).
  #scheduleSweep(): void {
    this.#sweeper = this.#ctx.clock.setTimeout(() => {
      void this.sweep()
        .catch(() => undefined)
        .finally(() => {
          if (!this.#closing) this.#scheduleSweep();
        });
    }, this.#sweepMs);
  }

  async #ready(): Promise<void> {
    if (this.#closing) throw new PackIceError('SHUTTING_DOWN', 'the node is shutting down');
    await this.start();
  }
}

/**
 * Makes a Peer that shares one object space with the other nodes of `catalog` (scale-out). The
 * node's own Peer keeps the descriptors and local leases; the catalog keeps what all must agree on.
 */
export function createClusterPeer(options: ClusterPeerOptions): ClusterPeer {
  if (typeof options.nodeId !== 'string' || options.nodeId.length === 0) {
    throw new PackIceError('BAD_REQUEST', 'a cluster node needs a nodeId');
  }
  return new ClusterPeerImpl(options);
}
