/**
 * @packice/transport-http: the HTTP binding (docs/protocol.md), both ends. `createHttpServer`
 * adapts a Peer with fastify (routes from the op table, JSON schemas, bearer token, streamed data
 * plane with Range, HTTPS); `HttpTransport` and `createHttpClientTransport` are the client side on
 * fetch; the node records (`node-<pid>.json` in the runtime directory) let a node's own user's
 * tools find its token from its URL.
 */
export { createHttpClientTransport } from './http-client-transport';
export { createHttpServer, HTTP_SERVER_DEFAULTS } from './http-server';
export type { HttpServer, HttpServerOptions } from './http-server';
export { HttpTransport } from './http-transport';
export type { BlobBody, HttpTransportOptions } from './http-transport';
export {
  findNodeCredentials,
  findNodeRecord,
  generateToken,
  removeNodeFile,
  writeNodeRecord,
  writeTokenFile,
} from './node-records';
export type { NodeCredentials, NodeRecord } from './node-records';
