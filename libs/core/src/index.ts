/**
 * @packice/core: the foundations (errors, ids, the object and lease model, the clock), the
 * storage contracts (blob, blob store, lease store), and the single-node Peer (`peer/`): objects,
 * leases, capacity, eviction, seal waiters. Pure logic: no I/O, no native code.
 */
export type { Blob, BlobHandle, BlobStore, RecoveredObject } from './blob';
export { systemClock } from './clock';
export type { Clock, ClockTimer } from './clock';
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
export { createHeapLeaseStore } from './heap-lease-store';
export type { HeapLeaseStore } from './heap-lease-store';
export { assertObjectId, isValidObjectId, newLeaseId, newObjectId, OBJECT_ID_PATTERN } from './ids';
export { createMapLeaseStore } from './lease-store';
export type { LeaseStore } from './lease-store';
export { RecencyList } from './recency-list';
export { runtimeDirectory } from './runtime-directory';
export { isPaged, selectPage } from './select-page';
export type { ListPage } from './select-page';
export type { Access, BlobInfo, LeaseHolder, LeaseInfo, ObjectInfo, ObjectState, PeerStats } from './model';
export { createPeer } from './peer/create-peer';
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
} from './peer/peer';
export { PEER_DEFAULTS } from './peer/peer-options';
export { SealWaiters } from './peer/seal-waiters';
export type { SealWait } from './peer/seal-waiters';
export { parseAcquireRequest, parseTimeout, parseTtl } from './peer/validate';
export type { ParsedAcquire, RequestLimits } from './peer/validate';
export { fromSystemError } from './system-errors';
export { TypedEmitter } from './typed-emitter';
