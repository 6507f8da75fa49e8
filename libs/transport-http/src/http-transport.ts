import type { CallOptions, OpName, OpParams, OpResult } from '@packice/protocol';
import { fromWireError, PackIceError } from '@packice/core';
import { DATA_PLANE, EVENTS_ROUTE, fillPath, OPS } from '@packice/protocol';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Agent, fetch as fetchWith } from 'undici';
import { readSse } from './sse-reader';

/** Options of {@link HttpTransport}. */
export interface HttpTransportOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** PEM text of the CA(s) to trust for an `https://` node (default: the platform's CAs). */
  ca?: string | Buffer;
}

/** Bytes for the data plane: a Buffer, or a stream of chunks (sent without buffering it whole). */
export type BlobBody = Uint8Array | Readable | AsyncIterable<Uint8Array>;

// Statuses a proxy or a dying server may send without the protocol's error body: the node is not
// reachable. Any other answer without a body is a fault; its status alone names no code.
const UNREACHABLE_STATUSES = new Set([502, 503, 504]);

/** A node's error answer as a PackIceError; a refused token says how to pass the right one. */
function answerError(wire: unknown): PackIceError {
  const error = fromWireError(wire);
  if (error.code !== 'UNAUTHORIZED') return error;
  return new PackIceError(
    'UNAUTHORIZED',
    `${error.message}: pass the node's token (the token option, --token or PACKICE_TOKEN); the node's own user's tools find it in its runtime record`,
    { details: error.details },
  );
}

/**
 * The client side of the HTTP binding on Node's fetch (keep-alive by default), driven by the op
 * table. Error answers come back as PackIceErrors with the code from the answer's body; a node
 * that cannot be reached is `UNAVAILABLE`.
 */
export class HttpTransport {
  readonly baseUrl: string;
  readonly #headers: Record<string, string>;
  readonly #ca: string | Buffer | undefined;
  /** undici's own fetch with an agent that trusts `ca` (Node's fetch takes no CA of its own). */
  readonly #agent: Agent | null;

