import type { Clock, ClockTimer } from '../clock';

/**
 * One timer for all leases, armed at the soonest expiry: a lease granted or renewed re-arms it
 * only when it ends sooner than the one armed (with the usual one TTL, never). A lease that ends
 * early leaves the timer as it is; it then fires with nothing due and re-arms at the next expiry.
 * One timer per lease cost a timer set and cleared on every read cycle.
 */
export class LeaseTimers {
  readonly #clock: Clock;
  readonly #nextDue: () => number | undefined;
  readonly #onDue: () => void;
  #timer: ClockTimer | null = null;
  #armedAt = Infinity;

  /**
   * @param nextDue the soonest `expiresAt` of the leases held, if any
   * @param onDue ends every lease due now
   */
  constructor(clock: Clock, nextDue: () => number | undefined, onDue: () => void) {
    this.#clock = clock;
    this.#nextDue = nextDue;
    this.#onDue = onDue;
  }

  /** A lease now ends at `expiresAt` (granted or renewed). */
  arm(expiresAt: number): void {
    if (this.#timer && expiresAt >= this.#armedAt) return;
    this.#timer?.cancel();
    this.#armedAt = expiresAt;
    this.#timer = this.#clock.setTimeout(() => this.#fire(), Math.max(expiresAt - this.#clock.now(), 0));
  }

  cancelAll(): void {
    this.#timer?.cancel();
    this.#timer = null;
    this.#armedAt = Infinity;
  }

  #fire(): void {
    this.#timer = null;
    this.#armedAt = Infinity;
    this.#onDue();
    const next = this.#nextDue();
    if (next !== undefined) this.arm(next);
  }
}
