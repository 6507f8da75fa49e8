import type { ListPage } from '../select-page';
import type { Blob, BlobStore } from '../blob';
import type { Clock } from '../clock';
import type { LeaseStore } from '../lease-store';
import type { Access, LeaseInfo, LeaseHolder, ObjectInfo, PeerStats } from '../model';
import type { TypedEmitter } from '../typed-emitter';

/**
 * The blobs of a create: a count, or one entry per blob with a size hint or the blob's bytes
 * (`data`, whose length is then the size).
 */
export type BlobSpec = number | readonly { size?: number; data?: Uint8Array }[];

/** The parameters of `acquire` (docs/protocol.md's `acquire` op, camelCased). */
export interface AcquireRequest {
  intent: Access;
  /** Required to read; generated (UUID v4) when a create omits it. */
  objectId?: string;
  /** Lease time to live; default the Peer's `defaultTtlMs`. */
  ttlMs?: number;
  /** Read only: how long to wait for the object to exist and be sealed; 0 = answer at once. */
  timeoutMs?: number;
  /** Create only: a count of blobs (default 1) or a size hint per blob. */
  blobs?: BlobSpec;
  /** Create only: flat string-to-string metadata. */
  meta?: Record<string, string>;
  /** Create only: seal at once (with the bytes `blobs` carries), in the same step. */
  seal?: boolean;
}

/** Per-call context of `acquire`: who asks, and how to stop waiting. */
export interface AcquireContext {
  /** Recorded on the lease; default `{ transport: 'direct' }`. */
  holder?: LeaseHolder;
  /** Aborting rejects a waiting read acquire with the signal's reason. */
  signal?: AbortSignal;
}

/** The answer to `acquire`: the lease and the object, whose blobs expose handles. */
export interface AcquireResult {
  lease: LeaseInfo;
  object: ObjectInfo<Blob>;
}

/** What `delete` did: removed now, or pending until the last lease ends. */
export interface DeleteResult {
  deleted: boolean;
  pending: boolean;
}

/** Why a lease ended. */
export type LeaseEndReason = 'released' | 'expired' | 'closed';

/** Why an object went away. */
export type DeleteReason = 'deleted' | 'aborted' | 'evicted';

/** Events of a Peer, for subscriptions. A misspelled event name does not compile. */
export interface PeerEvents {
  seal: { object: ObjectInfo };
  delete: { objectId: string; reason: DeleteReason; size: number };
  evict: { objectId: string; size: number };
  'lease-end': { lease: LeaseInfo; reason: LeaseEndReason };
}

/**
 * The node's object and lease logic, independent of transports. Every method rejects with
 * `PackIceError` codes; each lists its own. After `close()` everything rejects `SHUTTING_DOWN`.
 */
export interface Peer extends AsyncDisposable {
  /** The storage backend's name (`mem`, `fs`, ...). */
  readonly storageName: string;
  /** Seal, delete, evict and lease-end events. */
  readonly events: TypedEmitter<PeerEvents>;
  /** Opens the storage and loads the objects it recovers. Called by the first operation if not before. */
  start(): Promise<void>;
  /**
   * Creates an object (intent `create`) or gets read access to a sealed one (intent `read`).
   * Throws `BAD_REQUEST`, `INVALID_ID`, `ALREADY_EXISTS`, `NOT_FOUND`, `NOT_SEALED`, `TIMEOUT`,
   * `OUT_OF_CAPACITY`; an aborted wait rejects with the signal's reason.
   */
  acquire(request: AcquireRequest, context?: AcquireContext): Promise<AcquireResult>;
  /**
   * Seals the object of a create lease and wakes its waiting readers.
   * Throws `LEASE_NOT_FOUND`, `WRONG_ACCESS`, `ALREADY_SEALED`, `OUT_OF_CAPACITY`.
   */
  seal(leaseId: string): Promise<ObjectInfo>;
  /**
   * A live lease with its object and blobs, for data planes that serve a lease's bytes later
   * (HTTP). Throws `BAD_REQUEST`, `LEASE_NOT_FOUND`.
   */
  openLease(leaseId: string): Promise<AcquireResult>;
  /** Ends a lease; an unsealed create is aborted. Throws `LEASE_NOT_FOUND`. */
  release(leaseId: string): Promise<void>;
  /** Extends a lease by `ttlMs` (default its own) from now. Throws `LEASE_NOT_FOUND`, `BAD_REQUEST`. */
  renew(leaseId: string, ttlMs?: number): Promise<LeaseInfo>;
  /** Deletes now, or when the last lease ends. Throws `INVALID_ID`, `NOT_FOUND`. */
  delete(objectId: string): Promise<DeleteResult>;
  /** Throws `INVALID_ID`, `NOT_FOUND`. */
  stat(objectId: string): Promise<ObjectInfo>;
  /** Every visible object; with a `page`, those after `page.after` in id order, at most `page.limit`. */
  listObjects(page?: ListPage): Promise<ObjectInfo[]>;
  /** Every lease (or one object's); with `after` or `limit`, a page of them in lease id order. */
  listLeases(filter?: { objectId?: string } & ListPage): Promise<LeaseInfo[]>;
  stats(): Promise<PeerStats>;
  /**
   * Takes in a sealed object that another node stored in shared storage (`BlobStore.load`), so
   * this Peer can lease it; resolves with it (or with the object already known), or null when the
   * storage does not hold it whole. `BAD_REQUEST` where the storage is not shared.
   */
  adopt(objectId: string): Promise<ObjectInfo | null>;
  /**
   * Forgets an object without removing its storage (another node removes it); its blobs'
   * descriptors are closed. Nothing when unknown. `BAD_REQUEST` while this Peer holds leases on it.
   */
  drop(objectId: string): Promise<void>;
  /**
   * Stops taking work, rejects waiting reads with `SHUTTING_DOWN`, waits for operations under
   * way, aborts unsealed creates, ends every lease and closes the storage. Idempotent.
   */
  close(): Promise<void>;
}

/** Options of `createPeer`. */
export interface PeerOptions {
  /** The storage backend. The Peer opens it, and closes it on `close()`. */
  storage: BlobStore;
  /** Where leases live; default the heap lease store (`createHeapLeaseStore`). */
  leaseStore?: LeaseStore;
  /** Default the system clock. */
  clock?: Clock;
  /** Bytes the objects may take; `null` (default) for no limit. */
  capacityBytes?: number | null;
  /** Lease TTL when a request names none. */
  defaultTtlMs?: number;
  /** Longest TTL a request may ask for. */
  maxTtlMs?: number;
  /** Most blobs one object may have. */
  maxBlobs?: number;
  /** The process's descriptor use, for `stats` (the node app gives it; pure logic cannot read it). */
  descriptors?: () => { inUse: number; limit: number };
}
