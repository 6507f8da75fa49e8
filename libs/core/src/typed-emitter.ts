import { EventEmitter } from 'node:events';

/** A Node EventEmitter whose events and payloads are typed by `E` (event name to payload). */
export class TypedEmitter<E extends object> {
  readonly #emitter = new EventEmitter();

  /** Calls `listener` for every `event`; returns a function that removes it. */
  on<K extends keyof E & string>(event: K, listener: (payload: E[K]) => void): () => void {
    this.#emitter.on(event, listener);
    return () => this.#emitter.off(event, listener);
  }

  /** Calls `listener` for the next `event` only. */
  once<K extends keyof E & string>(event: K, listener: (payload: E[K]) => void): () => void {
    this.#emitter.once(event, listener);
    return () => this.#emitter.off(event, listener);
  }

  off<K extends keyof E & string>(event: K, listener: (payload: E[K]) => void): void {
    this.#emitter.off(event, listener);
  }

  /** Emits `event`; a throwing listener does not stop the others nor the emitter's caller. */
  emit<K extends keyof E & string>(event: K, payload: E[K]): void {
    for (const listener of this.#emitter.rawListeners(event)) {
      try {
        (listener as (p: E[K]) => void)(payload);
      } catch (err) {
        process.emitWarning(`PackIce ${event} listener threw: ${String(err)}`);
      }
    }
  }

  listenerCount<K extends keyof E & string>(event: K): number {
    return this.#emitter.listenerCount(event);
  }
}
