import type { AcquireResult, Clock, ClockTimer } from '@packice/core';

interface Proxied {
  baseUrl: string;
  result: AcquireResult;
  timer: ClockTimer;
}

/**
 * Leases a node took at another node for its own clients (memory storage in a cluster): release
 * and renew through this node go to that node. Each is forgotten at its expiry.
 */
export class ProxiedLeases {
  readonly #leases = new Map<string, Proxied>();
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  get(leaseId: string): Omit<Proxied, 'timer'> | undefined {
    return this.#leases.get(leaseId);
  }

  /** Keeps (or renews) a lease taken at the node at `baseUrl`. */
  track(baseUrl: string, result: AcquireResult): void {
    const { leaseId, expiresAt } = result.lease;
    this.forget(leaseId);
    // The owner ends the lease at its expiry; this node forgets it then.
    const timer = this.#clock.setTimeout(
      () => this.forget(leaseId),
      Math.max(0, expiresAt - this.#clock.now()) + 1_000,
    );
    this.#leases.set(leaseId, { baseUrl, result, timer });
  }

  forget(leaseId: string): void {
    const proxied = this.#leases.get(leaseId);
    if (!proxied) return;
    proxied.timer.cancel();
    this.#leases.delete(leaseId);
  }

  /** Forgets every lease; returns them (to release at their nodes). */
  drain(): { leaseId: string; baseUrl: string }[] {
    const all = [...this.#leases.entries()].map(([leaseId, { baseUrl }]) => ({ leaseId, baseUrl }));
    for (const { leaseId } of all) this.forget(leaseId);
    return all;
  }
}
