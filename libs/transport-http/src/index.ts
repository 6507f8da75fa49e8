/**
 * @packice/transport-http: the HTTP binding (docs/protocol.md), both ends. `createHttpServer`
 * adapts a Peer with fastify (routes from the op table, JSON schemas, bearer token, streamed data
 * plane with Range); `HttpTransport` and `createHttpClientTransport` are the client side on fetch.
 */
export { createHttpClientTransport } from './http-client-transport';
export { createHttpServer, HTTP_SERVER_DEFAULTS } from './http-server';
export type { HttpServer, HttpServerOptions } from './http-server';
export { HttpTransport } from './http-transport';
export type { BlobBody, HttpTransportOptions } from './http-transport';
