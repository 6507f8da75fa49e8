import type { BlobStore } from './blob';
import type { Catalog, CatalogNotice, CatalogObject } from './catalog';
import type { Clock } from './clock';
import { systemClock } from './clock';
import { PackIceError, toPackIceError } from './errors';
import { assertObjectId, newObjectId } from './ids';
import type { Lease, ObjectInfo, PeerStats } from './model';
import type { AcquireContext, AcquireRequest, AcquireResult, DeleteResult, Peer } from './peer';
import { PEER_DEFAULTS } from './peer-options';
import { catalogRecord, heldBytes, toObjectInfo } from './catalog-records';
import { CLUSTER_DEFAULTS, type ClusterPeer, type ClusterPeerOptions } from './cluster-peer-options';
import { ProxiedLeases } from './proxied-leases';
import { RemoteBlob, type RemoteReads } from './remote-reads';
import { SealNotices } from './seal-notices';
import { parseAcquireRequest } from './validate';

/**
 * A Peer that serves one object space with the other nodes of a catalog: objects and leases are
 * recorded in the catalog (ids are unique cluster-wide, capacity is shared, deletes wait for
 * every node's leases), blobs live in shared storage, and an object sealed through another node is
 * adopted from that storage when it is read here. See docs/scale-out.md.
 */
class ClusterPeerImpl implements ClusterPeer {
  readonly #local: Peer;
  readonly #storage: BlobStore;
  readonly #catalog: Catalog;
  readonly #node: string;
  readonly #capacity: number | null;
  readonly #clock: Clock;
  readonly #sweepMs: number;
  readonly #remote: RemoteReads | undefined;
  readonly #dataUrl: () => string | null;
  readonly #proxied: ProxiedLeases;
  readonly #notices = new SealNotices();
  /** The catalog side of leases that ended here, by lease id. */
  readonly #ending = new Map<string, Promise<void>>();
  readonly #offs: (() => void)[] = [];
  #sweeper: NodeJS.Timeout | null = null;
  #unrecordedEnds = 0;
  #starting: Promise<void> | null = null;
  #closing: Promise<void> | null = null;

  constructor(options: ClusterPeerOptions) {
    this.#local = options.local;
    this.#storage = options.storage;
    this.#catalog = options.catalog;
    this.#node = options.nodeId;
    this.#capacity = options.capacityBytes ?? null;
    this.#clock = options.clock ?? systemClock;
    this.#proxied = new ProxiedLeases(this.#clock);
    this.#sweepMs = options.sweepIntervalMs ?? CLUSTER_DEFAULTS.sweepIntervalMs;
    this.#remote = options.remote;
    this.#dataUrl = options.dataUrl ?? (() => null);
  }

  get events(): Peer['events'] {
    return this.#local.events;
  }

  get storageName(): string {
    return this.#local.storageName;
  }

