import type { BlobStore, RecoveredObject } from '../blob';
import { Capacity } from './capacity';
import type { Clock } from '../clock';
import { PackIceError, toPackIceError } from '../errors';
import type { LeaseInfo, ObjectInfo } from '../model';
import { ObjectTable, snapshot, sum, type ObjectEntry } from './object-table';
import type { DeleteReason, DeleteResult, PeerEvents } from './peer';
import { SealWaiters } from './seal-waiters';
import type { TypedEmitter } from '../typed-emitter';

/** What the object lifecycle needs from the rest of the Peer. */
export interface LifecycleDeps {
  storage: BlobStore;
  clock: Clock;
  events: TypedEmitter<PeerEvents>;
  capacityBytes: number | null;
  /** Leases held on an object now. */
  leaseCount(objectId: string): number;
}

/**
 * Objects from create to removal: the table, their storage, capacity and eviction, seals and the
 * reads waiting for them. Leases are not kept here; the Peer tells it when one ends.
 */
export class ObjectLifecycle {
  readonly objects = new ObjectTable();
  readonly capacity: Capacity;
  readonly waiters: SealWaiters;
  readonly #deps: LifecycleDeps;
  /** Storage removals under way, by object id: a new create of the same id waits for it. */
  readonly #removals = new Map<string, Promise<void>>();

  constructor(deps: LifecycleDeps) {
    this.#deps = deps;
    this.capacity = new Capacity(deps.capacityBytes);
    this.waiters = new SealWaiters(deps.clock);
  }

  /** Opens the storage and takes in the sealed objects it kept; returns them. */
  async recover(): Promise<RecoveredObject[]> {
    const recovered = await this.#deps.storage.open();
    for (const object of recovered) this.take(object);
    return recovered;
  }

  /** Takes in a sealed object stored elsewhere (by another node); `ALREADY_EXISTS` if known. */
  take({ info, blobs }: RecoveredObject): ObjectEntry {
    if (this.objects.has(info.objectId)) {
      throw new PackIceError('ALREADY_EXISTS', `object ${info.objectId} already exists`);
    }
    const sizes = blobs.map((b) => b.size);
    const entry: ObjectEntry = {
      ...info,
      state: 'sealed',
      meta: Object.freeze({ ...info.meta }),
      sealedAt: info.sealedAt ?? info.createdAt,
      hints: sizes,
      blobs,
      sealedSizes: sizes,
      reserved: this.#held(sizes),
      ready: true,
      sealing: null,
      pendingDelete: false,
    };
    this.objects.set(entry);
    this.capacity.touch(entry);
    this.capacity.add(entry.reserved);
    return entry;
  }

  /** Drops an object from this Peer without touching its storage (another node removes it). */
  async drop(entry: ObjectEntry): Promise<void> {
    if (!this.objects.forget(entry)) return;
    this.capacity.untrack(entry.objectId);
    this.capacity.add(-entry.reserved);
    await Promise.all(entry.blobs.map((b) => b.dispose()));
  }

  /** Makes a new object and its blobs. `ALREADY_EXISTS`, `OUT_OF_CAPACITY`, storage errors. */
  async create(
    objectId: string,
    hints: readonly (number | undefined)[],
    meta: ObjectEntry['meta'],
    contents?: readonly (Uint8Array | undefined)[],
  ): Promise<ObjectEntry> {
    if (this.objects.has(objectId)) throw new PackIceError('ALREADY_EXISTS', `object ${objectId} already exists`);
    const need = this.#held(hints.map((h) => h ?? 0));
    const evicted = this.#makeRoom(need);
    // Id and bytes are claimed before the first await: of concurrent creates, exactly one wins.
    const entry: ObjectEntry = {
      objectId,
      state: 'creating',
      meta,
      createdAt: this.#deps.clock.now(),
      sealedAt: null,
      hints,
      blobs: [],
      sealedSizes: null,
      reserved: need,
      ready: false,
      sealing: null,
      pendingDelete: false,
    };
    this.objects.set(entry);
    this.capacity.add(need);
    try {
      // The evicted objects' storage is really freed before the new object takes its place.
      await evicted;
      await this.#removals.get(objectId);
      entry.blobs = await this.#deps.storage.createBlobs(objectId, hints, contents);
    } catch (err) {
      this.objects.forget(entry);
      this.capacity.add(-need);
      throw toPackIceError(err);
    }
    entry.ready = true;
    return entry;
  }

