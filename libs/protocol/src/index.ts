/**
 * @packice/protocol: the wire contract of docs/protocol.md in code. `wire/` holds the snake_case
 * shapes, the op table and the codecs; `server/` the kit both servers build on (plain ops,
 * release with acquire, acquire_many, the event hub); `client/` the kit both client transports
 * build on (the ClientTransport contract, the camelCase operations over a wire call).
 */
export type {
  BlobAccess,
  BlobRange,
  AcquiredLease,
  CallOptions,
  ClientTransport,
  WatchHandle,
} from './client/client-transport';
export { ReleaseQueue } from './client/release-queue';
export { wireOperations } from './client/wire-operations';
export type { WireCall, WireOperations } from './client/wire-operations';
export { MAX_ACQUIRE_MANY, parseAcquireMany } from './server/acquire-many';
export { EVENT_HUB_DEFAULTS, EventHub, eventHubOf, parseSubscribeParams } from './server/event-hub';
export type { Deliver, EventSubscription, SubscribeOptions } from './server/event-hub';
export { callPlainOp, isPlainOp, plainOpHandlers } from './server/plain-ops';
export { listPage, MAX_PAGE_LIMIT, parsePage } from './server/paging';
export type { PageParams } from './server/paging';
export type { OpHandler, PlainOp } from './server/plain-ops';
export { MAX_RELEASES_PER_ACQUIRE, parseReleaseList, releaseFirst } from './server/release-first';
export { DATA_PLANE, EVENTS_ROUTE, fillPath, isOpName, opNames, OPS } from './wire/op-table';
export type { FieldNames, HttpBinding, OpSpec } from './wire/op-table';
export {
  decodeEvent,
  fromWireAcquire,
  fromWireEvent,
  fromWireInfo,
  fromWireLease,
  fromWireObject,
  fromWireStats,
  toWireAcquire,
  toWireDelete,
  toWireLease,
  toWireObject,
  toWireStats,
} from './wire/wire-codec';
export type { DecodedObject, WatchEvent } from './wire/wire-codec';
export type {
  NodeEvent,
  NodeEventName,
  OpName,
  OpParams,
  OpResult,
  OverflowNotice,
  WireAcquireManyParams,
  WirePutParams,
  WireAcquireManyResult,
  WireAcquireParams,
  WireAnswer,
  WireBlob,
  WireEvent,
  WireHandle,
  WireHealth,
  WireHello,
  WireLease,
  WireObject,
  WireOps,
  WireReleaseFailure,
  WireRequest,
  WireStats,
} from './wire/wire-shapes';