  start(): Promise<void> {
    this.#starting ??= (async () => {
      await this.#local.start();
      this.#offs.push(
        this.#catalog.subscribe((notice) => this.#onNotice(notice)),
        this.#local.events.on('lease-end', ({ lease }) => this.#trackEnd(lease)),
        this.#local.events.on('delete', ({ objectId, reason }) => {
          if (reason === 'aborted') void this.#aborted(objectId);
        }),
      );
      await this.#register();
      this.#sweeper = setInterval(() => void this.sweep().catch(() => undefined), this.#sweepMs);
      this.#sweeper.unref();
    })();
    return this.#starting;
  }

  async registerStored(): Promise<number> {
    await this.start();
    const added = await this.#register();
    // The read leases this node holds, so a delete still waits for them.
    for (const lease of await this.#local.listLeases()) {
      if (lease.access !== 'read') continue;
      await this.#catalog.addLease(this.#withNode(lease), this.#node).catch(() => undefined);
    }
    return added;
  }

  async sweep(): Promise<{ objectId: string; outcome: 'aborted' | 'deleted' }[]> {
    const done = await this.#catalog.sweep(this.#clock.now());
    for (const { objectId, outcome } of done) await this.#removeEverywhere(objectId, outcome);
    return done;
  }

  async acquire(request: AcquireRequest, context: AcquireContext = {}): Promise<AcquireResult> {
    await this.#ready();
    const parsed = parseAcquireRequest(request, {
      defaultTtlMs: PEER_DEFAULTS.defaultTtlMs,
      maxTtlMs: Number.MAX_SAFE_INTEGER,
      maxBlobs: Number.MAX_SAFE_INTEGER,
    });
    if (parsed.intent === 'create') {
      const objectId = parsed.objectId ?? newObjectId();
      const sizes = parsed.hints.map((h) => h ?? 0);
      await this.#catalog.create(
        this.#record(
          {
            objectId,
            state: 'creating',
            size: sizes.reduce((a, b) => a + b, 0),
            meta: parsed.meta,
            createdAt: this.#clock.now(),
            sealedAt: null,
          },
          sizes,
        ),
        this.#capacity,
      );
      let result: AcquireResult;
      try {
        result = await this.#local.acquire({ ...request, objectId }, context);
      } catch (err) {
        await this.#catalog.abort(objectId).catch(() => undefined);
        throw err;
      }
      return this.#recordLease(result);
    }
    return this.#read(parsed.objectId as string, request, context, parsed.timeoutMs);
  }

  async seal(leaseId: string): Promise<ObjectInfo> {
    await this.#ready();
    const object = await this.#local.seal(leaseId);
    const blobSizes = (await this.#local.stat(object.objectId)).blobs.map((b) => b.size);
    try {
      await this.#catalog.seal(
        object.objectId,
        {
          size: object.size,
          blobSizes,
          bytes: heldBytes(blobSizes, this.#storage.allocationUnit),
          createdAt: object.createdAt,
          sealedAt: object.sealedAt ?? this.#clock.now(),
        },
        this.#capacity,
      );
    } catch (err) {
      // The catalog lost the record (Redis restarted since the create): the storage holds the
      // sealed object, so it is recorded anew. (While Redis is away the seal fails UNAVAILABLE;
      // the object is registered when it is back.)
      if (!isCode(err, 'NOT_FOUND') || !(await this.#catalog.register(this.#record(object, blobSizes)))) throw err;
    }
    return object;
  }

  async openLease(leaseId: string): Promise<AcquireResult> {
    const proxied = this.#proxied.get(leaseId);
    if (proxied) return proxied.result;
    const result = await this.#local.openLease(leaseId);
    return { ...result, lease: this.#withNode(result.lease) };
  }

  async release(leaseId: string): Promise<void> {
    const proxied = this.#proxied.get(leaseId);
    if (proxied && this.#remote) {
      this.#proxied.forget(leaseId);
      return this.#remote.release(proxied.baseUrl, leaseId);
    }
    await this.#local.release(leaseId);
    await this.#ending.get(leaseId);
  }

  async renew(leaseId: string, ttlMs?: number): Promise<Lease> {
    const proxied = this.#proxied.get(leaseId);
    if (proxied && this.#remote) {
      const lease = await this.#remote.renew(proxied.baseUrl, leaseId, ttlMs);
      this.#proxied.track(proxied.baseUrl, { ...proxied.result, lease });
      return lease;
    }
    const lease = this.#withNode(await this.#local.renew(leaseId, ttlMs));
    await this.#catalog.renewLease(lease);
    return lease;
  }

  async delete(objectId: string): Promise<DeleteResult> {
    await this.#ready();
    assertObjectId(objectId);
    const outcome = await this.#catalog.delete(objectId, this.#clock.now());
    if (outcome !== 'deleted') return { deleted: false, pending: true };
    await this.#removeEverywhere(objectId, 'deleted');
    return { deleted: true, pending: false };
  }

  async stat(objectId: string): Promise<ObjectInfo> {
    await this.#ready();
    assertObjectId(objectId);
    const record = await this.#catalog.get(objectId);
    if (!record || record.deleting) throw new PackIceError('NOT_FOUND', `object ${objectId} not found`);
    return toObjectInfo(record);
  }

  async listObjects(): Promise<ObjectInfo[]> {
    await this.#ready();
    return (await this.#catalog.list()).map(toObjectInfo);
  }

  async listLeases(filter: { objectId?: string } = {}): Promise<Lease[]> {
    await this.#ready();
    if (filter.objectId !== undefined) assertObjectId(filter.objectId);
    return this.#catalog.listLeases(filter, this.#clock.now());
  }

  async stats(): Promise<PeerStats> {
    await this.#ready();
    const [own, totals] = await Promise.all([this.#local.stats(), this.#catalog.totals(this.#clock.now())]);
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
      if (this.#sweeper) clearInterval(this.#sweeper);
      await Promise.allSettled(
        this.#proxied.drain().map(({ leaseId, baseUrl }) => this.#remote?.release(baseUrl, leaseId)),
      );
      this.#notices.wakeAll();
      await this.#local.close();
      await Promise.allSettled([...this.#ending.values()]);
      for (const off of this.#offs.splice(0)) off();
      await this.#catalog.close();
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Registers every sealed object of the shared storage the catalog does not know; how many. */
  async #register(): Promise<number> {
    const ids = new Set((await this.#local.listObjects()).map((o) => o.objectId));
    for (const id of (await this.#storage.storedIds?.()) ?? []) ids.add(id);
    let added = 0;
    for (const objectId of ids) {
      const object = await this.#local.adopt(objectId).catch(() => null);
      if (object?.state !== 'sealed') continue;
      const sizes = object.blobs.map((b) => b.size);
      if (await this.#catalog.register(this.#record(object, sizes))) added++;
    }
    return added;
  }

  async #ready(): Promise<void> {
    if (this.#closing) throw new PackIceError('SHUTTING_DOWN', 'the node is shutting down');
    await this.start();
  }

  async #read(
    objectId: string,
    request: AcquireRequest,
    context: AcquireContext,
    timeoutMs: number,
  ): Promise<AcquireResult> {
    // Read here before: one round trip, the catalog checking that the id still names this object.
    const known = await this.#local.stat(objectId).catch(() => null);
    if (known?.state === 'sealed') {
      const result = await this.#local.acquire({ ...request, timeoutMs: 0 }, context);
      try {
        return await this.#recordLease(result, known.createdAt);
      } catch (err) {
        if (!isCode(err, 'NOT_FOUND')) throw err;
        // Deleted (or made again) elsewhere and the notice missed: forget this copy, look again.
        await this.#local.drop(objectId).catch(() => undefined);
      }
    }
    const deadline = this.#clock.now() + timeoutMs;
    for (;;) {
      // Listen before looking, so a seal between the look and the wait is not missed.
      const sealed = this.#notices.wait(objectId, Math.max(0, deadline - this.#clock.now()), context.signal);
      try {
        const record = await this.#catalog.get(objectId);
        if (record && !record.deleting && record.state === 'sealed' && this.#elsewhere(record)) {
          return await this.#readRemote(record, request, context);
        }
        if (record && !record.deleting && record.state === 'sealed') {
          const adopted = await this.#local.adopt(objectId);
          if (!adopted) {
            throw new PackIceError('INTERNAL', `object ${objectId} is sealed but its blobs are not in shared storage`);
          }
          const result = await this.#local.acquire({ ...request, timeoutMs: 0 }, context);
          return await this.#recordLease(result, adopted.createdAt);
        }
        if (timeoutMs === 0 || this.#closing) {
          if (record && !record.deleting) throw new PackIceError('NOT_SEALED', `object ${objectId} is not sealed yet`);
          throw new PackIceError('NOT_FOUND', `object ${objectId} not found`);
        }
        if (this.#clock.now() >= deadline) {
          throw new PackIceError('TIMEOUT', `object ${objectId} was not sealed within ${timeoutMs} ms`);
        }
        await sealed.promise;
        if (this.#closing) throw new PackIceError('SHUTTING_DOWN', 'the node is shutting down');
      } finally {
        sealed.cancel();
      }
    }
  }

  /** The bytes are in another node's memory (memory storage): this node cannot adopt them. */
  #elsewhere(record: CatalogObject): boolean {
    return !this.#storage.load && record.node !== this.#node;
  }

  async #readRemote(record: CatalogObject, request: AcquireRequest, context: AcquireContext): Promise<AcquireResult> {
    if (!record.dataUrl || !this.#remote) {
      throw new PackIceError(
        'UNAVAILABLE',
        `object ${record.objectId} lives in the memory of node ${record.node}, which serves no HTTP: read it through that node`,
      );
    }
    const got = await this.#remote.acquire(record.dataUrl, record.objectId, request.ttlMs, context.signal);
    const blobs = got.urls.map((url, i) => new RemoteBlob(i, got.object.blobs[i]?.size ?? 0, url));
    const result: AcquireResult = { lease: got.lease, object: { ...got.object, blobs } };
    this.#proxied.track(record.dataUrl, result);
    return result;
  }

  async #recordLease(result: AcquireResult, createdAt?: number): Promise<AcquireResult> {
    const lease = this.#withNode(result.lease);
    try {
      await this.#catalog.addLease(lease, this.#node, createdAt);
    } catch (err) {
      await this.#local.release(lease.leaseId).catch(() => undefined);
      throw toPackIceError(err);
    }
    return { ...result, lease };
  }

  #trackEnd(lease: Lease): void {
    const ending = this.#leaseEnded(this.#withNode(lease))
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
      .finally(() => this.#ending.delete(lease.leaseId));
    this.#ending.set(lease.leaseId, ending);
  }

  async #leaseEnded(lease: Lease): Promise<void> {
    const outcome = await this.#catalog.removeLease(lease, this.#clock.now());
    if (outcome === 'deleted') await this.#removeEverywhere(lease.objectId, 'deleted');
  }

  async #aborted(objectId: string): Promise<void> {
    await this.#catalog.abort(objectId).catch(() => undefined);
    await this.#catalog.publish({ type: 'gone', objectId, reason: 'aborted' }).catch(() => undefined);
  }

  /** Removes the object's storage (once, here) and tells the other nodes to forget it. */
  async #removeEverywhere(objectId: string, reason: 'deleted' | 'aborted'): Promise<void> {
    if (reason === 'aborted') {
      // The storage is the truth of a seal: an object whose seal never reached the catalog is
      // recorded, not removed.
      const sealed = await this.#local.adopt(objectId).catch(() => null);
      if (sealed?.state === 'sealed') {
        await this.#catalog.register(
          this.#record(
            sealed,
            sealed.blobs.map((b) => b.size),
          ),
        );
        return;
      }
    }
    // Through this node's Peer when it has the object (its storage accounting, its events);
    // straight from the storage when not (a dead node's leftovers).
    const here = await this.#local.delete(objectId).catch(() => null);
    if (!here) await this.#storage.remove(objectId, []);
    await this.#catalog.publish({ type: 'gone', objectId, reason });
  }

  #onNotice(notice: CatalogNotice): void {
    if (notice.type === 'sealed') {
      this.#notices.wake(notice.objectId);
      void this.#announceSeal(notice.objectId);
    } else {
      void this.#local.drop(notice.objectId).catch(() => undefined);
    }
  }

  /** A seal made through another node is an event here too (subscribers watch the whole cluster's seals). */
  async #announceSeal(objectId: string): Promise<void> {
    const record = await this.#catalog.get(objectId).catch(() => null);
    if (!record || record.node === this.#node || record.state !== 'sealed' || record.deleting) return;
    this.#local.events.emit('seal', { object: toObjectInfo(record) });
  }

  #withNode(lease: Lease): Lease {
    return { ...lease, holder: { ...lease.holder, node: this.#node } };
  }

  #record(
    object: Pick<ObjectInfo, 'objectId' | 'state' | 'size' | 'meta' | 'createdAt' | 'sealedAt'>,
    blobSizes: readonly number[],
  ): CatalogObject {
    const unit = this.#storage.allocationUnit;
    // With memory storage the bytes stay here: other nodes read them at this node's HTTP.
    const dataUrl = this.#storage.load ? undefined : this.#dataUrl();
    return catalogRecord(object, blobSizes, { node: this.#node, unit, dataUrl });
  }
}

const isCode = (err: unknown, code: string): boolean => (err as { code?: unknown })?.code === code;

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
