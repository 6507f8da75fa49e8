import type { Blob, BlobStore } from './blob';
import type { Clock, ClockTimer } from './clock';
import { systemClock } from './clock';
import { PackIceError, toPackIceError } from './errors';
import { assertObjectId, newLeaseId, newObjectId } from './ids';
import type { LeaseStore } from './lease-store';
import { createMapLeaseStore } from './lease-store';
import type { Access, Lease, LeaseHolder, ObjectInfo, ObjectState, PeerStats } from './model';
import type {
  AcquireContext,
  AcquireRequest,
  AcquireResult,
  DeleteReason,
  DeleteResult,
  LeaseEndReason,
  Peer,
  PeerEvents,
  PeerOptions,
} from './peer';
import { TypedEmitter } from './typed-emitter';
import { parseAcquireRequest, parseTtl, type ParsedAcquire } from './validate';

/** Defaults of {@link PeerOptions}. */
export const PEER_DEFAULTS = Object.freeze({
  defaultTtlMs: 60_000, // 1 min
  maxTtlMs: 86_400_000, // 1 day
  maxBlobs: 1024,
  capacityBytes: null as number | null, // no limit
});

interface Entry {
  readonly objectId: string;
  state: ObjectState;
  readonly meta: Readonly<Record<string, string>>;
  readonly createdAt: number;
  sealedAt: number | null;
  readonly hints: readonly (number | undefined)[];
  blobs: readonly Blob[];
  /** Sizes fixed at seal (sealed objects never change, so no storage call is needed). */
  sealedSizes: readonly number[] | null;
  /** Bytes counted against the capacity for this object. */
  reserved: number;
  /** False while the storage is still making the blobs. */
  ready: boolean;
  sealing: Promise<ObjectInfo> | null;
  pendingDelete: boolean;
}

interface Waiter {
  wake(): void;
  fail(err: unknown): void;
}

class PeerImpl implements Peer {
  readonly events = new TypedEmitter<PeerEvents>();
  readonly #storage: BlobStore;
  readonly #leases: LeaseStore;
  readonly #clock: Clock;
  readonly #capacity: number | null;
  readonly #defaultTtlMs: number;
  readonly #maxTtlMs: number;
  readonly #maxBlobs: number;
  readonly #objects = new Map<string, Entry>();
  /** Sealed objects, least recently used first (a Map keeps insertion order). */
  readonly #lru = new Map<string, Entry>();
  readonly #waiters = new Map<string, Set<Waiter>>();
  readonly #timers = new Map<string, ClockTimer>();
  /** Storage removals under way, by object id: a new create of the same id waits for it. */
  readonly #removals = new Map<string, Promise<void>>();
  readonly #inflight = new Set<Promise<unknown>>();
  #bytes = 0;
  #evictions = 0;
  #startedAt: number;
  #starting: Promise<void> | null = null;
  #closing: Promise<void> | null = null;

  constructor(options: PeerOptions) {
    this.#storage = options.storage;
    this.#leases = options.leaseStore ?? createMapLeaseStore();
    this.#clock = options.clock ?? systemClock;
    this.#capacity = options.capacityBytes ?? PEER_DEFAULTS.capacityBytes;
    this.#defaultTtlMs = options.defaultTtlMs ?? PEER_DEFAULTS.defaultTtlMs;
    this.#maxTtlMs = options.maxTtlMs ?? PEER_DEFAULTS.maxTtlMs;
    this.#maxBlobs = options.maxBlobs ?? PEER_DEFAULTS.maxBlobs;
    this.#startedAt = this.#clock.now();
  }

  get storageName(): string {
    return this.#storage.name;
  }

