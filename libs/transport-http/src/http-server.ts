import type { Blob, Peer, WireHandle } from '@packice/core';
import {
  fromWireAcquire,
  isPackIceError,
  PackIceError,
  toWireDelete,
  toWireLease,
  toWireObject,
  toWireStats,
} from '@packice/core';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { bearerChecker } from './bearer-auth';
import { parseRange } from './range';
import { acquireBody, blobParams, leaseParams, leasesQuery, objectParams, renewBody } from './schemas';

/** Options of {@link createHttpServer}. */
export interface HttpServerOptions {
  /** Address to bind. */
  host?: string;
  /** Port; 0 picks a free one. */
  port?: number;
  /** When set, every route but `/v1/health` needs `Authorization: Bearer <token>`. */
  token?: string;
  /** Largest JSON body (bytes); data-plane bodies are streamed and not limited by it. */
  bodyLimit?: number;
  /** A pino logger or fastify logger options; default off. */
  logger?: boolean | Record<string, unknown>;
  /** Reported by `GET /v1/health`. */
  serverName?: string;
}

/** Defaults of {@link HttpServerOptions}. */
export const HTTP_SERVER_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  bodyLimit: 1 << 20, // 1 MiB
  serverName: 'packice',
});

/** An HTTP server adapting a Peer to PROTOCOL.md's HTTP binding. */
export interface HttpServer extends AsyncDisposable {
  /** The fastify instance (for `inject` in tests, hooks, metrics). */
  readonly fastify: FastifyInstance;
  /** `http://host:port` once listening. */
  readonly url: string | null;
  /** Starts listening; resolves with the base URL. */
  listen(): Promise<string>;
  /**
   * Stops accepting; waiting reads end with 503 `SHUTTING_DOWN`; requests under way finish.
   * Does not close the Peer. Idempotent.
   */
  close(): Promise<void>;
}

const DATA_CHUNK = 1 << 20; // 1 MiB per read from storage while streaming out

type LeaseParams = { lease_id: string };
type BlobParams = { lease_id: string; i: string };
type ObjectParams = { object_id: string };

/** Maps anything thrown in a route to the protocol's error and status. */
function toProtocolError(err: unknown): PackIceError {
  if (isPackIceError(err)) return err;
  const e = err as FastifyError;
  if (e?.validation) return new PackIceError('BAD_REQUEST', e.message, { cause: err });
  if (e?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new PackIceError('PAYLOAD_TOO_LARGE', e.message, { cause: err });
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new PackIceError('BAD_REQUEST', e.message, { cause: err });
  }
  return new PackIceError('INTERNAL', e?.message ?? String(err), { cause: err });
}

function blobOf(blobs: readonly Blob[], index: string): Blob {
  const blob = blobs[Number(index)];
  if (!blob) throw new PackIceError('NOT_FOUND', `the object has no blob ${index}`);
  return blob;
}

class HttpServerImpl implements HttpServer {
  readonly fastify: FastifyInstance;
  #url: string | null = null;
  readonly #peer: Peer;
  readonly #options: Required<Omit<HttpServerOptions, 'token' | 'logger'>> & Pick<HttpServerOptions, 'token'>;
  readonly #shutdown = new AbortController();
  #closing: Promise<void> | null = null;

