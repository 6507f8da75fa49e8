/**
 * @packice/core: the Peer (objects, leases, capacity), the storage and client-transport
 * contracts, the op table of the protocol, errors and ids. Pure logic: no I/O, no native code.
 */
export { MAX_ACQUIRE_MANY, parseAcquireMany } from './acquire-many';
export type { Blob, BlobHandle, BlobStore, RecoveredObject } from './blob';
export type { Catalog, CatalogNotice, CatalogObject, CatalogOutcome } from './catalog';
export type {
  AcquiredLease,
  BlobAccess,
  BlobRange,
  CallOptions,
  ClientTransport,
  WatchHandle,
} from './client-transport';
export { systemClock } from './clock';
export type { Clock, ClockTimer } from './clock';
export { createClusterPeer } from './cluster-peer';
export { CLUSTER_DEFAULTS } from './cluster-peer-options';
export type { ClusterPeer, ClusterPeerOptions } from './cluster-peer-options';
export { createPeer } from './create-peer';
export { createMemoryCatalog } from './memory-catalog';
export { EVENT_HUB_DEFAULTS, EventHub, eventHubOf, fromWireEvent, parseSubscribeParams } from './event-hub';
export type {
  Deliver,
  EventSubscription,
  NodeEvent,
  NodeEventName,
  OverflowNotice,
  SubscribeOptions,
  WatchEvent,
} from './event-hub';
export {
  ERROR_CODES,
  errorCodes,
  fromWireError,
  isErrorCode,
  isPackIceError,
  PackIceError,
  toPackIceError,
} from './errors';
export type { ErrorCode, PackIceErrorOptions, WireError } from './errors';
export { assertObjectId, isValidObjectId, newLeaseId, newObjectId, OBJECT_ID_PATTERN } from './ids';
export { createMapLeaseStore } from './lease-store';
export type { LeaseStore } from './lease-store';
export type { Access, BlobInfo, Lease, LeaseHolder, ObjectInfo, ObjectState, PeerStats } from './model';
export { callPlainOp, isPlainOp, plainOpHandlers } from './op-handlers';
export type { OpHandler, PlainOp } from './op-handlers';
export { DATA_PLANE, EVENTS_ROUTE, fillPath, isOpName, opNames, OPS } from './ops';
export type {
  HttpBinding,
  OpName,
  OpParams,
  OpResult,
  OpSpec,
  WireAcquireManyParams,
  WireAcquireManyResult,
  WireAcquireParams,
  WireAnswer,
  WireHealth,
  WireHello,
  WireOps,
  WireRequest,
} from './ops';
export type {
  AcquireContext,
  AcquireRequest,
  AcquireResult,
  BlobSpec,
  DeleteReason,
  DeleteResult,
  LeaseEndReason,
  Peer,
  PeerEvents,
  PeerOptions,
} from './peer';
export { PEER_DEFAULTS } from './peer-options';
export { MAX_RELEASES_PER_ACQUIRE, parseReleaseList, releaseFirst } from './release-first';
export type { WireReleaseFailure } from './release-first';
export { RemoteBlob } from './remote-reads';
export type { RemoteReads } from './remote-reads';
export { fromSystemError } from './system-errors';
export { TypedEmitter } from './typed-emitter';
export {
  fromWireAcquire,
  fromWireInfo,
  fromWireLease,
  fromWireObject,
  fromWireStats,
  toWireAcquire,
  toWireDelete,
  toWireLease,
  toWireObject,
  toWireStats,
} from './wire';
export type { DecodedObject, WireBlob, WireHandle, WireLease, WireObject, WireStats } from './wire';
export { wireOperations } from './wire-client';
export type { WireCall, WireOperations } from './wire-client';
