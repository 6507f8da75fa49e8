import type { Access, BlobInfo, ObjectInfo } from './model';

/**
 * How a client reaches a blob's bytes. Storage gives `fd` or `path`; `in-process` means "use
 * the Blob's own read/write" (in-process peers); `url` is the absolute data-plane URL of a blob
 * that lives in another node's memory (scale-out). Transports add relative `url`s of their own.
 */
export type BlobHandle =
  | { readonly kind: 'fd'; readonly fd: number }
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'in-process' }
  | { readonly kind: 'url'; readonly url: string };

/**
 * One blob of an object, owned by its storage. Methods throw `PackIceError`:
 * `ALREADY_SEALED` for a write after seal, `OUT_OF_CAPACITY` when storage is full,
 * `INTERNAL` for I/O faults.
 */
export interface Blob extends BlobInfo {
  /** Position of the blob in its object. */
  readonly index: number;
  /** Current size in bytes (read from the storage, so writes through handles count). */
  readonly size: number;
  readonly sealed: boolean;
  /**
   * Bytes the blob holds in its storage (e.g. its slot in a shared slab), when that is not its
   * size in whole allocation units; what capacity and `stats.bytes` count once it is sealed.
   */
  readonly heldBytes?: number;
  /** Reads `length` bytes (default: to the end) from `position` (default 0). */
  read(position?: number, length?: number): Promise<Buffer>;
  /** Writes `data` at `position` (default: the current end); returns bytes written. */
  write(data: Uint8Array, position?: number): Promise<number>;
  /** Sets the size to `length` bytes (cuts, or extends with zeros). `ALREADY_SEALED` once sealed. */
  truncate(length: number): Promise<void>;
  /** Makes the bytes immutable (kernel seals, read-only files). Idempotent. */
  seal(): Promise<void>;
  /**
   * A handle for a lease of the given access, borrowed from the blob: the blob closes it at
   * dispose. Read handles exist only once sealed, and are read-only.
   */
  handle(access: Access): BlobHandle;
  /** Frees the blob's storage and descriptors. Idempotent. */
  dispose(): Promise<void>;
  /**
   * Makes a sealed blob readable here before a read lease is granted (e.g. fetches it from a
   * remote store into a local cache); `undefined` when it already is. Absent: always readable.
   */
  prepare?(): Promise<void> | undefined;
}

/** A sealed object a storage found when it opened (e.g. files left by an earlier node). */
export interface RecoveredObject {
  readonly info: Omit<ObjectInfo, 'blobs'>;
  readonly blobs: readonly Blob[];
}

/**
 * A storage backend: makes blobs, persists what must survive, recovers it. Backends are made by
 * factories (`createMemStorage`, `createFsStorage`); only the node app and `connect()` choose.
 */
export interface BlobStore {
  /** Short name of the backend, e.g. `mem` or `fs` (reported by `hello`). */
  readonly name: string;
  /**
   * Bytes the backend allocates at a time (memory pages for memfds, blocks for files), read after
   * `open()`. A blob then holds whole units, and at least one: that is what capacity counts.
   * Absent: sizes count as they are.
   */
  readonly allocationUnit?: number;
  /**
   * Bytes the storage has allocated that no object uses now (memory storage: free slab slots,
   * kept for the next small objects), reported by `stats`. Absent: none.
   */
  readonly spareBytes?: number;
  /**
   * Prepares the storage and returns the sealed objects it already holds; half-written objects
   * are removed. Called once, before anything else.
   */
  open(): Promise<RecoveredObject[]>;
  /**
   * Makes the blobs of a new object, preallocating each size hint. When the create carries its
   * bytes, `contents[i]` is written into blob `i` (its hint is then its length), and the storage
   * may keep them where a writer's descriptor could not reach (memory storage's slabs). All or
   * nothing: on failure nothing stays allocated. Throws `OUT_OF_CAPACITY` when a hint cannot be backed.
   */
  createBlobs(
    objectId: string,
    sizeHints: readonly (number | undefined)[],
    contents?: readonly (Uint8Array | undefined)[],
  ): Promise<Blob[]>;
  /**
   * A sealed object stored by another node sharing this storage (scale-out), or null when it is
   * not there (whole). Absent where storage is not shared.
   */
  load?(objectId: string): Promise<RecoveredObject | null>;
  /** Ids of every object the shared storage holds now, sealed or not (scale-out). */
  storedIds?(): Promise<string[]>;
  /** Records a sealed object durably (metadata), after its blobs are sealed. */
  commit(object: ObjectInfo<Blob>): Promise<void>;
  /**
   * Deletes an object's blobs and anything else stored for it. Idempotent. `reason` says why the
   * Peer let it go; a storage whose objects outlive the node (S3) keeps an evicted one's copy.
   */
  remove(objectId: string, blobs: readonly Blob[], reason?: 'deleted' | 'evicted' | 'aborted'): Promise<void>;
  /** Closes the storage; what is durable stays, descriptors are closed. Idempotent. */
  close(): Promise<void>;
}
