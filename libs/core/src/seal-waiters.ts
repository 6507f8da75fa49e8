import type { Clock } from './clock';
import { PackIceError } from './errors';

interface Waiter {
  wake(): void;
  fail(err: unknown): void;
}

/** Read acquires waiting for objects to be sealed, by object id. */
export class SealWaiters {
  readonly #clock: Clock;
  readonly #byObject = new Map<string, Set<Waiter>>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /**
   * Waits until {@link wake} for `objectId`, then resolves with what `onWake` gives. Rejects with
   * `TIMEOUT` after `timeoutMs`, the signal's reason on abort, or what {@link failAll} is given.
   */
  wait<T>(objectId: string, timeoutMs: number, signal: AbortSignal | undefined, onWake: () => T): Promise<T> {
    signal?.throwIfAborted();
    return new Promise<T>((resolve, reject) => {
      let set = this.#byObject.get(objectId);
      if (!set) this.#byObject.set(objectId, (set = new Set()));
      const waiters = set;
      const done = (): void => {
        timer.cancel();
        signal?.removeEventListener('abort', onAbort);
        waiters.delete(waiter);
        if (waiters.size === 0) this.#byObject.delete(objectId);
      };
      const waiter: Waiter = {
        wake: () => {
          done();
          try {
            resolve(onWake());
          } catch (err) {
            reject(err);
          }
        },
        fail: (err) => {
          done();
          reject(err);
        },
      };
      const onAbort = (): void => waiter.fail(signal?.reason);
      const timer = this.#clock.setTimeout(
        () => waiter.fail(new PackIceError('TIMEOUT', `object ${objectId} was not sealed within ${timeoutMs} ms`)),
        timeoutMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      waiters.add(waiter);
    });
  }

  /** Wakes every waiter of `objectId`. */
  wake(objectId: string): void {
    for (const waiter of [...(this.#byObject.get(objectId) ?? [])]) waiter.wake();
  }

  /** Rejects every waiter with `err`. */
  failAll(err: unknown): void {
    for (const set of [...this.#byObject.values()]) for (const waiter of [...set]) waiter.fail(err);
  }
}
