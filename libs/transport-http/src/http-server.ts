import type { Peer } from '@packice/core';
import { PackIceError } from '@packice/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { admissionHook } from './admission-hook';
import { controlRoutes } from './control-routes';
import { dataRoutes } from './data-routes';
import { eventsRoute } from './events-route';
import { requestObserver } from './request-observer';
import { clientErrorHandler, errorHandling } from './error-handling';

/** Options of {@link createHttpServer}. */
export interface HttpServerOptions {
  /** Address to bind. */
  host?: string;
  /** Port; 0 picks a free one. */
  port?: number;
  /** When set, every route but `/v1/health` needs `Authorization: Bearer <token>`. */
  token?: string;
  /** Serve HTTPS with this certificate and key (PEM), through fastify's own https support. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Largest JSON body (bytes); data-plane bodies are streamed and not limited by it. */
  bodyLimit?: number;
  /** A pino logger or fastify logger options; default off. */
  logger?: boolean | Record<string, unknown>;
  /** Reported by `GET /v1/health`. */
  serverName?: string;
  /** Told of every answered request (for metrics): its op, `ok` or the error code, its duration. */
  onRequest?: (op: string, code: string, seconds: number) => void;
  /** Told of every release an acquire carried (for metrics): `ok` or the error code. */
  onCarriedRelease?: (code: string) => void;
}

/** Defaults of {@link HttpServerOptions}. */
export const HTTP_SERVER_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  bodyLimit: 1 << 20, // 1 MiB
  serverName: 'packice',
});

/** An HTTP server adapting a Peer to the HTTP binding (docs/protocol.md). */
export interface HttpServer extends AsyncDisposable {
  /** The fastify instance (for `inject` in tests, hooks, metrics). */
  readonly fastify: FastifyInstance;
  /** `http://host:port` (or `https://`) once listening. */
  readonly url: string | null;
  /** Starts listening; resolves with the base URL. */
  listen(): Promise<string>;
  /**
   * Stops accepting; waiting reads end with 503 `SHUTTING_DOWN`; requests under way finish.
   * Does not close the Peer. Idempotent.
   */
  close(): Promise<void>;
}

class HttpServerImpl implements HttpServer {
  readonly fastify: FastifyInstance;
  #url: string | null = null;
  readonly #options: Required<Omit<HttpServerOptions, 'token' | 'tls' | 'logger' | 'onRequest' | 'onCarriedRelease'>> &
    Pick<HttpServerOptions, 'token' | 'tls'>;
  readonly #shutdown = new AbortController();
  #closing: Promise<void> | null = null;

  constructor(peer: Peer, options: HttpServerOptions) {
    this.#options = { ...HTTP_SERVER_DEFAULTS, ...options };
    // With `https` fastify types its instance over an https.Server; routes and hooks are the same.
    this.fastify = Fastify({
      ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key } } : {}),
      logger: options.logger ?? false,
      bodyLimit: this.#options.bodyLimit,
      forceCloseConnections: 'idle',
      // Closing is answered by the admissionHook, with the protocol's error body.
      return503OnClosing: false,
      clientErrorHandler,
      // Wire types are strict: "60" is not a number here, as it is not on the UDS binding.
      ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    }) as unknown as FastifyInstance;
    if (options.onRequest) void this.fastify.register(requestObserver, { observe: options.onRequest });
    void this.fastify
      .register(errorHandling)
      .register(admissionHook, { token: this.#options.token, closing: () => this.#closing !== null })
      .register(controlRoutes, {
        peer,
        serverName: this.#options.serverName,
        shutdown: this.#shutdown.signal,
        onCarriedRelease: options.onCarriedRelease,
      })
      .register(dataRoutes, { peer })
      .register(eventsRoute, { peer, shutdown: this.#shutdown.signal });
  }

  get url(): string | null {
    return this.#url;
  }

  async listen(): Promise<string> {
    if (this.#closing) throw new PackIceError('SHUTTING_DOWN', 'the server is closed');
    if (this.#url) return this.#url;
    await this.fastify.listen({ host: this.#options.host, port: this.#options.port });
    const address = this.fastify.server.address();
    if (address === null || typeof address === 'string') throw new PackIceError('INTERNAL', 'no TCP address');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.#url = `${this.#options.tls ? 'https' : 'http'}://${host}:${address.port}`;
    return this.#url;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#shutdown.abort(new PackIceError('SHUTTING_DOWN', 'the node is shutting down'));
      await this.fastify.close();
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Makes an HTTP server for `peer` (binds 127.0.0.1 unless told otherwise); call `listen()`. */
export function createHttpServer(peer: Peer, options: HttpServerOptions = {}): HttpServer {
  if (options.token !== undefined && (typeof options.token !== 'string' || options.token.length === 0)) {
    throw new PackIceError('BAD_REQUEST', 'token must be a non-empty string');
  }
  if (options.tls !== undefined && (!options.tls?.cert || !options.tls?.key)) {
    throw new PackIceError('BAD_REQUEST', 'tls needs both a cert and a key');
  }
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)) {
    throw new PackIceError('BAD_REQUEST', 'port must be an integer from 0 to 65535');
  }
  return new HttpServerImpl(peer, options);
}
