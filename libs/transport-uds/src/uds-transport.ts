import type { CallOptions, OpName, OpParams, OpResult } from '@packice/protocol';
import { fromWireError, isPackIceError, PackIceError } from '@packice/core';
import { closeQuietly, connectUnix, isNativeError } from '@packice/native';
import { setTimeout as sleep } from 'node:timers/promises';
import { LineSocket } from './line-socket';

/** An answer of the node: its fields (`id`, `ok`, `fds` removed) and the descriptors that came with it. */
export interface UdsReply<T = Record<string, unknown>> {
  body: T;
  /** Received descriptors, in the order of the answer's `fd` handles; the caller owns them. */
  fds: number[];
}

/** Options of {@link connectUds}. */
export interface UdsConnectOptions {
  /** Give up connecting after this long (the node's backlog may be full). */
  timeoutMs?: number;
  /** Longest answer line accepted. */
  maxLineBytes?: number;
}

interface Pending {
  resolve: (answer: UdsReply) => void;
  reject: (err: unknown) => void;
  cleanup: () => void;
}

/**
 * `{…params,"id":…,"op":…}` as one line, without copying `params` into a new object first; `id`
 * and `op` come last, so they win over any params of the same name, as in `{ ...params, id, op }`.
 */
function requestLine(id: number, op: string, params: object | undefined): string {
  const fields = params === undefined ? '{}' : JSON.stringify(params);
  const own = `"id":${id},"op":${JSON.stringify(op)}}`;
  return fields === '{}' ? `{${own}` : `${fields.slice(0, -1)},${own}`;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const MAX_EARLY_EVENTS = 100_000; // events kept for a subscription whose listener is not set yet
const DEFAULT_MAX_ANSWER_BYTES = 256 << 20; // 256 MiB: list answers of big nodes

/**
 * The client side of the UDS binding: many requests in flight on one connection, answers
 * matched by id, descriptors taken from the FIFO by each answer's `fds`. Every descriptor it
 * receives is handed to exactly one caller, or closed here when nobody is waiting for it.
 */
export class UdsTransport implements AsyncDisposable {
  readonly #socket: LineSocket;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #refed = false;
  #unrefScheduled = false;
  #closedError: PackIceError | null = null;
  #fatal: PackIceError | null = null;
  #closing = false;
  readonly #eventListeners = new Map<string, (event: Record<string, unknown>) => void>();
  readonly #eventEnders = new Map<string, (error: PackIceError) => void>();
  /** Events of a subscription whose listener is not there yet (they may follow its answer at once). */
  readonly #earlyEvents = new Map<string, Record<string, unknown>[]>();
  readonly #closed: Promise<void>;
  #markClosed!: () => void;

  /** @param fd a connected socket, now owned by this transport */
  constructor(
    fd: number,
    readonly path: string,
    maxLineBytes = DEFAULT_MAX_ANSWER_BYTES,
  ) {
    this.#closed = new Promise((resolve) => (this.#markClosed = resolve));
    this.#socket = new LineSocket(fd, {
      maxLineBytes,
      acceptFds: true,
      onLine: (line) => this.#onLine(line),
      onOverflow: () => this.#socket.destroy(new Error(`an answer line is over ${maxLineBytes} bytes`)),
      onClose: (error) => this.#onClose(error),
    });
    this.#socket.setRef(false);
  }

  /** True once the connection is closed (by either side). */
  get closed(): boolean {
    return this.#closedError !== null;
  }

  /** Settles when the connection has closed. */
  get whenClosed(): Promise<void> {
    return this.#closed;
  }

  /**
   * Sends one op (from the op table) and waits for its answer. Rejects with the node's error (a
   * PackIceError with its code), `UNAVAILABLE` when the connection is or gets closed, or the
   * signal's reason. Params are sent as given: the node checks them.
   */
  request<O extends OpName>(op: O, params?: OpParams<O>, options: CallOptions = {}): Promise<UdsReply<OpResult<O>>> {
    return this.#request((id) => requestLine(id, op, params), options);
  }

  /**
   * {@link request} with the params already as JSON members (no braces), e.g. with base64 spliced
   * in as it is (JSON.stringify would scan each of its characters for escapes).
   */
  requestJson<O extends OpName>(op: O, members: string, options: CallOptions = {}): Promise<UdsReply<OpResult<O>>> {
    return this.#request(
      (id) => `{${members === '' ? '' : `${members},`}"id":${id},"op":${JSON.stringify(op)}}`,
      options,
    );
  }

  #request<T>(line: (id: number) => string, options: CallOptions): Promise<UdsReply<T>> {
    if (this.#closedError) return Promise.reject(this.#closedError);
    if (this.#closing)
      return Promise.reject(new PackIceError('UNAVAILABLE', `the connection to ${this.path} is closing`));
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = this.#nextId++;
    return new Promise<UdsReply<T>>((resolve, reject) => {
      const onAbort = (): void => {
        // The answer may still come: its descriptors are then closed in #onLine.
        this.#pending.get(id)?.cleanup();
        reject(signal?.reason);
      };
      const cleanup = (): void => {
        this.#pending.delete(id);
        signal?.removeEventListener('abort', onAbort);
        if (this.#pending.size === 0) this.#onIdle();
      };
      this.#pending.set(id, { resolve: resolve as Pending['resolve'], reject, cleanup });
      signal?.addEventListener('abort', onAbort, { once: true });
      if (!this.#refed) {
        this.#refed = true;
        this.#socket.setRef(true);
      }
      this.#socket.send(line(id));
    });
  }

  /**
   * Calls `listener` with each event line of a subscription (from `subscribe`) and `onEnd` if the
   * connection closes first; returns a function that stops both. Events that came before the
   * listener are handed over first.
   */
  onEvent(
    subscriptionId: string,
    listener: (event: Record<string, unknown>) => void,
    onEnd?: (error: PackIceError) => void,
  ): () => void {
    this.#eventListeners.set(subscriptionId, listener);
    if (onEnd) this.#eventEnders.set(subscriptionId, onEnd);
    // A subscription keeps the process alive, as a pending request does.
    if (!this.#refed && !this.#socket.closed) {
      this.#refed = true;
      this.#socket.setRef(true);
    }
    for (const event of this.#earlyEvents.get(subscriptionId) ?? []) listener(event);
    this.#earlyEvents.delete(subscriptionId);
    return () => {
      this.#eventListeners.delete(subscriptionId);
      this.#eventEnders.delete(subscriptionId);
      this.#earlyEvents.delete(subscriptionId);
      this.#scheduleUnref();
    };
  }

  /**
   * Closes gracefully: new requests are refused with `UNAVAILABLE`, those under way get their
   * answers (a waiting read acquire until its timeout), then the connection closes. Idempotent.
   */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#pending.size === 0) this.#socket.close();
    await this.#closed;
  }

  /** Closes now: requests under way reject with `UNAVAILABLE` (or `error`). Idempotent. */
  async destroy(error?: Error): Promise<void> {
    this.#socket.destroy(error ?? null);
    await this.#closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #onIdle(): void {
    if (this.#closing) this.#socket.close();
    else this.#scheduleUnref();
  }

  // The socket keeps the process alive only while answers are awaited. Dropping the ref is put
  // off to the next turn of the loop, so back-to-back requests do not toggle it each time.
  #scheduleUnref(): void {
    if (this.#unrefScheduled) return;
    this.#unrefScheduled = true;
    setImmediate(() => {
      this.#unrefScheduled = false;
      if (this.#pending.size === 0 && this.#eventListeners.size === 0 && this.#refed) {
        this.#refed = false;
        this.#socket.setRef(false);
      }
    });
  }

  #onLine(line: string): void {
    let answer: Record<string, unknown>;
    try {
      answer = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.#fatal = new PackIceError('INTERNAL', 'the node sent a line that is not JSON');
      return this.#socket.destroy(this.#fatal);
    }
    const count = typeof answer.fds === 'number' ? answer.fds : 0;
    const fds = this.#socket.takeFds(count);
    if (fds.length < count) {
      closeQuietly(...fds);
      this.#fatal = new PackIceError('INTERNAL', `an answer announced ${count} descriptors but ${fds.length} arrived`);
      return this.#socket.destroy(this.#fatal);
    }
    const { id, ok, fds: _count, error, ...body } = answer;
    if (id === undefined && typeof answer.event === 'string') {
      closeQuietly(...fds);
      return this.#onEvent(answer);
    }
    if (id === null || id === undefined) {
      // Not about one request: the node tells why it is about to close the connection.
      closeQuietly(...fds);
      this.#fatal = fromWireError(error);
      return;
    }
    const pending = this.#pending.get(id as number);
    if (!pending) return closeQuietly(...fds);
    pending.cleanup();
    if (ok === true) pending.resolve({ body, fds });
    else {
      closeQuietly(...fds);
      pending.reject(fromWireError(error));
    }
  }

  #onEvent(event: Record<string, unknown>): void {
    const subscription = String(event.subscription_id);
    const listener = this.#eventListeners.get(subscription);
    if (listener) return listener(event);
    const early = this.#earlyEvents.get(subscription) ?? [];
    if (early.length < MAX_EARLY_EVENTS) early.push(event);
    this.#earlyEvents.set(subscription, early);
  }

  #onClose(error: Error | null): void {
    const reason = this.#fatal ?? error;
    this.#closedError = isPackIceError(reason)
      ? reason
      : new PackIceError('UNAVAILABLE', `the connection to ${this.path} closed${reason ? `: ${reason.message}` : ''}`, {
          cause: reason ?? undefined,
        });
    for (const pending of [...this.#pending.values()]) {
      pending.cleanup();
      pending.reject(this.#closedError);
    }
    const enders = [...this.#eventEnders.values()];
    this.#eventEnders.clear();
    for (const onEnd of enders) onEnd(this.#closedError);
    this.#markClosed();
  }
}

/**
 * Connects to a node's socket. Rejects with `UNAVAILABLE` (no socket file, nobody listening,
 * or still no room in the node's backlog after `timeoutMs`).
 */
export async function connectUds(path: string, options: UdsConnectOptions = {}): Promise<UdsTransport> {
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
    try {
      return new UdsTransport(connectUnix(path), path, options.maxLineBytes);
    } catch (err) {
      const busy = isNativeError(err, 'EAGAIN');
      if (!busy || Date.now() >= deadline) {
        const errno = isNativeError(err) ? err.code : String(err);
        const hint =
          errno === 'ENOENT' || errno === 'ECONNREFUSED'
            ? ' Is the node running? Start one with `npx packice node start`.'
            : '';
        throw new PackIceError('UNAVAILABLE', `cannot connect to ${path}: ${errno}.${hint}`, {
          cause: err,
          details: { errno },
        });
      }
      await sleep(wait);
    }
  }
}
