/**
 * @packice/client: one API over every PackIce target, and the one package a user needs.
 * `connect(target)` gives a Client; its `acquire()` gives Leases that read, write, map (zero-copy)
 * and seal objects. Everything those methods take, return or throw is exported here too.
 */
export type { AcquireOptions, Client } from './client';
export { connect } from './connect';
export type { ConnectOptions } from './connect';
export type { Lease, ReleaseOptions } from './lease';
export type { BlobFile } from './stream-blob-file';
export { ERROR_CODES, errorCodes, isErrorCode, isPackIceError, PackIceError } from '@packice/core';
export type {
  Access,
  AcquireRequest,
  BlobInfo,
  BlobSpec,
  DeleteResult,
  ErrorCode,
  LeaseHolder,
  LeaseInfo,
  ObjectInfo,
  ObjectState,
  Peer,
  PeerStats,
} from '@packice/core';
export type { CallOptions, NodeEventName, WatchEvent } from '@packice/protocol';
export { defaultSocketPath } from '@packice/transport-uds';
export { findNodeRecord } from '@packice/transport-http';
export type { NodeRecord } from '@packice/transport-http';
