/**
 * @packice/transport-uds: the UDS binding (docs/protocol.md), both ends. `createUdsServer` adapts
 * a Peer to a Unix socket and passes blobs as descriptors (SCM_RIGHTS); `connectUds` and
 * `createUdsClientTransport` are the client side.
 */
export { defaultSocketPath } from './default-socket-path';
export { createUdsClientTransport } from './uds-client-transport';
export { createUdsServer, UDS_FEATURES, UDS_SERVER_DEFAULTS } from './uds-server';
export type { UdsServer, UdsServerOptions } from './uds-server';
export { connectUds, UdsTransport } from './uds-transport';
export type { UdsConnectOptions, UdsReply } from './uds-transport';
