import type { AcquireRequest, Blob, Lease, ObjectInfo, Peer } from '@packice/core';

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

/** The Peer operations a transport passes on unchanged (same names, same meaning, same codes). */
type PeerOperations = Pick<Peer, 'seal' | 'release' | 'renew' | 'delete' | 'stat' | 'listObjects' | 'listLeases' | 'stats'>;

/**
 * The operations a Client needs, implemented once per kind of target: the Peer's own, plus an
 * acquire that says how each blob is reached, and the data plane where there is one.
 */
export interface ClientTransport extends PeerOperations {
  readonly kind: 'direct' | 'uds' | 'http';
  acquire(request: AcquireRequest, signal?: AbortSignal): Promise<AcquiredLease>;
  /** The peer's storage backend (`mem`, `fs`, ...). */
  storage(): Promise<string>;
  /** Writes a whole blob through the transport (HTTP data plane). */
  putBlob?(leaseId: string, index: number, data: Uint8Array | AsyncIterable<Uint8Array>): Promise<number>;
  /** Streams a blob's bytes `start` to `end` (inclusive) through the transport (HTTP data plane). */
  streamBlob?(leaseId: string, index: number, range: { start?: number; end?: number }): Promise<AsyncIterable<Uint8Array>>;
  close(): Promise<void>;
}
