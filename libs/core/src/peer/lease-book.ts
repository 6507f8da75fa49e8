import type { Clock } from '../clock';
import { PackIceError } from '../errors';
import { newLeaseId } from '../ids';
import type { LeaseStore } from '../lease-store';
import { LeaseTimers } from './lease-timers';
import type { Access, LeaseInfo, LeaseHolder } from '../model';
import type { LeaseEndReason, PeerEvents } from './peer';
import type { TypedEmitter } from '../typed-emitter';

/**
 * The Peer's leases: granted into the lease store, timed, renewed, ended. `onEnd` runs for each
 * ended lease (the object side: abort an unsealed create, finish a pending delete).
 */
export class LeaseBook {
  readonly #store: LeaseStore;
  readonly #clock: Clock;
  readonly #timers: LeaseTimers;
  readonly #events: TypedEmitter<PeerEvents>;
  readonly #onEnd: (lease: LeaseInfo) => Promise<void>;

  constructor(
    store: LeaseStore,
    clock: Clock,
    events: TypedEmitter<PeerEvents>,
    onEnd: (lease: LeaseInfo) => Promise<void>,
  ) {
    this.#store = store;
    this.#clock = clock;
    this.#timers = new LeaseTimers(
      clock,
      () => soonestExpiry(store),
      () => {
        for (const ended of store.expire(clock.now())) void this.end(ended, 'expired', false);
      },
    );
    this.#events = events;
    this.#onEnd = onEnd;
  }

  get size(): number {
    return this.#store.size;
  }

  countFor(objectId: string): number {
    return this.#store.countFor(objectId);
  }

  list(filter: { objectId?: string } = {}): LeaseInfo[] {
    return this.#store.list(filter);
  }

  /** A new lease on `objectId`, timed to end after `ttlMs`. */
  grant(objectId: string, access: Access, ttlMs: number, holder: LeaseHolder): LeaseInfo {
    const lease: LeaseInfo = Object.freeze({
      leaseId: newLeaseId(),
      objectId,
      access,
      ttlMs,
      expiresAt: this.#clock.now() + ttlMs,
      holder: Object.freeze({ ...holder }),
    });
    this.#put(lease);
    return lease;
  }

  /** The lease, if it is live. `BAD_REQUEST` for a malformed id, `LEASE_NOT_FOUND` otherwise. */
  live(leaseId: string): LeaseInfo {
    const lease = this.#store.get(leaseIdArg(leaseId));
    if (!lease) throw new PackIceError('LEASE_NOT_FOUND', `lease ${leaseId} is unknown, released or expired`);
    if (lease.expiresAt <= this.#clock.now()) {
      void this.end(lease, 'expired');
      throw new PackIceError('LEASE_NOT_FOUND', `lease ${leaseId} expired`);
    }
    return lease;
  }

  /** Ends a live lease. `LEASE_NOT_FOUND` when unknown or already expired (it is ended then too). */
  async release(leaseId: string): Promise<void> {
    const lease = this.#store.get(leaseIdArg(leaseId));
    if (!lease) throw new PackIceError('LEASE_NOT_FOUND', `lease ${leaseId} is unknown, released or expired`);
    if (lease.expiresAt <= this.#clock.now()) {
      await this.end(lease, 'expired');
      throw new PackIceError('LEASE_NOT_FOUND', `lease ${leaseId} expired`);
    }
    await this.end(lease, 'released');
  }

  /** Extends a live lease by `ttlMs` (default its own) from now. */
  renew(leaseId: string, ttlMs: number | undefined): LeaseInfo {
    const lease = this.live(leaseId);
    const ttl = ttlMs ?? lease.ttlMs;
    const renewed: LeaseInfo = Object.freeze({ ...lease, ttlMs: ttl, expiresAt: this.#clock.now() + ttl });
    this.#put(renewed);
    return renewed;
  }

  /** Ends a lease (once): forgets it, tells listeners, and runs `onEnd`. */
  end(lease: LeaseInfo, reason: LeaseEndReason, inStore = true): Promise<void> {
    if (inStore && !this.#store.delete(lease.leaseId)) return Promise.resolve();
    this.#events.emit('lease-end', { lease, reason });
    return this.#onEnd(lease);
  }

  /** Ends every lease (the Peer is closing) and stops the timers. */
  async endAll(reason: LeaseEndReason): Promise<void> {
    await Promise.allSettled(this.#store.list().map((lease) => this.end(lease, reason)));
    this.#timers.cancelAll();
  }

  #put(lease: LeaseInfo): void {
    this.#store.put(lease);
    this.#timers.arm(lease.expiresAt);
  }
}

/** The store's soonest expiry (a scan for stores that cannot tell it). */
function soonestExpiry(store: LeaseStore): number | undefined {
  if (store.nextExpiry) return store.nextExpiry();
  let soonest: number | undefined;
  for (const lease of store.list()) if (soonest === undefined || lease.expiresAt < soonest) soonest = lease.expiresAt;
  return soonest;
}

function leaseIdArg(leaseId: unknown): string {
  if (typeof leaseId !== 'string' || leaseId.length === 0 || leaseId.length > 128) {
    throw new PackIceError('BAD_REQUEST', 'lease_id must be a non-empty string');
  }
  return leaseId;
}
