import { fromWireError, PackIceError, ERROR_CODES, type ErrorCode } from '@packice/core';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

/** Options of {@link HttpTransport}. */
export interface HttpTransportOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
}

/** Bytes for the data plane: a Buffer, or a stream of chunks (sent without buffering it whole). */
export type BlobBody = Uint8Array | Readable | AsyncIterable<Uint8Array>;

const STATUS_CODES = new Map<number, ErrorCode>(
  Object.entries(ERROR_CODES).map(([code, { status }]) => [status, code as ErrorCode]),
);

/**
 * The client side of the HTTP binding on Node's fetch (keep-alive by default). Error answers
 * come back as PackIceErrors with the node's code; a node that cannot be reached is `UNAVAILABLE`.
 */
export class HttpTransport {
  readonly baseUrl: string;
  readonly #headers: Record<string, string>;

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
  }

  /** A JSON request; resolves with the answer's body. */
  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    options: { signal?: AbortSignal } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { ...this.#headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.#fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: options.signal,
    });
    return (await response.json()) as T;
  }

  /** Streams `data` into blob `index` of a create lease; resolves with the blob's size. */
  async putBlob(leaseId: string, index: number, data: BlobBody, options: { signal?: AbortSignal } = {}): Promise<number> {
    const body = data instanceof Uint8Array ? data : Readable.from(data as AsyncIterable<Uint8Array>);
    const response = await this.#fetch(`/v1/leases/${encodeURIComponent(leaseId)}/blobs/${index}`, {
      method: 'PUT',
      headers: { ...this.#headers, 'content-type': 'application/octet-stream' },
      body: body as unknown as RequestInit['body'],
      duplex: 'half',
      signal: options.signal,
    } as RequestInit);
    return ((await response.json()) as { size: number }).size;
  }

  /** Streams blob `index` (or bytes `start` to `end`, inclusive) of a lease's object. */
  async getBlob(
    leaseId: string,
    index: number,
    options: { start?: number; end?: number; signal?: AbortSignal } = {},
  ): Promise<Readable> {
    const headers: Record<string, string> = { ...this.#headers };
    if (options.start !== undefined || options.end !== undefined) {
      headers.range = `bytes=${options.start ?? 0}-${options.end ?? ''}`;
    }
    const response = await this.#fetch(`/v1/leases/${encodeURIComponent(leaseId)}/blobs/${index}`, {
      headers,
      signal: options.signal,
    });
    if (!response.body) return Readable.from([]);
    return Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>);
  }

  async #fetch(path: string, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.baseUrl), init);
    } catch (err) {
      if (init.signal?.aborted) throw init.signal.reason;
      throw new PackIceError('UNAVAILABLE', `cannot reach ${this.baseUrl}: ${(err as Error).cause ?? (err as Error).message}`, {
        cause: err,
      });
    }
    if (response.ok) return response;
    let wire: unknown;
    try {
      wire = ((await response.json()) as { error?: unknown }).error;
    } catch {
      wire = undefined;
    }
    if (wire) throw fromWireError(wire);
    const code = STATUS_CODES.get(response.status) ?? 'INTERNAL';
    throw new PackIceError(code, `HTTP ${response.status} from ${path}`);
  }
}
