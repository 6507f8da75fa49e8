import type { AcquireRequest, Blob, DeleteResult, Lease, ObjectInfo, PeerStats } from '@packice/core';

/** How a lease reaches one blob's bytes, once the transport has done its part. */
export type BlobAccess =
  | { kind: 'fd'; fd: number } // a descriptor the Lease owns and closes
  | { kind: 'path'; path: string }
  | { kind: 'url'; leaseId: string; index: number }
  | { kind: 'blob'; blob: Blob }; // in-process: the storage's own blob

/** What `acquire` gives a Client, whatever the transport. */
export interface AcquiredLease {
  lease: Lease;
  object: ObjectInfo;
  access: BlobAccess[];
}

/** The operations a Client needs, implemented once per kind of target. */
export interface ClientTransport {
  readonly kind: 'direct' | 'uds' | 'http';
  acquire(request: AcquireRequest, signal?: AbortSignal): Promise<AcquiredLease>;
  seal(leaseId: string): Promise<ObjectInfo>;
  release(leaseId: string): Promise<void>;
  renew(leaseId: string, ttlMs?: number): Promise<Lease>;
  delete(objectId: string): Promise<DeleteResult>;
  stat(objectId: string): Promise<ObjectInfo>;
  listObjects(): Promise<ObjectInfo[]>;
  listLeases(filter?: { objectId?: string }): Promise<Lease[]>;
  stats(): Promise<PeerStats>;
  /** The peer's storage backend (`mem`, `fs`, ...). */
  storage(): Promise<string>;
  /** Writes a whole blob through the transport (HTTP data plane). */
  putBlob?(leaseId: string, index: number, data: Uint8Array | AsyncIterable<Uint8Array>): Promise<number>;
  /** Streams a blob's bytes `start` to `end` (inclusive) through the transport (HTTP data plane). */
  streamBlob?(leaseId: string, index: number, range: { start?: number; end?: number }): Promise<AsyncIterable<Uint8Array>>;
  close(): Promise<void>;
}
