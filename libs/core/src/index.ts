/**
 * @packice/core: the Peer (objects, leases, capacity), the storage contracts, errors and ids.
 * Pure logic: no I/O, no native code.
 */
export type { Blob, BlobHandle, BlobStore, RecoveredObject } from './blob';
export { systemClock } from './clock';
export type { Clock, ClockTimer } from './clock';
export { createPeer, PEER_DEFAULTS } from './create-peer';
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
export { TypedEmitter } from './typed-emitter';
export {
  fromWireAcquire,
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
export type { EventMap } from './typed-emitter';
