import type { BlobStore, Clock, Peer } from '@packice/core';
import type { Catalog } from './catalog';
import type { RemoteReads } from './remote-reads';

/** Options of {@link createClusterPeer}. */
export interface ClusterPeerOptions {
  /** This node's own Peer, over storage every node shares (no capacity of its own). */
  local: Peer;
  /** The same storage: removes what no node holds any more (a dead node's unsealed creates). */
  storage: BlobStore;
  /** The state the nodes share. Closed by the cluster Peer's `close()`. */
  catalog: Catalog;
  /** This node's name in the cluster: lease holders show it. */
  nodeId: string;
  /** Bytes the whole cluster's objects may take; null for no limit. */
  capacityBytes?: number | null;
  clock?: Clock;
  /** How often this node looks for leases of dead nodes (ms). */
  sweepIntervalMs?: number;
  /**
   * Memory storage (not shared): reads of objects in another node's memory go to that node's
   * HTTP binding through this; without it they are `UNAVAILABLE`.
   */
  remote?: RemoteReads;
  /** This node's HTTP base URL once it listens (null without HTTP): where other nodes read its objects. */
  dataUrl?: () => string | null;
}

/** Defaults of {@link ClusterPeerOptions}. */
export const CLUSTER_DEFAULTS = Object.freeze({
  sweepIntervalMs: 1_000, // 1 s
});

/** A Peer of a cluster, with what the node app drives itself. */
export interface ClusterPeer extends Peer {
  /**
   * Records in the catalog every sealed object of the shared storage it does not know, and this
   * node's read leases (after the catalog lost its data); returns how many objects it added.
   * `UNAVAILABLE` while the catalog is away.
   */
  registerStored(): Promise<number>;
  /** Ends the leases of nodes that died and removes what they left (also run on a timer). */
  sweep(): Promise<{ objectId: string; outcome: 'aborted' | 'deleted' }[]>;
}
