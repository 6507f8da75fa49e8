import type { ListPage } from '../select-page';
import { isPaged, selectPage } from '../select-page';
import type { BlobStore } from '../blob';
import type { Clock } from '../clock';
import { systemClock } from '../clock';
import { attempt } from './attempt';
import { PackIceError } from '../errors';
import { assertObjectId, newObjectId } from '../ids';
import { LeaseBook } from './lease-book';
import { createHeapLeaseStore } from '../heap-lease-store';
import type { Access, LeaseInfo, LeaseHolder, ObjectInfo, PeerStats } from '../model';
import { ObjectLifecycle } from './object-lifecycle';
import { snapshot, type ObjectEntry } from './object-table';
import type {
  AcquireContext,
  AcquireRequest,
  AcquireResult,
  DeleteResult,
  Peer,
  PeerEvents,
  PeerOptions,
} from './peer';
import { PEER_DEFAULTS, validatePeerOptions } from './peer-options';
import { TypedEmitter } from '../typed-emitter';
import { parseAcquireRequest, parseTtl, type ParsedAcquire } from './validate';

const shuttingDown = (): PackIceError => new PackIceError('SHUTTING_DOWN', 'the node is shutting down');

/** The Peer: public operations over the object lifecycle and the lease book, tracked for close(). */
class PeerImpl implements Peer {
  readonly events = new TypedEmitter<PeerEvents>();
  readonly #storage: BlobStore;
  readonly #clock: Clock;
  readonly #limits: { defaultTtlMs: number; maxTtlMs: number; maxBlobs: number };
  readonly #objects: ObjectLifecycle;
  readonly #leases: LeaseBook;
  readonly #inflight = new Set<Promise<unknown>>();
  readonly #startedAt: number;
  readonly #descriptors: PeerOptions['descriptors'];
  #starting: Promise<void> | null = null;
  #started = false;
  #closing: Promise<void> | null = null;

