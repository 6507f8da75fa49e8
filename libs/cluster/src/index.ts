/**
 * @packice/cluster: scale-out. A cluster Peer serves one object space with the other nodes of a
 * Catalog (the contract here; a memory catalog for one process, `@packice/catalog-redis` for
 * real clusters), over shared storage or, with memory storage, reading other nodes' objects
 * through their HTTP data plane. Only the node app assembles it.
 */
export type { Catalog, CatalogNotice, CatalogObject, CatalogOutcome } from './catalog';
export { createClusterPeer } from './cluster-peer';
export { CLUSTER_DEFAULTS } from './cluster-peer-options';
export type { ClusterPeer, ClusterPeerOptions } from './cluster-peer-options';
export { createMemoryCatalog } from './memory-catalog';
export { RemoteBlob } from './remote-blob';
export type { RemoteReads } from './remote-reads';
