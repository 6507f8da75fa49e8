import type { BlobStore } from './blob';
import type { Catalog, CatalogObject } from './catalog';
import { catalogRecord } from './catalog-records';
import type { Clock } from './clock';
import { toPackIceError } from './errors';
import type { Lease, ObjectInfo } from './model';
import type { AcquireResult, Peer } from './peer';
import { ProxiedLeases } from './proxied-leases';
import type { RemoteReads } from './remote-reads';
import { SealNotices } from './seal-notices';

/** What the parts of a cluster Peer share: the node's own Peer, its storage, the catalog, who it is. */
export class ClusterContext {
  readonly proxied: ProxiedLeases;
  readonly notices = new SealNotices();
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
  }

  /** The lease as the cluster shows it: with this node as the holder's node. */
  withNode(lease: Lease): Lease {
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

/** Whether an error carries this code (two copies of core may be loaded: never instanceof). */
export const isCode = (err: unknown, code: string): boolean => (err as { code?: unknown })?.code === code;
