/** What a lease allows: create (write, then seal) or read. */
export type Access = 'create' | 'read';

/** An object's state: `creating` then `sealed`, never back. */
export type ObjectState = 'creating' | 'sealed';

/** Who holds a lease, as far as the node knows; `node` names the node it holds it through (scale-out). */
export type LeaseHolder = (
  { transport: 'uds'; pid: number; uid: number } | { transport: 'http'; remote: string } | { transport: 'direct' }
) & { node?: string };

/** A lease: the right to use one object for a while (docs/protocol.md, "Model"). */
export interface LeaseInfo {
  /** Opaque id; knowing it is the capability to use the lease. */
  readonly leaseId: string;
  /** The object's id (a string, never a reference to the object). */
  readonly objectId: string;
  readonly access: Access;
  /** The time to live the lease was granted or last renewed with. */
  readonly ttlMs: number;
  /** Milliseconds since the epoch at which the lease ends unless renewed. */
  readonly expiresAt: number;
  readonly holder: LeaseHolder;
}

/** What is known of one blob without a handle. */
export interface BlobInfo {
  /** Size in bytes (the size hint until sealed, then the final size). */
  readonly size: number;
}

/** A snapshot of an object (docs/protocol.md, "Model"); `B` is the blob type it carries. */
export interface ObjectInfo<B extends BlobInfo = BlobInfo> {
  readonly objectId: string;
  readonly state: ObjectState;
  /** Sum of the blobs' sizes. */
  readonly size: number;
  /** Flat string-to-string map given at create. */
  readonly meta: Readonly<Record<string, string>>;
  readonly createdAt: number;
  /** When it was sealed; `null` while creating. */
  readonly sealedAt: number | null;
  readonly blobs: readonly B[];
}

/** Counters of a Peer (the `stats` op). */
export interface PeerStats {
  /** Objects visible to clients (not pending delete). */
  readonly objects: number;
  readonly leases: number;
  /**
   * Bytes every object holds in storage, hints of unsealed ones included, in the storage's whole
   * allocation units (pages, blocks).
   */
  readonly bytes: number;
  /** Capacity in bytes, `null` when none is set. */
  readonly capacity: number | null;
  readonly evictions: number;
  readonly uptimeMs: number;
  /** Bytes the storage has allocated that no object uses (free slab slots), when it has such. */
  readonly spareBytes?: number;
  /** Descriptors the node's process has open, when the node reports it. */
  readonly fdsInUse?: number;
  /** The process's descriptor limit (soft `RLIMIT_NOFILE`), when the node reports it. */
  readonly fdsLimit?: number;
}
