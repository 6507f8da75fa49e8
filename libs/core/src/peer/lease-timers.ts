import type { Clock, ClockTimer } from '../clock';
import type { LeaseInfo } from '../model';

/** One timer per lease, firing at its `expiresAt`. */
export class LeaseTimers {
  readonly #clock: Clock;
  readonly #timers = new Map<string, ClockTimer>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** (Re)arms the lease's timer; `onDue` runs at its `expiresAt`. */
  arm(lease: LeaseInfo, onDue: () => void): void {
    this.#timers.get(lease.leaseId)?.cancel();
    const timer = this.#clock.setTimeout(
      () => {
        this.#timers.delete(lease.leaseId);
        onDue();
      },
      Math.max(lease.expiresAt - this.#clock.now(), 0),
    );
    this.#timers.set(lease.leaseId, timer);
  }

  cancel(leaseId: string): void {
    this.#timers.get(leaseId)?.cancel();
    this.#timers.delete(leaseId);
  }

  cancelAll(): void {
    for (const timer of this.#timers.values()) timer.cancel();
    this.#timers.clear();
  }
}
