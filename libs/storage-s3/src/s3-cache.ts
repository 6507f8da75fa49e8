import { RecencyList } from '@packice/core';
import type { S3Blob } from './s3-blob';

/** Counters of the read-through cache. */
export interface S3CacheStats {
  hits: number;
  misses: number;
  bytesFetched: number;
  bytesCached: number;
  capacityBytes: number;
}

/**
 * The local copies of sealed S3 blobs, least recently used first, bounded by `capacityBytes`.
 * Dropping a copy is not an eviction of the object: the bucket keeps it.
 */
export class S3Cache {
  /** Cached blobs and their sizes, least recently used first. */
  readonly #entries = new RecencyList<S3Blob, number>();
  #bytes = 0;
  readonly counters = { hits: 0, misses: 0, bytesFetched: 0 };

  constructor(readonly capacityBytes: number) {}

  /** The blob's copy was used (moves to the most recent end). */
  hit(blob: S3Blob): void {
    const size = this.#entries.get(blob);
    if (size === undefined) return;
    this.counters.hits++;
    this.#entries.touch(blob, size);
  }

  /** A copy was made (fetched, or the object was just sealed here); drops the oldest to fit. */
  add(blob: S3Blob, fetched: boolean): void {
    if (this.#entries.has(blob)) return;
    if (fetched) {
      this.counters.misses++;
      this.counters.bytesFetched += blob.size;
    }
    this.#entries.touch(blob, blob.size);
    this.#bytes += blob.size;
    for (const [old, size] of this.#entries.entries()) {
      if (this.#bytes <= this.capacityBytes || old === blob) break;
      this.#entries.delete(old);
      this.#bytes -= size;
      void old.drop();
    }
  }

  forget(blob: S3Blob): void {
    const size = this.#entries.get(blob);
    if (size === undefined) return;
    this.#entries.delete(blob);
    this.#bytes -= size;
  }

  stats(): S3CacheStats {
    return { ...this.counters, bytesCached: this.#bytes, capacityBytes: this.capacityBytes };
  }
}
