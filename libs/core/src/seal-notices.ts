/**
 * Reads waiting for a seal that another node announces (scale-out): each waits for a notice of
 * its object, its deadline, or its signal.
 */
export class SealNotices {
  readonly #waiting = new Map<string, Set<() => void>>();

  /** Resolves at a notice for the object or after `ms`; rejects with the signal's reason on abort. */
  wait(objectId: string, ms: number, signal?: AbortSignal): { promise: Promise<void>; cancel(): void } {
    let cancel = (): void => undefined;
    const promise = new Promise<void>((resolve, reject) => {
      const set = this.#waiting.get(objectId) ?? new Set();
      this.#waiting.set(objectId, set);
      const done = (): void => {
        cancel();
        resolve();
      };
      const onAbort = (): void => {
        cancel();
        reject(signal?.reason);
      };
      const timer = setTimeout(done, ms);
      set.add(done);
      signal?.addEventListener('abort', onAbort, { once: true });
      cancel = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0 && this.#waiting.get(objectId) === set) this.#waiting.delete(objectId);
        signal?.removeEventListener('abort', onAbort);
      };
    });
    promise.catch(() => undefined);
    return { promise, cancel: () => cancel() };
  }

  /** Wakes the reads waiting for this object. */
  wake(objectId: string): void {
    for (const done of [...(this.#waiting.get(objectId) ?? [])]) done();
  }

  /** Wakes every waiting read (closing). */
  wakeAll(): void {
    for (const done of [...this.#waiting.values()].flatMap((set) => [...set])) done();
  }
}
