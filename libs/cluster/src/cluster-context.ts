import type { AcquireResult, BlobStore, Clock, LeaseInfo, ObjectInfo, Peer } from '@packice/core';
import { SealWaiters, toPackIceError } from '@packice/core';
import type { Catalog, CatalogObject } from './catalog';
import { catalogRecord } from './catalog-records';
import { ProxiedLeases } from './proxied-leases';
import type { RemoteReads } from './remote-reads';

/** What the parts of a cluster Peer share: the node's own Peer, its storage, the catalog, who it is. */
export class ClusterContext {
  readonly proxied: ProxiedLeases;
  /** Reads waiting for a seal that some node announces. */
  readonly notices: SealWaiters;
  closing = false;

  constructor(
    readonly local: Peer,
    readonly storage: BlobStore,
    readonly catalog: Catalog,
    readonly node: string,
    readonly clock: Clock,
    readonly remote: RemoteReads | undefined,
    readonly dataUrl: () => string | null,
  ) {
    this.proxied = new ProxiedLeases(clock);
    this.notices = new SealWaiters(clock);
  }

  /** The lease as the cluster shows it: with this node as the holder's node. */
  withNode(lease: LeaseInfo): LeaseInfo {
    return { ...lease, holder: { ...lease.holder, node: this.node } };
  }

  /** The catalog's record of an object made or sealed through this node. */
  record(
    object: Pick<ObjectInfo, 'objectId' | 'state' | 'size' | 'meta' | 'createdAt' | 'sealedAt'>,
    blobSizes: readonly number[],
  ): CatalogObject {
    const unit = this.storage.allocationUnit;
    // With memory storage the bytes stay here: other nodes read them at this node's HTTP.
    const dataUrl = this.storage.load ? undefined : this.dataUrl();
    return catalogRecord(object, blobSizes, { node: this.node, unit, dataUrl });
  }

  /** Records a lease granted here in the catalog; on refusal the local lease is ended. */
  async recordLease(result: AcquireResult, createdAt?: number): Promise<AcquireResult> {
    const lease = this.withNode(result.lease);
    try {
      await this.catalog.addLease(lease, this.node, createdAt);
    } catch (err) {
      await this.local.release(lease.leaseId).catch(() => undefined);
      throw toPackIceError(err);
    }
    return { ...result, lease };
  }
}
