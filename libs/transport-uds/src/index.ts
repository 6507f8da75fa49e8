/**
 * @packice/transport-uds: PROTOCOL.md's UDS binding. `createUdsServer` adapts a Peer to a Unix
 * socket and passes blobs as descriptors (SCM_RIGHTS); `connectUds` is the client side.
 */
export { LineSocket } from './line-socket';
export type { LineSocketOptions } from './line-socket';
export { removeSocketFile } from './socket-file';
export { createUdsServer, UDS_FEATURES, UDS_SERVER_DEFAULTS } from './uds-server';
export type { UdsServer, UdsServerOptions } from './uds-server';
export { connectUds, UdsTransport } from './uds-transport';
export type { UdsAnswer, UdsConnectOptions } from './uds-transport';
