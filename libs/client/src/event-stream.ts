import type { WatchEvent } from '@packice/protocol';
import { PackIceError } from '@packice/core';

/** Events a watch keeps for a consumer that reads slower than they come; past it, they are dropped and counted. */
const MAX_QUEUED_EVENTS = 100_000;

/**
 * An async iterator fed by pushes: what `Client.watch()` returns. It ends on `return()` (a
 * `break` in `for await`), `end()`, or an error; a slow consumer gets an `overflow` event in place
 * of what it could not keep.
 */
export class EventStream implements AsyncIterableIterator<WatchEvent> {
  readonly #queue: WatchEvent[] = [];
  #waiting: ((result: IteratorResult<WatchEvent>) => void) | null = null;
  #failing: ((err: unknown) => void) | null = null;
  #ended = false;
  #error: unknown = null;
  #dropped = 0;
  readonly #onEnd: () => Promise<void>;

  constructor(onEnd: () => Promise<void>) {
    this.#onEnd = onEnd;
  }

  /** Adds an event (ignored once ended). */
  push(event: WatchEvent): void {
    if (this.#ended) return;
    if (this.#waiting) {
      const resolve = this.#waiting;
      this.#waiting = this.#failing = null;
      return resolve({ value: event, done: false });
    }
    if (this.#queue.length >= MAX_QUEUED_EVENTS) {
      this.#dropped++;
      return;
    }
    if (this.#dropped > 0) {
      this.#queue.push({ event: 'overflow', dropped: this.#dropped, at: Date.now() });
      this.#dropped = 0;
    }
    this.#queue.push(event);
  }

  /** Ends the stream; with `error`, the consumer's next read rejects with it. */
  end(error: unknown = null): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    void this.#onEnd().catch(() => undefined);
    if (this.#waiting) {
      const [resolve, reject] = [this.#waiting, this.#failing];
      this.#waiting = this.#failing = null;
      if (error) reject?.(error);
      else resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<WatchEvent>> {
    const value = this.#queue.shift();
    if (value) return Promise.resolve({ value, done: false });
    if (this.#ended) {
      if (this.#error) {
        const error = this.#error;
        this.#error = null;
        return Promise.reject(error);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    if (this.#waiting) return Promise.reject(new PackIceError('BAD_REQUEST', 'one read at a time on an event stream'));
    return new Promise((resolve, reject) => {
      this.#waiting = resolve;
      this.#failing = reject;
    });
  }

  async return(): Promise<IteratorResult<WatchEvent>> {
    this.end();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
