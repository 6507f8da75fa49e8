import type { Clock } from '../clock';
import { PackIceError } from '../errors';

interface Waiter {
  wake(): void;
  fail(err: unknown): void;
}

/** A wait for a seal that can be given up: `cancel()` removes its timer and listeners. */
export interface SealWait<T> {
  readonly promise: Promise<T>;
  cancel(): void;
}

/**
 * Reads waiting for objects to be sealed, by object id: the Peer's own waits, and a cluster
 * node's waits for seals other nodes announce. Timers go through the injected clock.
 */
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
    const timeout = (): never => {
      throw new PackIceError('TIMEOUT', `object ${objectId} was not sealed within ${timeoutMs} ms`);
    };
    return this.#add(objectId, timeoutMs, signal, onWake, timeout).promise;
  }

  /**
   * Resolves at the next {@link wake} of `objectId` or after `ms`, whichever comes first; rejects
   * with the signal's reason on abort, or what {@link failAll} is given. The caller looks again.
   */
  listen(objectId: string, ms: number, signal?: AbortSignal): SealWait<void> {
    const wait = this.#add(
      objectId,
      ms,
      signal,
      () => undefined,
      () => undefined,
    );
    wait.promise.catch(() => undefined);
    return wait;
  }

  /** Wakes every waiter of `objectId`. */
  wake(objectId: string): void {
    for (const waiter of [...(this.#byObject.get(objectId) ?? [])]) waiter.wake();
  }

  /** Rejects every waiter with `err`. */
  failAll(err: unknown): void {
    for (const set of [...this.#byObject.values()]) for (const waiter of [...set]) waiter.fail(err);
  }

  #add<T>(
    objectId: string,
    ms: number,
    signal: AbortSignal | undefined,
    onWake: () => T,
    onTimeout: () => T,
  ): SealWait<T> {
    let cancel = (): void => undefined;
    const promise = new Promise<T>((resolve, reject) => {
      signal?.throwIfAborted();
      let set = this.#byObject.get(objectId);
      if (!set) this.#byObject.set(objectId, (set = new Set()));
      const waiters = set;
      cancel = (): void => {
        timer.cancel();
        signal?.removeEventListener('abort', onAbort);
        waiters.delete(waiter);
        if (waiters.size === 0 && this.#byObject.get(objectId) === waiters) this.#byObject.delete(objectId);
      };
      const settle = (fn: () => T): void => {
        cancel();
        try {
          resolve(fn());
        } catch (err) {
          reject(err);
        }
      };
      const waiter: Waiter = {
        wake: () => settle(onWake),
        fail: (err) => {
          cancel();
          reject(err);
        },
      };
      const onAbort = (): void => waiter.fail(signal?.reason);
      const timer = this.#clock.setTimeout(() => settle(onTimeout), ms);
      signal?.addEventListener('abort', onAbort, { once: true });
      waiters.add(waiter);
    });
    return { promise, cancel: () => cancel() };
  }
}