  constructor(options: PeerOptions) {
    this.#storage = options.storage;
    this.#clock = options.clock ?? systemClock;
    this.#limits = {
      defaultTtlMs: options.defaultTtlMs ?? PEER_DEFAULTS.defaultTtlMs,
      maxTtlMs: options.maxTtlMs ?? PEER_DEFAULTS.maxTtlMs,
      maxBlobs: options.maxBlobs ?? PEER_DEFAULTS.maxBlobs,
    };
    const store = options.leaseStore ?? createHeapLeaseStore();
    this.#leases = new LeaseBook(store, this.#clock, this.events, (lease) => this.#objects.leaseEnded(lease));
    this.#objects = new ObjectLifecycle({
      storage: this.#storage,
      clock: this.#clock,
      events: this.events,
      capacityBytes: options.capacityBytes ?? PEER_DEFAULTS.capacityBytes,
      leaseCount: (objectId) => store.countFor(objectId),
    });
    this.#startedAt = this.#clock.now();
    this.#descriptors = options.descriptors;
  }

  get storageName(): string {
    return this.#storage.name;
  }

  start(): Promise<void> {
    this.#starting ??= this.#objects.recover().then(() => {
      this.#started = true;
    });
    return this.#starting;
  }

  acquire(request: AcquireRequest, context: AcquireContext = {}): Promise<AcquireResult> {
    return this.#run(() => {
      const parsed = parseAcquireRequest(request, this.#limits);
      const holder = context.holder ?? { transport: 'direct' };
      return parsed.intent === 'create' ? this.#create(parsed, holder) : this.#read(parsed, holder, context.signal);
    });
  }

  seal(leaseId: string): Promise<ObjectInfo> {
    return this.#run(() => {
      const lease = this.#leases.live(leaseId);
      if (lease.access !== 'create') {
        throw new PackIceError('WRONG_ACCESS', `lease ${leaseId} is a read lease; only the create lease may seal`);
      }
      return this.#objects.seal(this.#entryOf(lease));
    });
  }

  openLease(leaseId: string): Promise<AcquireResult> {
    return this.#run(() => {
      const lease = this.#leases.live(leaseId);
      const entry = this.#entryOf(lease);
      return { lease, object: { ...snapshot(entry), blobs: entry.blobs } };
    });
  }

  release(leaseId: string): Promise<void> {
    return this.#run(() => this.#leases.release(leaseId));
  }

  renew(leaseId: string, ttlMs?: number): Promise<LeaseInfo> {
    return this.#run(() => this.#leases.renew(leaseId, parseTtl(ttlMs, 'ttl_ms', undefined, this.#limits.maxTtlMs)));
  }

  delete(objectId: string): Promise<DeleteResult> {
    return this.#run(() => {
      assertObjectId(objectId);
      return this.#objects.delete(objectId);
    });
  }

  stat(objectId: string): Promise<ObjectInfo> {
    return this.#run(() => {
      assertObjectId(objectId);
      return snapshot(this.#objects.objects.visible(objectId));
    });
  }

  listObjects(page?: ListPage): Promise<ObjectInfo[]> {
    return this.#run(() => {
      const { objects } = this.#objects;
      // A page snapshots only the objects it holds.
      return (page ? selectPage(objects.listVisible(), (e) => e.objectId, page) : objects.listVisible()).map(snapshot);
    });
  }

  listLeases(filter: { objectId?: string } & ListPage = {}): Promise<LeaseInfo[]> {
    return this.#run(() => {
      if (filter.objectId !== undefined) assertObjectId(filter.objectId);
      const leases = this.#leases.list(filter.objectId === undefined ? {} : { objectId: filter.objectId });
      return isPaged(filter) ? selectPage(leases, (l) => l.leaseId, filter) : leases;
    });
  }

  stats(): Promise<PeerStats> {
    return this.#run(() => {
      const { capacity, objects } = this.#objects;
      const stats: PeerStats = {
        objects: objects.countVisible(),
        leases: this.#leases.size,
        bytes: capacity.bytes,
        capacity: capacity.limit,
        evictions: capacity.evictions,
        uptimeMs: this.#clock.now() - this.#startedAt,
      };
      const spare = this.#storage.spareBytes;
      if (spare !== undefined) Object.assign(stats, { spareBytes: spare });
      const fds = this.#descriptors?.();
      return fds ? { ...stats, fdsInUse: fds.inUse, fdsLimit: fds.limit } : stats;
    });
  }

  adopt(objectId: string): Promise<ObjectInfo | null> {
    return this.#run(async () => {
      assertObjectId(objectId);
      const known = this.#objects.objects.get(objectId);
      if (known?.state === 'sealed') return snapshot(known);
      if (known) throw new PackIceError('ALREADY_EXISTS', `object ${objectId} is being created here`);
      if (!this.#storage.load) throw new PackIceError('BAD_REQUEST', `${this.#storage.name} storage is not shared`);
      const found = await this.#storage.load(objectId);
      if (!found) return null;
      // Another adopt of the same id may have finished while this one read the storage.
      const raced = this.#objects.objects.get(objectId);
      if (raced) {
        await Promise.all(found.blobs.map((b) => b.dispose()));
        return snapshot(raced);
      }
      const entry = this.#objects.take(found);
      this.#objects.waiters.wake(objectId);
      return snapshot(entry);
    });
  }

  drop(objectId: string): Promise<void> {
    return this.#run(async () => {
      const entry = this.#objects.objects.get(objectId);
      if (!entry) return;
      if (this.#leases.countFor(objectId) > 0) {
        throw new PackIceError('BAD_REQUEST', `object ${objectId} still has leases on this node`);
      }
      await this.#objects.drop(entry);
    });
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#objects.waiters.failAll(shuttingDown());
      while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
      await this.#leases.endAll('closed');
      await this.#objects.settled();
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

  // Every public operation: refused once closing, after start (at once once started, not a
  // microtask turn later), and tracked so close() waits.
  #run<T>(fn: () => T | Promise<T>): Promise<T> {
    const op = this.#started && !this.#closing ? attempt(fn) : this.#afterStart(fn);
    this.#inflight.add(op);
    const untrack = (): boolean => this.#inflight.delete(op);
    op.then(untrack, untrack);
    return op;
  }

  async #afterStart<T>(fn: () => T | Promise<T>): Promise<T> {
    if (this.#closing) throw shuttingDown();
    await this.start();
    if (this.#closing) throw shuttingDown();
    return fn();
  }

  async #create(req: ParsedAcquire, holder: LeaseHolder): Promise<AcquireResult> {
    const entry = await this.#objects.create(req.objectId ?? newObjectId(), req.hints, req.meta, req.contents);
    if (this.#closing) {
      await this.#objects.remove(entry, 'aborted');
      throw shuttingDown();
    }
    const granted = this.#grant(entry, 'create', req.ttlMs, holder);
    if (!req.seal) return granted;
    try {
      await this.#objects.seal(entry);
    } catch (err) {
      await this.#leases.release(granted.lease.leaseId).catch(() => undefined);
      throw err;
    }
    return { lease: granted.lease, object: { ...snapshot(entry), blobs: entry.blobs } };
  }

  #read(req: ParsedAcquire, holder: LeaseHolder, signal: AbortSignal | undefined): Promise<AcquireResult> {
    const objectId = req.objectId as string;
    const entry = this.#objects.objects.get(objectId);
    const visible = entry && !entry.pendingDelete ? entry : undefined;
    if (visible?.state === 'sealed') {
      const grant = () => this.#grant(visible, 'read', req.ttlMs, holder);
      return this.#needsPrepare(visible) ? this.#readable(visible, grant) : Promise.resolve(grant());
    }
    if (req.timeoutMs === 0) {
      if (visible) throw new PackIceError('NOT_SEALED', `object ${objectId} is not sealed yet`);
      throw new PackIceError('NOT_FOUND', `object ${objectId} not found`);
    }
    return this.#objects.waiters
      .wait(objectId, req.timeoutMs, signal, () => {
        const sealed = this.#objects.objects.get(objectId);
        if (!sealed) throw new PackIceError('NOT_FOUND', `object ${objectId} not found`);
        const grant = () => this.#grant(sealed, 'read', req.ttlMs, holder);
        // Granted at the wake itself unless the storage must first fetch a blob.
        return this.#needsPrepare(sealed) ? this.#readable(sealed, grant) : grant();
      })
      .then((granted) => granted);
  }

  #needsPrepare(entry: ObjectEntry): boolean {
    return entry.blobs.some((b) => b.prepare !== undefined);
  }

  /** Grants once every blob is readable here (a storage may first fetch a blob: `Blob.prepare`). */
  #readable(entry: ObjectEntry, grant: () => AcquireResult): Promise<AcquireResult> {
    const pending = entry.blobs.map((b) => b.prepare?.()).filter((p) => p !== undefined);
    if (pending.length === 0) return Promise.resolve(grant());
    return Promise.all(pending).then(() => {
      if (this.#objects.objects.get(entry.objectId) !== entry || entry.pendingDelete)
        throw new PackIceError('NOT_FOUND', `object ${entry.objectId} not found`);
      return grant();
    });
  }

  #grant(entry: ObjectEntry, access: Access, ttlMs: number, holder: LeaseHolder): AcquireResult {
    const lease = this.#leases.grant(entry.objectId, access, ttlMs, holder);
    if (entry.state === 'sealed' && !entry.pendingDelete) this.#objects.capacity.touch(entry);
    return { lease, object: { ...snapshot(entry), blobs: entry.blobs } };
  }

  #entryOf(lease: LeaseInfo): ObjectEntry {
    const entry = this.#objects.objects.get(lease.objectId);
    if (!entry) throw new PackIceError('LEASE_NOT_FOUND', `lease ${lease.leaseId} has no object`);
    return entry;
  }
}

/**
 * Makes a Peer over a storage backend (docs/protocol.md, "Semantics"). The Peer opens the storage
 * on `start()` (or its first operation) and closes it on `close()`.
 */
export function createPeer(options: PeerOptions): Peer {
  validatePeerOptions(options);
  return new PeerImpl(options);
}