  /** Seals an object once, however often it is asked; wakes its readers. */
  seal(entry: ObjectEntry): Promise<ObjectInfo> {
    if (entry.state === 'sealed') throw new PackIceError('ALREADY_SEALED', `object ${entry.objectId} is sealed`);
    entry.sealing ??= this.#seal(entry).finally(() => {
      entry.sealing = null;
    });
    return entry.sealing;
  }

  /** Deletes now when nothing holds the object, else marks it to go with its last lease. `NOT_FOUND`. */
  async delete(objectId: string): Promise<DeleteResult> {
    const entry = this.objects.get(objectId);
    if (!entry) throw new PackIceError('NOT_FOUND', `object ${objectId} not found`);
    if (entry.pendingDelete) return { deleted: false, pending: true };
    if (!entry.ready || entry.sealing || this.#deps.leaseCount(objectId) > 0) {
      this.objects.hide(entry);
      this.capacity.untrack(objectId);
      return { deleted: false, pending: true };
    }
    await this.remove(entry, 'deleted');
    return { deleted: true, pending: false };
  }

  /** After a lease ended: aborts its unsealed create, or finishes a pending delete. */
  leaseEnded(lease: LeaseInfo): Promise<void> {
    const entry = this.objects.get(lease.objectId);
    if (!entry || entry.sealing) return Promise.resolve();
    if (lease.access === 'create' && entry.state === 'creating') return this.remove(entry, 'aborted');
    if (entry.pendingDelete && this.#deps.leaseCount(entry.objectId) === 0) return this.remove(entry, 'deleted');
    return Promise.resolve();
  }

  /** Forgets an object at once and deletes its storage; the promise settles when storage is done. */
  remove(entry: ObjectEntry, reason: DeleteReason): Promise<void> {
    if (!this.objects.forget(entry)) return this.#removals.get(entry.objectId) ?? Promise.resolve();
    const { objectId, reserved: size } = entry;
    this.capacity.untrack(objectId);
    this.capacity.add(-size);
    if (reason === 'evicted') {
      this.capacity.countEviction();
      this.#deps.events.emit('evict', { objectId, size });
    }
    this.#deps.events.emit('delete', { objectId, reason, size });
    const tracked = this.#deps.storage
      .remove(objectId, entry.blobs, reason)
      .catch((err: unknown) => process.emitWarning(`PackIce: removing object ${objectId} failed: ${String(err)}`))
      .finally(() => {
        if (this.#removals.get(objectId) === tracked) this.#removals.delete(objectId);
      });
    this.#removals.set(objectId, tracked);
    return tracked;
  }

  /** Settles once every storage removal under way is done. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#removals.values()]);
  }

  async #seal(entry: ObjectEntry): Promise<ObjectInfo> {
    const sizes = entry.blobs.map((b) => b.size);
    let total = this.#held(sizes);
    const grow = total - entry.reserved;
    const evicted = grow > 0 ? this.#makeRoom(grow) : Promise.resolve();
    const before = entry.reserved;
    this.capacity.add(total - before);
    entry.reserved = total;
    const sealedAt = this.#deps.clock.now();
    try {
      await evicted;
      await Promise.all(entry.blobs.map((b) => b.seal()));
      // A storage may keep a sealed blob more tightly than whole units (a slab slot): count that.
      if (entry.blobs.some((b) => b.heldBytes !== undefined)) {
        const held = entry.blobs.reduce((n, b, i) => n + (b.heldBytes ?? this.#held([sizes[i]])), 0);
        this.capacity.add(held - total);
        entry.reserved = total = held;
      }
      await this.#deps.storage.commit({ ...snapshot(entry), state: 'sealed', sealedAt, blobs: entry.blobs });
    } catch (err) {
      this.capacity.add(before - entry.reserved);
      entry.reserved = before;
      throw toPackIceError(err);
    }
    entry.state = 'sealed';
    entry.sealedAt = sealedAt;
    entry.sealedSizes = sizes;
    const info = snapshot(entry);
    this.#deps.events.emit('seal', { object: info });
    if (entry.pendingDelete) {
      if (this.#deps.leaseCount(entry.objectId) === 0) await this.remove(entry, 'deleted');
      return info;
    }
    this.capacity.touch(entry);
    this.waiters.wake(entry.objectId);
    return info;
  }

  /** What blobs of these sizes hold in storage: whole allocation units, at least one each. */
  #held(sizes: readonly number[]): number {
    const unit = this.#deps.storage.allocationUnit;
    if (!unit) return sum(sizes);
    let total = 0;
    for (const size of sizes) total += Math.max(1, Math.ceil(size / unit)) * unit;
    return total;
  }

  /**
   * Evicts least recently used sealed, unleased objects until `need` more bytes fit; all or
   * nothing. The accounting changes at once; the promise settles when their storage is freed.
   */
  #makeRoom(need: number): Promise<void> {
    const victims = this.capacity.victimsFor(need, (objectId) => this.#deps.leaseCount(objectId) > 0);
    return Promise.all(victims.map((victim) => this.remove(victim, 'evicted'))).then(() => undefined);
  }
}
