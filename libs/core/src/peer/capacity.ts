import { PackIceError } from '../errors';
import { RecencyList } from '../recency-list';
import type { ObjectEntry } from './object-table';

/**
 * Bytes held against a capacity, and the sealed objects that may be evicted to make room, least
 * recently used first. Pure bookkeeping: the Peer removes the victims it is given.
 */
export class Capacity {
  /** Capacity in bytes, `null` for none. */
  readonly limit: number | null;
  #bytes = 0;
  #evictions = 0;
  /** Sealed objects, least recently used first. */
  readonly #lru = new RecencyList<string, ObjectEntry>();

  constructor(limit: number | null) {
    this.limit = limit;
  }

  /** Bytes counted now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Objects evicted so far. */
  get evictions(): number {
    return this.#evictions;
  }

  /** Counts `delta` more bytes (negative to give them back). */
  add(delta: number): void {
    this.#bytes += delta;
  }

  /** Makes `entry` the most recently used evictable object. */
  touch(entry: ObjectEntry): void {
    this.#lru.touch(entry.objectId, entry);
  }

  /** No longer evictable (being deleted, or gone). */
  untrack(objectId: string): void {
    this.#lru.delete(objectId);
  }

  countEviction(): void {
    this.#evictions++;
  }

  /**
   * The least recently used objects that must go for `need` more bytes to fit (skipping those
   * `isLeased` says are held); all or nothing: `OUT_OF_CAPACITY` when even all of them would not do.
   */
  victimsFor(need: number, isLeased: (objectId: string) => boolean): ObjectEntry[] {
    const limit = this.limit;
    if (limit === null || this.#bytes + need <= limit) return [];
    const victims: ObjectEntry[] = [];
    let freed = 0;
    if (need <= limit) {
      for (const [, entry] of this.#lru.entries()) {
        if (isLeased(entry.objectId)) continue;
        victims.push(entry);
        freed += entry.reserved;
        if (this.#bytes - freed + need <= limit) break;
      }
    }
    if (this.#bytes - freed + need > limit) {
      throw new PackIceError(
        'OUT_OF_CAPACITY',
        `${need} more bytes do not fit: ${this.#bytes} of ${limit} bytes are used and leased objects cannot be evicted`,
      );
    }
    return victims;
  }
}