  start(): Promise<void> {
    this.#starting ??= (async () => {
      const recovered = await this.#storage.open();
      for (const { info, blobs } of recovered) {
        const sizes = blobs.map((b) => b.size);
        const entry: Entry = {
          objectId: info.objectId,
          state: 'sealed',
          meta: Object.freeze({ ...info.meta }),
          createdAt: info.createdAt,
          sealedAt: info.sealedAt ?? info.createdAt,
          hints: sizes,
          blobs,
          sealedSizes: sizes,
          reserved: sum(sizes),
          ready: true,
          sealing: null,
          pendingDelete: false,
        };
        this.#objects.set(entry.objectId, entry);
        this.#lru.set(entry.objectId, entry);
        this.#bytes += entry.reserved;
      }
    })();
    return this.#starting;
  }

  acquire(request: AcquireRequest, context: AcquireContext = {}): Promise<AcquireResult> {
    return this.#run(() => {
      const parsed = parseAcquireRequest(request, {
        defaultTtlMs: this.#defaultTtlMs,
        maxTtlMs: this.#maxTtlMs,
        maxBlobs: this.#maxBlobs,
      });
      const holder = context.holder ?? { transport: 'direct' };
      return parsed.intent === 'create' ? this.#create(parsed, holder) : this.#read(parsed, holder, context.signal);
    });
  }

  seal(leaseId: string): Promise<ObjectInfo> {
    return this.#run(() => {
      const lease = this.#liveLease(leaseId);
      if (lease.access !== 'create') {
        throw new PackIceError('WRONG_ACCESS', `lease ${leaseId} is a read lease; only the create lease may seal`);
      }
      const entry = this.#objects.get(lease.objectId);
      if (!entry) throw new PackIceError('LEASE_NOT_FOUND', `lease ${leaseId} has no object`);
      if (entry.state === 'sealed') throw new PackIceError('ALREADY_SEALED', `object ${entry.objectId} is sealed`);
      entry.sealing ??= this.#seal(entry).finally(() => {
        entry.sealing = null;
      });
      return entry.sealing;
    });
  }

  openLease(leaseId: string): Promise<AcquireResult> {
    return this.#run(() => {
      const lease = this.#liveLease(leaseId);
      const entry = this.#objects.get(lease.objectId);
      if (!entry) throw new PackIceError('LEASE_NOT_FOUND', `lease ${leaseId} has no object`);
      return { lease, object: { ...this.#snapshot(entry), blobs: entry.blobs } };
    });
  }

  release(leaseId: string): Promise<void> {
    return this.#run(async () => {
      const lease = this.#leases.get(this.#leaseIdArg(leaseId));
      if (!lease) throw new PackIceError('LEASE_NOT_FOUND', `lease ${leaseId} is unknown, released or expired`);
      if (lease.expiresAt <= this.#clock.now()) {
        await this.#endLease(lease, 'expired');
        throw new PackIceError('LEASE_NOT_FOUND', `lease ${leaseId} expired`);
      }
      await this.#endLease(lease, 'released');
    });
  }

  renew(leaseId: string, ttlMs?: number): Promise<Lease> {
    return this.#run(() => {
      const ttl = parseTtl(ttlMs, 'ttl_ms', undefined, this.#maxTtlMs);
      const lease = this.#liveLease(leaseId);
      const renewed: Lease = Object.freeze({
        ...lease,
        ttlMs: ttl ?? lease.ttlMs,
        expiresAt: this.#clock.now() + (ttl ?? lease.ttlMs),
      });
      this.#leases.put(renewed);
      this.#armTimer(renewed);
      return renewed;
    });
  }

  delete(objectId: string): Promise<DeleteResult> {
    return this.#run(async () => {
      assertObjectId(objectId);
      const entry = this.#objects.get(objectId);
      if (!entry) throw new PackIceError('NOT_FOUND', `object ${objectId} not found`);
      if (entry.pendingDelete) return { deleted: false, pending: true };
      if (!entry.ready || entry.sealing || this.#leases.countFor(objectId) > 0) {
        entry.pendingDelete = true;
        this.#lru.delete(objectId);
        return { deleted: false, pending: true };
      }
      await this.#remove(entry, 'deleted');
      return { deleted: true, pending: false };
    });
  }

  stat(objectId: string): Promise<ObjectInfo> {
    return this.#run(() => {
      assertObjectId(objectId);
      return this.#snapshot(this.#visible(objectId));
    });
  }

  listObjects(): Promise<ObjectInfo[]> {
    return this.#run(() => [...this.#objects.values()].filter((e) => !e.pendingDelete).map((e) => this.#snapshot(e)));
  }

  listLeases(filter: { objectId?: string } = {}): Promise<Lease[]> {
    return this.#run(() => {
      if (filter.objectId !== undefined) assertObjectId(filter.objectId);
      return this.#leases.list(filter.objectId === undefined ? {} : { objectId: filter.objectId });
    });
  }

  stats(): Promise<PeerStats> {
    return this.#run(() => {
      let objects = 0;
      for (const e of this.#objects.values()) if (!e.pendingDelete) objects++;
      return {
        objects,
        leases: this.#leases.size,
        bytes: this.#bytes,
        capacity: this.#capacity,
        evictions: this.#evictions,
        uptimeMs: this.#clock.now() - this.#startedAt,
      };
    });
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      const shutting = new PackIceError('SHUTTING_DOWN', 'the node is shutting down');
      for (const set of this.#waiters.values()) for (const w of [...set]) w.fail(shutting);
      while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
      await Promise.allSettled(this.#leases.list().map((lease) => this.#endLease(lease, 'closed')));
      await Promise.allSettled([...this.#removals.values()]);
      for (const timer of this.#timers.values()) timer.cancel();
      this.#timers.clear();
      if (this.#starting) {
        await this.#starting.catch(() => undefined);
        await this.#storage.close();
      }
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // Every public operation: refused once closing, after start, and tracked so close() waits.
  #run<T>(fn: () => T | Promise<T>): Promise<T> {
    const op = (async () => {
      if (this.#closing) throw new PackIceError('SHUTTING_DOWN', 'the node is shutting down');
      await this.start();
      if (this.#closing) throw new PackIceError('SHUTTING_DOWN', 'the node is shutting down');
      return fn();
    })();
    this.#inflight.add(op);
    const untrack = (): void => {
      this.#inflight.delete(op);
    };
    op.then(untrack, untrack);
    return op;
  }

  async #create(req: ParsedAcquire, holder: LeaseHolder): Promise<AcquireResult> {
    const objectId = req.objectId ?? newObjectId();
    if (this.#objects.has(objectId)) {
      throw new PackIceError('ALREADY_EXISTS', `object ${objectId} already exists`);
    }
    const need = sum(req.hints.map((h) => h ?? 0));
    const evicted = this.#makeRoom(need);
    // Id and bytes are claimed before the first await: of concurrent creates, exactly one wins.
    const entry: Entry = {
      objectId,
      state: 'creating',
      meta: req.meta,
      createdAt: this.#clock.now(),
      sealedAt: null,
      hints: req.hints,
      blobs: [],
      sealedSizes: null,
      reserved: need,
      ready: false,
      sealing: null,
      pendingDelete: false,
    };
    this.#objects.set(objectId, entry);
    this.#bytes += need;
    try {
      // The evicted objects' storage is really freed before the new object takes its place.
      await evicted;
      await this.#removals.get(objectId);
      entry.blobs = await this.#storage.createBlobs(objectId, req.hints);
    } catch (err) {
      this.#objects.delete(objectId);
      this.#bytes -= need;
      throw toPackIceError(err);
    }
    entry.ready = true;
    if (this.#closing) {
      await this.#remove(entry, 'aborted');
      throw new PackIceError('SHUTTING_DOWN', 'the node is shutting down');
    }
    return this.#grant(entry, 'create', req.ttlMs, holder);
  }

  #read(req: ParsedAcquire, holder: LeaseHolder, signal: AbortSignal | undefined): Promise<AcquireResult> {
    const objectId = req.objectId as string;
    const entry = this.#objects.get(objectId);
    const visible = entry && !entry.pendingDelete ? entry : undefined;
    if (visible?.state === 'sealed') {
      return Promise.resolve(this.#grant(visible, 'read', req.ttlMs, holder));
    }
    if (req.timeoutMs === 0) {
      if (visible) throw new PackIceError('NOT_SEALED', `object ${objectId} is not sealed yet`);
      throw new PackIceError('NOT_FOUND', `object ${objectId} not found`);
    }
    signal?.throwIfAborted();
    return new Promise<AcquireResult>((resolve, reject) => {
      let set = this.#waiters.get(objectId);
      if (!set) this.#waiters.set(objectId, (set = new Set()));
      const waiters = set;
      const done = (): void => {
        timer.cancel();
        signal?.removeEventListener('abort', onAbort);
        waiters.delete(waiter);
        if (waiters.size === 0) this.#waiters.delete(objectId);
      };
      const waiter: Waiter = {
        wake: () => {
          done();
          const sealed = this.#objects.get(objectId);
          if (sealed) resolve(this.#grant(sealed, 'read', req.ttlMs, holder));
          else reject(new PackIceError('NOT_FOUND', `object ${objectId} not found`));
        },
        fail: (err) => {
          done();
          reject(err);
        },
      };
      const onAbort = (): void => waiter.fail(signal?.reason);
      const timer = this.#clock.setTimeout(
        () => waiter.fail(new PackIceError('TIMEOUT', `object ${objectId} was not sealed within ${req.timeoutMs} ms`)),
        req.timeoutMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      waiters.add(waiter);
    });
  }

  async #seal(entry: Entry): Promise<ObjectInfo> {
    const sizes = entry.blobs.map((b) => b.size);
    const total = sum(sizes);
    const grow = total - entry.reserved;
    const evicted = grow > 0 ? this.#makeRoom(grow) : Promise.resolve();
    const before = entry.reserved;
    this.#bytes += total - before;
    entry.reserved = total;
    const sealedAt = this.#clock.now();
    try {
      await evicted;
      await Promise.all(entry.blobs.map((b) => b.seal()));
      await this.#storage.commit({ ...this.#snapshot(entry), state: 'sealed', sealedAt, blobs: entry.blobs });
    } catch (err) {
      this.#bytes += before - entry.reserved;
      entry.reserved = before;
      throw toPackIceError(err);
    }
    entry.state = 'sealed';
    entry.sealedAt = sealedAt;
    entry.sealedSizes = sizes;
    const info = this.#snapshot(entry);
    this.events.emit('seal', { object: info });
    if (entry.pendingDelete) {
      if (this.#leases.countFor(entry.objectId) === 0) await this.#remove(entry, 'deleted');
      return info;
    }
    this.#lru.set(entry.objectId, entry);
    for (const waiter of [...(this.#waiters.get(entry.objectId) ?? [])]) waiter.wake();
    return info;
  }

  #grant(entry: Entry, access: Access, ttlMs: number, holder: LeaseHolder): AcquireResult {
    const lease: Lease = Object.freeze({
      leaseId: newLeaseId(),
      objectId: entry.objectId,
      access,
      ttlMs,
      expiresAt: this.#clock.now() + ttlMs,
      holder: Object.freeze({ ...holder }),
    });
    this.#leases.put(lease);
    this.#armTimer(lease);
    if (entry.state === 'sealed' && !entry.pendingDelete) {
      this.#lru.delete(entry.objectId);
      this.#lru.set(entry.objectId, entry);
    }
    return { lease, object: { ...this.#snapshot(entry), blobs: entry.blobs } };
  }

  #armTimer(lease: Lease): void {
    this.#timers.get(lease.leaseId)?.cancel();
    const timer = this.#clock.setTimeout(() => {
      this.#timers.delete(lease.leaseId);
      for (const ended of this.#leases.expire(this.#clock.now())) {
        void this.#endLease(ended, 'expired', false);
      }
    }, Math.max(lease.expiresAt - this.#clock.now(), 0));
    this.#timers.set(lease.leaseId, timer);
  }

  /** Ends a lease; aborts its unsealed create and finishes a pending delete. */
  #endLease(lease: Lease, reason: LeaseEndReason, inStore = true): Promise<void> {
    if (inStore && !this.#leases.delete(lease.leaseId)) return Promise.resolve();
    this.#timers.get(lease.leaseId)?.cancel();
    this.#timers.delete(lease.leaseId);
    this.events.emit('lease-end', { lease, reason });
    const entry = this.#objects.get(lease.objectId);
    if (!entry || entry.sealing) return Promise.resolve();
    if (lease.access === 'create' && entry.state === 'creating') return this.#remove(entry, 'aborted');
    if (entry.pendingDelete && this.#leases.countFor(entry.objectId) === 0) return this.#remove(entry, 'deleted');
    return Promise.resolve();
  }

  /** Forgets an object at once and deletes its storage; the promise settles when storage is done. */
  #remove(entry: Entry, reason: DeleteReason): Promise<void> {
    if (this.#objects.get(entry.objectId) !== entry) return this.#removals.get(entry.objectId) ?? Promise.resolve();
    this.#objects.delete(entry.objectId);
    this.#lru.delete(entry.objectId);
    this.#bytes -= entry.reserved;
    const size = entry.reserved;
    if (reason === 'evicted') {
      this.#evictions++;
      this.events.emit('evict', { objectId: entry.objectId, size });
    }
    this.events.emit('delete', { objectId: entry.objectId, reason, size });
    const removal = this.#storage.remove(entry.objectId, entry.blobs).then(
      () => undefined,
      (err: unknown) => {
        process.emitWarning(`PackIce: removing object ${entry.objectId} failed: ${String(err)}`);
      },
    );
    const tracked = removal.finally(() => {
      if (this.#removals.get(entry.objectId) === tracked) this.#removals.delete(entry.objectId);
    });
    this.#removals.set(entry.objectId, tracked);
    return tracked;
  }

  /**
   * Evicts least recently used sealed, unleased objects until `need` more bytes fit; all or
   * nothing. The accounting changes at once; the promise settles when their storage is freed.
   */
  #makeRoom(need: number): Promise<void> {
    const capacity = this.#capacity;
    if (capacity === null || this.#bytes + need <= capacity) return Promise.resolve();
    const victims: Entry[] = [];
    let freed = 0;
    if (need <= capacity) {
      for (const entry of this.#lru.values()) {
        if (this.#leases.countFor(entry.objectId) > 0) continue;
        victims.push(entry);
        freed += entry.reserved;
        if (this.#bytes - freed + need <= capacity) break;
      }
    }
    if (this.#bytes - freed + need > capacity) {
      throw new PackIceError(
        'OUT_OF_CAPACITY',
        `${need} more bytes do not fit: ${this.#bytes} of ${capacity} bytes are used and leased objects cannot be evicted`,
      );
    }
    return Promise.all(victims.map((victim) => this.#remove(victim, 'evicted'))).then(() => undefined);
  }

  #liveLease(leaseId: string): Lease {
    const lease = this.#leases.get(this.#leaseIdArg(leaseId));
    if (!lease) throw new PackIceError('LEASE_NOT_FOUND', `lease ${leaseId} is unknown, released or expired`);
    if (lease.expiresAt <= this.#clock.now()) {
      void this.#endLease(lease, 'expired');
      throw new PackIceError('LEASE_NOT_FOUND', `lease ${leaseId} expired`);
    }
    return lease;
  }

  #leaseIdArg(leaseId: unknown): string {
    if (typeof leaseId !== 'string' || leaseId.length === 0 || leaseId.length > 128) {
      throw new PackIceError('BAD_REQUEST', 'lease_id must be a non-empty string');
    }
    return leaseId;
  }

  #visible(objectId: string): Entry {
    const entry = this.#objects.get(objectId);
    if (!entry || entry.pendingDelete) throw new PackIceError('NOT_FOUND', `object ${objectId} not found`);
    return entry;
  }

  #snapshot(entry: Entry): ObjectInfo {
    const sizes =
      entry.sealedSizes ?? (entry.ready ? entry.blobs.map((b) => b.size) : entry.hints.map((h) => h ?? 0));
    return {
      objectId: entry.objectId,
      state: entry.state,
      size: sum(sizes),
      meta: entry.meta,
      createdAt: entry.createdAt,
      sealedAt: entry.sealedAt,
      blobs: sizes.map((size) => ({ size })),
    };
  }
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

/**
 * Makes a Peer over a storage backend (PROTOCOL.md, "Semantics"). The Peer opens the storage on
 * `start()` (or its first operation) and closes it on `close()`.
 */
export function createPeer(options: PeerOptions): Peer {
  validatePeerOptions(options);
  return new PeerImpl(options);
}

function validatePeerOptions(options: PeerOptions): void {
  if (typeof options !== 'object' || options === null || typeof options.storage?.createBlobs !== 'function') {
    throw new PackIceError('BAD_REQUEST', 'createPeer needs { storage } implementing BlobStore');
  }
  const positive = (value: unknown, name: string, allowNull = false): void => {
    if (value === undefined || (allowNull && value === null)) return;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
      throw new PackIceError('BAD_REQUEST', `${name} must be a positive integer`);
    }
  };
  positive(options.capacityBytes, 'capacityBytes', true);
  positive(options.defaultTtlMs, 'defaultTtlMs');
  positive(options.maxTtlMs, 'maxTtlMs');
  positive(options.maxBlobs, 'maxBlobs');
  const maxTtl = options.maxTtlMs ?? PEER_DEFAULTS.maxTtlMs;
  if ((options.defaultTtlMs ?? PEER_DEFAULTS.defaultTtlMs) > maxTtl) {
    throw new PackIceError('BAD_REQUEST', 'defaultTtlMs must not exceed maxTtlMs');
  }
}
