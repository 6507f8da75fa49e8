import type { AcquireRequest, Blob, DeleteResult, LeaseInfo, ObjectInfo, PackIceError, PeerStats } from '@packice/core';
import type { NodeEvent, OverflowNotice } from '../wire/wire-shapes';

/** How a lease reaches one blob's bytes, once the transport has done its part. */
export type BlobAccess =
  | { kind: 'fd'; fd: number } // a descriptor the client's Lease owns and closes
  | { kind: 'path'; path: string }
  | { kind: 'url'; leaseId: string; index: number }
  | { kind: 'remote'; url: string } // another node's data plane (scale-out, memory storage): read-only
  | { kind: 'blob'; blob: Blob } // in-process: the storage's own blob
  | { kind: 'bytes'; data: Buffer }; // the bytes came with the answer (a small object): the Lease's own copy

/** What `acquire` gives a Client, whatever the transport. */
export interface AcquiredLease {
  lease: LeaseInfo;
  object: ObjectInfo;
  access: BlobAccess[];
}

/** Per-call options of every transport call that can wait. */
export interface CallOptions {
  /** Aborting rejects the call with the signal's reason (the node may still have acted). */
  signal?: AbortSignal;
}

/** A byte range of a blob, both ends inclusive. */
export interface BlobRange {
  start?: number;
  end?: number;
}

/**
 * The operations a Client needs, implemented once per binding (in-process, UDS, HTTP): the Peer's
 * own, camelCased, plus an acquire that says how each blob is reached, and the data plane where
 * there is one. Each rejects with the node's `PackIceError` codes, `UNAVAILABLE` when the node
 * cannot be reached, or the signal's reason.
 */
export interface ClientTransport {
  readonly kind: 'direct' | 'uds' | 'http';
  /**
   * Largest blob a create may carry in its own request (`blobs: [{ data }]` with `seal`), so that
   * `put()` of a small object is one round trip; 0 where the node does not take that (yet).
   */
  readonly bytesInCreateMax: number;
  /** Settles once the transport knows what the node takes (UDS: the `hello` answer); never rejects. */
  readonly ready?: Promise<void>;
  acquire(request: AcquireRequest, options?: CallOptions): Promise<AcquiredLease>;
  /**
   * Read leases on several objects in one round trip (UDS `acquire_many`), in the order given:
   * each a lease or the error that object got. Transports without it leave it out.
   */
  acquireMany?(
    objectIds: readonly string[],
    request: { ttlMs?: number; timeoutMs?: number },
    options?: CallOptions,
  ): Promise<(AcquiredLease | PackIceError)[]>;
  /**
   * Creates and seals a one-blob object from bytes of up to `bytesInCreateMax` in one request that
   * leaves no lease (UDS `put`); transports without it, or whose node lacks it, leave it out or
   * answer `null` (the caller then creates with `acquire`).
   */
  put?(
    request: { objectId?: string; meta?: Record<string, string>; data: Uint8Array },
    options?: CallOptions,
  ): Promise<ObjectInfo | null>;
  seal(leaseId: string, options?: CallOptions): Promise<ObjectInfo>;
  /** `defer`: the caller does not wait for the answer, so the release may ride on a later request. */
  release(leaseId: string, options?: CallOptions & { defer?: boolean }): Promise<void>;
  renew(leaseId: string, ttlMs?: number, options?: CallOptions): Promise<LeaseInfo>;
  delete(objectId: string, options?: CallOptions): Promise<DeleteResult>;
  stat(objectId: string, options?: CallOptions): Promise<ObjectInfo>;
  listObjects(options?: CallOptions): Promise<ObjectInfo[]>;
  listLeases(filter?: { objectId?: string }, options?: CallOptions): Promise<LeaseInfo[]>;
  stats(options?: CallOptions): Promise<PeerStats>;
  /** The peer's storage backend (`mem`, `fs`, ...). */
  storage(options?: CallOptions): Promise<string>;
  /** Writes a whole blob through the transport (HTTP data plane); resolves with its size. */
  putBlob?(
    leaseId: string,
    index: number,
    data: Uint8Array | AsyncIterable<Uint8Array>,
    options?: CallOptions,
  ): Promise<number>;
  /** Streams a blob's bytes through the transport (HTTP data plane). */
  streamBlob?(
    leaseId: string,
    index: number,
    range: BlobRange,
    options?: CallOptions,
  ): Promise<AsyncIterable<Uint8Array>>;
  /**
   * Subscribes to the node's events; `onEvent` gets each (wire form) until the handle is closed.
   * `ended` resolves once `close()` is done and rejects (`UNAVAILABLE`) when the node ends the
   * subscription itself: it shut down or the connection broke.
   */
  watch(
    options: { prefix?: string; replay?: boolean },
    onEvent: (event: NodeEvent | OverflowNotice) => void,
    callOptions?: CallOptions,
  ): Promise<WatchHandle>;
  /** Finishes what is under way, then closes. Idempotent. */
  close(): Promise<void>;
}

/** An open subscription of a {@link ClientTransport}. */
export interface WatchHandle {
  /** Ends the subscription. Idempotent. */
  close(): Promise<void>;
  /** Resolves after `close()`; rejects with the reason when the node ended the subscription. */
  readonly ended: Promise<void>;
}
