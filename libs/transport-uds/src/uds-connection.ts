import type { EventSubscription } from '@packice/protocol';
import { PackIceError, toPackIceError } from '@packice/core';
import type { PeerCredentials } from '@packice/native';
import { closeQuietly } from '@packice/native';
import { LineSocket } from './line-socket';

/** A dispatched request's answer: the result fields and the descriptors to pass with them. */
export type UdsAnswer = (
  | { result: object; json?: undefined }
  /** The result's members already as JSON (no braces), e.g. with base64 spliced in unscanned. */
  | { json: string; result?: undefined }
) & {
  /** This server's own descriptors: closed once the kernel has passed them on. */
  fds?: number[];
  /** Runs once the answer is queued (what follows it on the connection goes after it). */
  after?: () => void;
};

/** What a connection needs from its server. */
export interface ConnectionHost {
  readonly maxLineBytes: number;
  readonly maxInFlight: number;
  dispatch(conn: UdsConnection, op: string, params: object): Promise<UdsAnswer>;
  forget(conn: UdsConnection): void;
  /** Told of every answered request: its op, `ok` or the error code, and how long it took. */
  observe?(op: string, code: string, seconds: number): void;
}

/** `{"id":…,"ok":true,…result,"fds":n}` as one line, without copying `result` into a new object first. */
function answerLine(id: number, { result, json }: UdsAnswer, fds: number): string {
  const members = json ?? JSON.stringify(result ?? {}).slice(1, -1);
  const head = `{"id":${id},"ok":true`;
  const tail = fds > 0 ? `,"fds":${fds}}` : '}';
  return members === '' ? head + tail : `${head},${members}${tail}`;
}

/**
 * One client connection of a UDS server: parses request lines, dispatches them, answers in any
 * order, and stops reading while too many requests are under way.
 */
export class UdsConnection {
  readonly socket: LineSocket;
  /** Leases granted over this connection; they end when it closes. */
  readonly leases = new Set<string>();
  /** Event subscriptions of this connection; they stop when it closes. */
  readonly subscriptions = new Map<string, EventSubscription>();
  /** Aborted when the client hangs up or the server closes: waiting reads stop. */
  readonly waits = new AbortController();
  /** What the client announced it understands (`hello`'s `features`), e.g. `inline-bytes`. */
  readonly features = new Set<string>();
  inFlight = 0;
  /** Called when the last request under way is answered. */
  idle: (() => void) | null = null;
  /** Settles once the socket has closed and the connection is forgotten. */
  readonly closed: Promise<void>;
  readonly #host: ConnectionHost;
  #markClosed!: () => void;

  constructor(
    host: ConnectionHost,
    fd: number,
    readonly cred: PeerCredentials,
  ) {
    this.#host = host;
    this.closed = new Promise((resolve) => (this.#markClosed = resolve));
    this.socket = new LineSocket(fd, {
      maxLineBytes: host.maxLineBytes,
      acceptFds: false,
      onLine: (line) => this.#onLine(line),
      onOverflow: () => {
        this.reply(null, new PackIceError('PAYLOAD_TOO_LARGE', `a request line is over ${host.maxLineBytes} bytes`));
        this.socket.close();
      },
      onHangup: () => this.waits.abort(new PackIceError('SHUTTING_DOWN', 'the client hung up')),
      onClose: () => {
        host.forget(this);
        this.#markClosed();
      },
    });
  }

  /** Sends an error answer (`id` null when it is about no one request). */
  reply(id: number | null, error: PackIceError): void {
    this.socket.send(JSON.stringify({ id, ok: false, error: error.toJSON() }));
  }

  #onLine(line: string): void {
    let request: unknown;
    try {
      request = JSON.parse(line);
    } catch {
      return this.reply(null, new PackIceError('BAD_REQUEST', 'the line is not JSON'));
    }
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      return this.reply(null, new PackIceError('BAD_REQUEST', 'a request is a JSON object'));
    }
    // The request itself is the params: handlers read the fields they know, so `id` and `op`
    // riding along cost nothing, while a copy without them would cost one per request.
    const params = request as Record<string, unknown>;
    const { id, op } = params;
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
      return this.reply(null, new PackIceError('BAD_REQUEST', 'id must be an integer'));
    }
    if (typeof op !== 'string') return this.reply(id, new PackIceError('BAD_REQUEST', 'op must be a string'));
    this.inFlight++;
    if (this.inFlight >= this.#host.maxInFlight) this.socket.pause();
    const started = performance.now();
    const observe = (code: string): void => this.#host.observe?.(op, code, (performance.now() - started) / 1000);
    this.#host
      .dispatch(this, op, params)
      .then(
        (answered) => {
          const { fds = [], after } = answered;
          observe('ok');
          const answer = answerLine(id, answered, fds.length);
          this.socket.send(answer, fds, fds.length > 0 ? () => closeQuietly(...fds) : undefined);
          after?.();
        },
        (err: unknown) => {
          const error = toPackIceError(err);
          observe(error.code);
          this.reply(id, error);
        },
      )
      .finally(() => {
        this.inFlight--;
        if (this.inFlight < this.#host.maxInFlight) this.socket.resume();
        if (this.inFlight === 0) this.idle?.();
      });
  }
}
