import { fromWireError, PackIceError } from '@packice/core';
import { connectUnix, isNativeError } from '@packice/native';
import { closeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { LineSocket } from './line-socket';

/** An answer of the node: its fields (`id`, `ok` removed) and the descriptors that came with it. */
export interface UdsAnswer {
  body: Record<string, unknown>;
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
  resolve: (answer: UdsAnswer) => void;
  reject: (err: unknown) => void;
  cleanup: () => void;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_ANSWER_BYTES = 256 << 20; // 256 MiB: list answers of big nodes

function closeAll(fds: readonly number[]): void {
  for (const fd of fds) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }
}

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
      onOverflow: () => this.#socket.close(new Error(`an answer line is over ${maxLineBytes} bytes`)),
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
   * Sends one request and waits for its answer. Rejects with the node's error (a PackIceError
   * with its code), `UNAVAILABLE` when the connection is or gets closed, or the signal's reason.
   */
  request(op: string, params: Record<string, unknown> = {}, options: { signal?: AbortSignal } = {}): Promise<UdsAnswer> {
    if (this.#closedError) return Promise.reject(this.#closedError);
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = this.#nextId++;
    return new Promise<UdsAnswer>((resolve, reject) => {
      const onAbort = (): void => {
        // The answer may still come: its descriptors are then closed in #onLine.
        this.#pending.get(id)?.cleanup();
        reject(signal?.reason);
      };
      const cleanup = (): void => {
        this.#pending.delete(id);
        signal?.removeEventListener('abort', onAbort);
        if (this.#pending.size === 0) this.#scheduleUnref();
      };
      this.#pending.set(id, { resolve, reject, cleanup });
      signal?.addEventListener('abort', onAbort, { once: true });
      if (!this.#refed) {
        this.#refed = true;
        this.#socket.setRef(true);
      }
      this.#socket.send(JSON.stringify({ ...params, id, op }));
    });
  }

  /** Closes the connection; requests under way reject with `UNAVAILABLE`. Idempotent. */
  async close(): Promise<void> {
    this.#socket.close(null);
    await this.#closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // The socket keeps the process alive only while answers are awaited. Dropping the ref is put
  // off to the next turn of the loop, so back-to-back requests do not toggle it each time.
  #scheduleUnref(): void {
    if (this.#unrefScheduled) return;
    this.#unrefScheduled = true;
    setImmediate(() => {
      this.#unrefScheduled = false;
      if (this.#pending.size === 0 && this.#refed) {
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
      return this.#socket.close(this.#fatal);
    }
    const count = typeof answer.fds === 'number' ? answer.fds : 0;
    const fds = this.#socket.takeFds(count);
    if (fds.length < count) {
      closeAll(fds);
      this.#fatal = new PackIceError('INTERNAL', `an answer announced ${count} descriptors but ${fds.length} arrived`);
      return this.#socket.close(this.#fatal);
    }
    const { id, ok, fds: _count, error, ...body } = answer;
    if (id === null || id === undefined) {
      // Not about one request: the node tells why it is about to close the connection.
      closeAll(fds);
      this.#fatal = fromWireError(error);
      return;
    }
    const pending = this.#pending.get(id as number);
    if (!pending) return closeAll(fds);
    pending.cleanup();
    if (ok === true) pending.resolve({ body, fds });
    else {
      closeAll(fds);
      pending.reject(fromWireError(error));
    }
  }

  #onClose(error: Error | null): void {
    const reason = this.#fatal ?? error;
    this.#closedError =
      reason instanceof PackIceError
        ? reason
        : new PackIceError('UNAVAILABLE', `the connection to ${this.path} closed${reason ? `: ${reason.message}` : ''}`, {
            cause: reason ?? undefined,
          });
    for (const pending of [...this.#pending.values()]) {
      pending.cleanup();
      pending.reject(this.#closedError);
    }
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
