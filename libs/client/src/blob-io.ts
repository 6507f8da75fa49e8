import type { CallOptions } from '@packice/protocol';
import type { BlobFile } from './stream-blob-file';

/** A writable view handed out by `mapWritable()`, with the read-only descriptor that freezes it at seal. */
export interface WritableView {
  view: Buffer;
  freezeFd: number;
}

/**
 * How a Lease reaches one blob's bytes: one small strategy per kind of blob access (a
 * descriptor, a file path, an in-process blob, an HTTP data-plane URL) behind one interface.
 */
export interface BlobIo {
  /** The whole blob in a new Buffer (a copy). */
  read(options?: CallOptions): Promise<Buffer>;
  /** Replaces the blob's bytes; returns the bytes written. */
  write(bytes: Uint8Array, options?: CallOptions): Promise<number>;
  /** A view of a sealed blob: zero-copy where the blob maps, else a copy. `size`: its sealed size, when known. */
  map(options?: CallOptions, size?: number): Promise<Buffer>;
  /** The blob as a file (see `Lease.open`). */
  open(mode: 'r' | 'r+' | 'w'): Promise<BlobFile>;
  /** A writable view over the blob's shared memory (create lease, size hint needed). */
  mapWritable(): WritableView;
  /** Closes what this access owns (a received descriptor). Idempotent. */
  close(): void;
}