  constructor(peer: Peer, options: HttpServerOptions) {
    this.#peer = peer;
    this.#options = { ...HTTP_SERVER_DEFAULTS, ...options };
    this.fastify = Fastify({
      logger: options.logger ?? false,
      bodyLimit: this.#options.bodyLimit,
      forceCloseConnections: 'idle',
      // Closing is answered by the onRequest hook below, with the protocol's error body.
      return503OnClosing: false,
      // Wire types are strict: "60" is not a number here, as it is not on the UDS binding.
      ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    });
    this.#routes();
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
    this.#url = `http://${host}:${address.port}`;
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

  #routes(): void {
    const app = this.fastify;
    const peer = this.#peer;
    const authorized = this.#options.token ? bearerChecker(this.#options.token) : null;

    app.setErrorHandler((err, request, reply) => {
      const error = toProtocolError(err);
      if (error.code === 'INTERNAL') request.log.error({ err }, 'internal error');
      void reply.code(error.status).send({ error: error.toJSON() });
    });
    app.setNotFoundHandler((request, reply) => {
      const error = new PackIceError('UNKNOWN_OP', `no route ${request.method} ${request.url.split('?')[0]}`);
      void reply.code(error.status).send({ error: error.toJSON() });
    });
    // Data-plane bodies are not parsed: the route streams them into the blob.
    app.addContentTypeParser(['application/octet-stream', '*'], (_request, payload, done) => done(null, payload));
    app.addHook('onRequest', async (request) => {
      if (this.#closing) throw new PackIceError('SHUTTING_DOWN', 'the node is shutting down');
      if (!authorized || request.routeOptions.url === '/v1/health') return;
      if (!authorized(request.headers.authorization)) {
        throw new PackIceError('UNAUTHORIZED', 'missing or wrong bearer token');
      }
    });

    app.get('/v1/health', async () => ({ ok: true, server: this.#options.serverName, storage: peer.storageName }));
    app.get('/v1/stats', async () => toWireStats(await peer.stats()));

    app.post('/v1/leases', { schema: { body: acquireBody } }, async (request, reply) => {
      const signal = this.#requestSignal(reply);
      const { lease, object } = await peer.acquire(fromWireAcquire(request.body as Record<string, unknown>), {
        holder: { transport: 'http', remote: request.ip },
        signal,
      });
      const handles: WireHandle[] = object.blobs.map((blob, i) => {
        const handle = blob.handle(lease.access);
        return handle.kind === 'path'
          ? { kind: 'path', path: handle.path }
          : { kind: 'url', url: `/v1/leases/${lease.leaseId}/blobs/${i}` };
      });
      return reply.code(201).send({ lease: toWireLease(lease), object: toWireObject(object, handles) });
    });
    app.post<{ Params: LeaseParams }>('/v1/leases/:lease_id/seal', { schema: { params: leaseParams } }, async (request) => ({
      object: toWireObject(await peer.seal(request.params.lease_id)),
    }));
    app.post<{ Params: LeaseParams; Body: { ttl_ms?: number } | null }>(
      '/v1/leases/:lease_id/renew',
      { schema: { params: leaseParams, body: renewBody } },
      async (request) => ({ lease: toWireLease(await peer.renew(request.params.lease_id, request.body?.ttl_ms)) }),
    );
    app.delete<{ Params: LeaseParams }>('/v1/leases/:lease_id', { schema: { params: leaseParams } }, async (request) => {
      await peer.release(request.params.lease_id);
      return {};
    });
    app.get<{ Querystring: { object_id?: string } }>('/v1/leases', { schema: { querystring: leasesQuery } }, async (request) => {
      const filter = request.query.object_id === undefined ? {} : { objectId: request.query.object_id };
      return { leases: (await peer.listLeases(filter)).map(toWireLease) };
    });
    app.get('/v1/objects', async () => ({ objects: (await peer.listObjects()).map((o) => toWireObject(o)) }));
    app.get<{ Params: ObjectParams }>('/v1/objects/:object_id', { schema: { params: objectParams } }, async (request) => ({
      object: toWireObject(await peer.stat(request.params.object_id)),
    }));
    app.delete<{ Params: ObjectParams }>('/v1/objects/:object_id', { schema: { params: objectParams } }, async (request) =>
      toWireDelete(await peer.delete(request.params.object_id)),
    );

    app.put<{ Params: BlobParams }>('/v1/leases/:lease_id/blobs/:i', { schema: { params: blobParams } }, async (request) => {
      const { lease, object } = await peer.openLease(request.params.lease_id);
      if (lease.access !== 'create') throw new PackIceError('WRONG_ACCESS', 'only the create lease may write');
      if (object.state === 'sealed') throw new PackIceError('ALREADY_SEALED', `object ${object.objectId} is sealed`);
      const blob = blobOf(object.blobs, request.params.i);
      const body = request.body;
      if (!(body instanceof Readable)) {
        throw new PackIceError('BAD_REQUEST', 'send the bytes as application/octet-stream');
      }
      let position = 0;
      for await (const chunk of body) {
        position += await blob.write(chunk as Buffer, position);
      }
      await blob.truncate(position);
      return { size: blob.size };
    });

    app.get<{ Params: BlobParams }>('/v1/leases/:lease_id/blobs/:i', { schema: { params: blobParams } }, async (request, reply) => {
      const { object } = await peer.openLease(request.params.lease_id);
      const blob = blobOf(object.blobs, request.params.i);
      const size = blob.size;
      const range = parseRange(request.headers.range, size);
      void reply.header('accept-ranges', 'bytes');
      if (range === null) {
        void reply.header('content-range', `bytes */${size}`).type('application/json');
        const error = new PackIceError('BAD_REQUEST', `range ${request.headers.range} is outside ${size} bytes`);
        return reply.code(416).send({ error: error.toJSON() });
      }
      const start = range?.start ?? 0;
      const end = range?.end ?? size - 1;
      if (range) void reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`);
      void reply.type('application/octet-stream').header('content-length', String(Math.max(end - start + 1, 0)));
      return reply.send(Readable.from(readChunks(blob, start, end + 1)));
    });
  }

  /** Aborts when the node shuts down or the client goes away before its answer. */
  #requestSignal(reply: FastifyReply): AbortSignal {
    const gone = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) gone.abort(new PackIceError('SHUTTING_DOWN', 'the client went away'));
    });
    return AbortSignal.any([this.#shutdown.signal, gone.signal]);
  }
}

async function* readChunks(blob: Blob, from: number, to: number): AsyncGenerator<Buffer> {
  for (let position = from; position < to; ) {
    const chunk = await blob.read(position, Math.min(DATA_CHUNK, to - position));
    if (chunk.length === 0) return;
    position += chunk.length;
    yield chunk;
  }
}

/** Makes an HTTP server for `peer` (binds 127.0.0.1 unless told otherwise); call `listen()`. */
export function createHttpServer(peer: Peer, options: HttpServerOptions = {}): HttpServer {
  if (options.token !== undefined && (typeof options.token !== 'string' || options.token.length === 0)) {
    throw new PackIceError('BAD_REQUEST', 'token must be a non-empty string');
  }
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)) {
    throw new PackIceError('BAD_REQUEST', 'port must be an integer from 0 to 65535');
  }
  return new HttpServerImpl(peer, options);
}
