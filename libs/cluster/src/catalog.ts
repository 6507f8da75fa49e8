import type { LeaseInfo, ObjectInfo } from '@packice/core';

/** An object as a shared catalog records it: no blobs, only their sizes, and who is making it. */
export interface CatalogObject extends Omit<ObjectInfo, 'blobs'> {
  /** Size of each blob (hints while creating). */
  readonly blobSizes: readonly number[];
  /** Bytes counted against the shared capacity (whole allocation units). */
  readonly bytes: number;
  /** The node that holds the unsealed create, or that sealed it. */
  readonly node: string;
  /** Deleted, waiting for the last lease anywhere to end; invisible to new reads. */
  readonly deleting: boolean;
  /**
   * The HTTP base URL of the node that holds the bytes in its memory (memory storage), where other
   * nodes send reads; null when that node serves no HTTP, absent with shared storage.
   */
  readonly dataUrl?: string | null;
}

/** What a catalog says after a lease ended or a delete was asked. */
export type CatalogOutcome = 'kept' | 'pending' | 'deleted' | 'aborted';

/** A message between the nodes of a catalog. */
export type CatalogNotice =
  { type: 'sealed'; objectId: string } | { type: 'gone'; objectId: string; reason: 'deleted' | 'aborted' };

/**
 * The state nodes share when they serve one object space (scale-out): objects, their leases on
 * every node, the capacity used. Each method is one atomic step. Every method rejects with
 * `UNAVAILABLE` when the catalog cannot be reached in time; nothing is half done then.
 */
export interface Catalog {
  /**
   * Records a new object in state `creating`, made by `object.node`. `ALREADY_EXISTS` when the id
   * is taken (by any node); `OUT_OF_CAPACITY` when `object.bytes` does not fit `capacity`.
   */
  create(object: CatalogObject, capacity: number | null): Promise<void>;
  /**
   * Records the seal: final sizes, bytes (growth checked against `capacity`), creation and seal
   * times as the storage keeps them; tells every node. `NOT_FOUND` when the object is gone.
   */
  seal(
    objectId: string,
    sealed: { size: number; blobSizes: readonly number[]; bytes: number; createdAt: number; sealedAt: number },
    capacity: number | null,
  ): Promise<void>;
  /**
   * Records a sealed object found in shared storage, unless the id is known; an unsealed record
   * of the same node becomes sealed (its seal reached the storage, not the catalog). True if so.
   */
  register(object: CatalogObject): Promise<boolean>;
  /** Forgets an unsealed object whose create ended without a seal. */
  abort(objectId: string): Promise<void>;
  /**
   * Records a lease (with the node that holds it). `NOT_FOUND` when the object is gone or being
   * deleted, or (with `createdAt`) when the id now names another object than the one made then;
   * for a read lease, `NOT_SEALED` while it is creating.
   */
  addLease(lease: LeaseInfo, node: string, createdAt?: number): Promise<void>;
  /** Moves a lease's expiry. */
  renewLease(lease: LeaseInfo): Promise<void>;
  /** Forgets a lease; `deleted` when it was the last one on an object being deleted. */
  removeLease(lease: LeaseInfo, now: number): Promise<CatalogOutcome>;
  /** Deletes at once when no live lease anywhere holds it (`deleted`), else `pending`. `NOT_FOUND`. */
  delete(objectId: string, now: number): Promise<CatalogOutcome>;
  /**
   * Ends leases that expired (their node died or lost touch) and acts for them: unsealed creates
   * are `aborted`, objects being deleted whose last lease it was are `deleted`. Returns those
   * objects, so one node removes their storage.
   */
  sweep(now: number): Promise<{ objectId: string; outcome: 'aborted' | 'deleted' }[]>;
  /**
   * Says `node` is alive for `ttlMs` more (its heartbeat). False when the catalog had counted it
   * dead (or never saw it): it should then register again what it holds.
   */
  heartbeat?(node: string, ttlMs: number, now: number): Promise<boolean>;
  /**
   * Forgets the sealed objects kept in the memory of nodes whose heartbeat expired (those with a
   * `dataUrl`: their bytes died with their node), with their leases and their bytes; returns them.
   * Nodes that never sent a heartbeat are never counted dead.
   */
  forgetDeadOwners?(now: number): Promise<{ objectId: string; size: number }[]>;
  /** The object, or null. Objects being deleted are returned with `deleting: true`. */
  get(objectId: string): Promise<CatalogObject | null>;
  /** Every object not being deleted. */
  list(): Promise<CatalogObject[]>;
  /** Live leases of every node (with `holder.node`), or those of one object. */
  listLeases(filter: { objectId?: string }, now: number): Promise<LeaseInfo[]>;
  /** Counts across the cluster. */
  totals(now: number): Promise<{ objects: number; leases: number; bytes: number }>;
  /** Calls `listener` with each notice any node publishes; returns a function that stops it. */
  subscribe(listener: (notice: CatalogNotice) => void): () => void;
  /** Tells every node (itself included). */
  publish(notice: CatalogNotice): Promise<void>;
  /** Closes its connections. Idempotent. */
  close(): Promise<void>;
}