  constructor(baseUrl: string, options: HttpTransportOptions = {}) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch (err) {
      throw new PackIceError('BAD_REQUEST', `not a URL: ${baseUrl}`, { cause: err });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new PackIceError('BAD_REQUEST', `not an http(s) URL: ${baseUrl}`);
    }
    this.baseUrl = url.origin;
    this.#headers = options.token ? { authorization: `Bearer ${options.token}` } : {};
    this.#ca = options.ca;
    this.#agent = options.ca && url.protocol === 'https:' ? new Agent({ connect: { ca: options.ca } }) : null;
  }

  /** Closes the connections kept alive for a CA of its own (Node's shared pool otherwise). */
  async close(): Promise<void> {
    await this.#agent?.close();
  }

  /**
   * Sends one op (from the op table) on its route: path params from `params`, the rest as the
   * query (GET, DELETE) or the JSON body (POST). Resolves with the op's wire answer.
   */
  async request<O extends OpName>(op: O, params?: OpParams<O>, options: CallOptions = {}): Promise<OpResult<O>> {
    const http = OPS[op].http;
    if (!http) throw new PackIceError('UNKNOWN_OP', `op ${op} has no HTTP route; it is served over UDS only`);
    const { path, rest } = fillPath(http.path, (params ?? {}) as Readonly<Record<string, unknown>>);
    const headers: Record<string, string> = { ...this.#headers };
    let target = path;
    let body: string | undefined;
    if (http.method === 'POST') {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(rest);
    } else {
      const query = new URLSearchParams();
      for (const [name, value] of Object.entries(rest)) if (value !== undefined) query.set(name, String(value));
      if (query.size > 0) target += `?${query}`;
    }
    const response = await this.#fetch(target, { method: http.method, headers, body, signal: options.signal });
    return (await response.json()) as OpResult<O>;
  }

  /**
   * A read `acquire` that asks for the bytes as the answer (`Accept: application/octet-stream`):
   * a node answers a small one-blob object that way, with the lease and object in headers, and
   * anything else with the usual JSON (then `bytes` is absent).
   */
  async acquireBytes(
    params: OpParams<'acquire'>,
    options: CallOptions = {},
  ): Promise<OpResult<'acquire'> & { bytes?: Buffer }> {
    const response = await this.#fetch(OPS.acquire.http?.path ?? '/v1/leases', {
      method: 'POST',
      headers: {
        ...this.#headers,
        'content-type': 'application/json',
        accept: 'application/octet-stream, application/json',
      },
      body: JSON.stringify(params),
      signal: options.signal,
    });
    if (!response.headers.get('content-type')?.startsWith('application/octet-stream')) {
      return (await response.json()) as OpResult<'acquire'>;
    }
    const header = (name: string): unknown => {
      const value = response.headers.get(name);
      return value === null ? undefined : JSON.parse(decodeURIComponent(value));
    };
    const bytes = Buffer.from(await response.arrayBuffer());
    const answer = { lease: header('packice-lease'), object: header('packice-object'), bytes };
    const failed = header('packice-release-failed');
    return (failed === undefined ? answer : { ...answer, release_failed: failed }) as OpResult<'acquire'> & {
      bytes: Buffer;
    };
  }

  /** Streams `data` into blob `index` of a create lease; resolves with the blob's size. */
  async putBlob(leaseId: string, index: number, data: BlobBody, options: CallOptions = {}): Promise<number> {
    const body = data instanceof Uint8Array ? data : Readable.from(data);
    const { path } = fillPath(DATA_PLANE.write.path, { lease_id: leaseId, i: index });
    const init: RequestInit & { duplex: 'half' } = {
      method: DATA_PLANE.write.method,
      headers: { ...this.#headers, 'content-type': 'application/octet-stream' },
      // fetch streams a Node Readable (undici accepts any async iterable body with duplex: 'half').
      body: body as unknown as RequestInit['body'],
      duplex: 'half',
      signal: options.signal,
    };
    const response = await this.#fetch(path, init);
    return ((await response.json()) as { size: number }).size;
  }

  /** Streams blob `index` (or bytes `start` to `end`, inclusive) of a lease's object. */
  async getBlob(
    leaseId: string,
    index: number,
    options: CallOptions & { start?: number; end?: number } = {},
  ): Promise<Readable> {
    const headers: Record<string, string> = { ...this.#headers };
    if (options.start !== undefined || options.end !== undefined) {
      headers.range = `bytes=${options.start ?? 0}-${options.end ?? ''}`;
    }
    const { path } = fillPath(DATA_PLANE.read.path, { lease_id: leaseId, i: index });
    const response = await this.#fetch(path, { method: DATA_PLANE.read.method, headers, signal: options.signal });
    if (!response.body) return Readable.from([]);
    return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  }

  /**
   * Streams the node's events (`GET /v1/events`); resolves once the stream is open. `onEvent`
   * gets each event's data as parsed JSON. The stream has a connection of its own (node:http, no
   * keep-alive), so `cancel()` closes it at once and the node sees the subscription end.
   */
  async events(
    query: { prefix?: string; replay?: boolean },
    onEvent: (event: Record<string, unknown>) => void,
    options: CallOptions & { lastEventId?: number } = {},
  ): Promise<{ done: Promise<void>; cancel(): Promise<void> }> {
    const params = new URLSearchParams();
    if (query.prefix !== undefined) params.set('prefix', query.prefix);
    if (query.replay) params.set('replay', 'true');
    const headers: Record<string, string> = { ...this.#headers, accept: 'text/event-stream' };
    if (options.lastEventId !== undefined) headers['last-event-id'] = String(options.lastEventId);
    const url = new URL(`${EVENTS_ROUTE.path}${params.size > 0 ? `?${params}` : ''}`, this.baseUrl);
    const get = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = get(url, {
      method: EVENTS_ROUTE.method,
      headers,
      agent: false,
      signal: options.signal,
      ...(this.#ca ? { ca: this.#ca } : {}),
    });
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      request.once('response', resolve);
      request.once('error', (err) =>
        reject(
          options.signal?.aborted
            ? options.signal.reason
            : new PackIceError('UNAVAILABLE', `cannot reach ${this.baseUrl}: ${err.message}`, { cause: err }),
        ),
      );
      request.end();
    });
    if ((response.statusCode ?? 500) >= 400) {
      const chunks: Buffer[] = [];
      for await (const chunk of response) chunks.push(chunk as Buffer);
      let wire: unknown;
      try {
        wire = (JSON.parse(Buffer.concat(chunks).toString()) as { error?: unknown }).error;
      } catch {
        wire = undefined;
      }
      throw wire ? answerError(wire) : new PackIceError('INTERNAL', `HTTP ${response.statusCode} from ${url.pathname}`);
    }
    let cancelled = false;
    const done = (async () => {
      try {
        for await (const sse of readSse(response)) onEvent(JSON.parse(sse.data) as Record<string, unknown>);
      } catch (err) {
        if (!cancelled && !options.signal?.aborted) throw err;
      }
    })();
    return {
      done,
      cancel: async () => {
        cancelled = true;
        request.destroy();
        await done.catch(() => undefined);
      },
    };
  }

  async #fetch(path: string, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      const url = new URL(path, this.baseUrl);
      response = this.#agent
        ? ((await fetchWith(url, { ...(init as object), dispatcher: this.#agent })) as unknown as Response)
        : await fetch(url, init);
    } catch (err) {
      if (init.signal?.aborted) throw init.signal.reason;
      const reason = (err as Error).cause ?? (err as Error).message;
      throw new PackIceError('UNAVAILABLE', `cannot reach ${this.baseUrl}: ${String(reason)}`, { cause: err });
    }
    if (response.ok) return response;
    let wire: unknown;
    try {
      wire = ((await response.json()) as { error?: unknown }).error;
    } catch {
      wire = undefined;
    }
    if (wire) throw answerError(wire);
    const code = UNREACHABLE_STATUSES.has(response.status) ? 'UNAVAILABLE' : 'INTERNAL';
    throw new PackIceError(code, `HTTP ${response.status} from ${path} without an error body`, {
      details: { status: response.status },
    });
  }
}
