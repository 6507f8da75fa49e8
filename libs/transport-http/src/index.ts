/**
 * @packice/transport-http: PROTOCOL.md's HTTP binding. `createHttpServer` adapts a Peer with
 * fastify (JSON schemas, bearer token, streamed data plane with Range); `HttpTransport` is the
 * client side on Node's fetch.
 */
export { bearerChecker } from './bearer-auth';
export { createHttpServer, HTTP_SERVER_DEFAULTS } from './http-server';
export type { HttpServer, HttpServerOptions } from './http-server';
export { HttpTransport } from './http-transport';
export type { BlobBody, HttpTransportOptions } from './http-transport';
export { parseRange } from './range';
export type { ByteRange } from './range';
