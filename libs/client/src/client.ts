import type { AcquireRequest, DeleteResult, LeaseInfo, ObjectInfo, PeerStats } from '@packice/core';
import type { AcquiredLease, CallOptions, ClientTransport, WatchEvent } from '@packice/protocol';
import { isPackIceError, PackIceError, toPackIceError } from '@packice/core';
import { fromWireEvent } from '@packice/protocol';
import { EventStream } from './event-stream';
import { Lease } from './lease';

/** Options of {@link Client.acquire}: the protocol's acquire parameters plus a signal. */
export type AcquireOptions = AcquireRequest & { signal?: AbortSignal };

/**
 * A connection to a PackIce peer, whatever the target: in-process, a node's Unix socket, or
 * HTTP. Made by `connect()`. Every call that can wait takes `{ signal }`.
 */
export class Client implements AsyncDisposable {
  readonly #transport: ClientTransport;
  readonly #leases = new Set<Lease>();
  readonly #watches = new Set<EventStream>();
  /** Releases sent and not yet answered; `close()` waits for them. */
  readonly #releasing = new Set<Promise<void>>();
  /** A release the node refused, thrown by the next call. */
  #releaseFailure: unknown = undefined;
  #closed = false;

  /** @internal Clients come from `connect()`. */
  constructor(transport: ClientTransport) {
    this.#transport = transport;
  }

  /** `direct` (in-process), `uds` or `http`. */
  get transport(): ClientTransport['kind'] {
    return this.#transport.kind;
  }

  /** Creates an object (`intent: 'create'`) or gets read access to a sealed one. */
  async acquire(options: AcquireOptions): Promise<Lease> {
    this.#open();
    const { signal, ...request } = options;
    return this.#hold(await this.#transport.acquire(request, { signal }));
  }

  /** A Lease over what a transport acquired, tracked until it is released. */
  #hold({ lease, object, access }: AcquiredLease): Lease {
    const held = new Lease(this.#transport, lease, object, access, (ended, answer) => {
      this.#leases.delete(ended);
      this.#releasing.add(answer);
      answer.then(
        () => this.#releasing.delete(answer),
        (err: unknown) => {
          this.#releasing.delete(answer);
          if (!this.#closed) this.#releaseFailure ??= err;
        },
      );
    });
    this.#leases.add(held);
    return held;
  }

  /**
   * Read leases on several sealed objects at once, in the order given: each a {@link Lease} or
   * the {@link PackIceError} that object got (`NOT_FOUND`, `TIMEOUT` with `timeoutMs`, ...). Over
   * UDS one round trip (`acquire_many`, up to 256 ids); elsewhere the acquires run side by side.
   */
  async acquireMany(
    objectIds: readonly string[],
    options: { ttlMs?: number; timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<(Lease | PackIceError)[]> {
    this.#open();
    const { signal, ...request } = options;
    const sideBySide = () =>
      Promise.all(
        objectIds.map((objectId) =>
          this.acquire({ intent: 'read', objectId, ...request, signal }).catch((err: unknown) => toPackIceError(err)),
        ),
      );
    if (!this.#transport.acquireMany) return sideBySide();
    try {
      const results = await this.#transport.acquireMany(objectIds, request, { signal });
      return results.map((r) => (isPackIceError(r) ? r : this.#hold(r)));
    } catch (err) {
      // A node from before acquire_many.
      if (isPackIceError(err, 'UNKNOWN_OP')) return sideBySide();
      throw err;
    }
  }

  /**
   * Creates, writes and seals a one-blob object from bytes or a stream (streamed, never held
   * whole); resolves with the sealed object. On failure the object is aborted. Bytes up to the
   * transport's `bytesInCreateMax` (64 KiB over UDS and in-process) travel in the request itself
   * and the node seals at once: one round trip (UDS `put`, which leaves no lease; against a node
   * without it, a create whose lease is released with the client's next request). Larger data
   * takes a create, its writes and a seal, and resolves once the create lease has ended.
   */
  async put(
    data: Uint8Array | string | AsyncIterable<Uint8Array | string>,
    options: { objectId?: string; meta?: Record<string, string> } & CallOptions = {},
  ): Promise<ObjectInfo> {
    const { signal, ...rest } = options;
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    if (bytes instanceof Uint8Array && bytes.byteLength <= this.#transport.bytesInCreateMax) {
      // A small object in one request: created with its bytes and sealed by the node at once.
      signal?.throwIfAborted();
      this.#open();
      const made = await this.#transport.put?.({ ...rest, data: bytes }, { signal });
      if (made) return made;
      const lease = await this.acquire({ intent: 'create', ...rest, blobs: [{ data: bytes }], seal: true, signal });
      const { blobs, ...sealed } = lease.object;
      await lease.release();
      return { ...sealed, blobs: blobs.map((b) => ({ size: b.size })) };
    }
    const hint = bytes instanceof Uint8Array ? [{ size: bytes.byteLength }] : 1;
    const lease = await this.acquire({ intent: 'create', ...rest, blobs: hint, signal });
    try {
      if (bytes instanceof Uint8Array) await lease.write(bytes, 0, { signal });
      else await lease.writeFrom(bytes, 0, { signal });
      return await lease.seal({ signal });
    } finally {
      // A helper's lease is its own business: it is over once the call resolves.
      await lease.release({ wait: true });
    }
  }

  /**
   * Reads blob 0 of an object (a copy), waiting up to `timeoutMs` for it to be sealed; resolves
   * once its read lease has ended.
   */
  async get(objectId: string, options: { timeoutMs?: number } & CallOptions = {}): Promise<Buffer> {
    const lease = await this.acquire({ intent: 'read', objectId, ...options });
    try {
      return await lease.read(0, { signal: options.signal });
    } finally {
      await lease.release({ wait: true });
    }
  }

  /** An object, without handles. */
  async stat(objectId: string, options: CallOptions = {}): Promise<ObjectInfo> {
    this.#open();
    return this.#transport.stat(objectId, options);
  }

  /** Deletes an object now, or once its last lease ends (`pending`). */
  async delete(objectId: string, options: CallOptions = {}): Promise<DeleteResult> {
    this.#open();
    return this.#transport.delete(objectId, options);
  }

  async listObjects(options: CallOptions = {}): Promise<ObjectInfo[]> {
    this.#open();
    return this.#transport.listObjects(options);
  }

  async listLeases(filter: { objectId?: string } = {}, options: CallOptions = {}): Promise<LeaseInfo[]> {
    this.#open();
    return this.#transport.listLeases(filter, options);
  }

  async stats(options: CallOptions = {}): Promise<PeerStats> {
    this.#open();
    return this.#transport.stats(options);
  }

  /** The peer's storage backend: `mem` or `fs`. */
  async storage(options: CallOptions = {}): Promise<string> {
    this.#open();
    return this.#transport.storage(options);
  }

  /**
   * The node's events as they happen (`sealed`, `deleted`, `evicted`, `aborted`,
   * `lease_expired`), optionally only for ids starting with `prefix`, and with `replay` first a
   * `sealed` event for every object already sealed. Ends with `break`, the signal, or `close()`.
   * A gap in `seq`, or an `overflow` event, shows events that were dropped.
   */
  watch(options: { prefix?: string; replay?: boolean; signal?: AbortSignal } = {}): AsyncIterableIterator<WatchEvent> {
    this.#open();
    const { signal, ...query } = options;
    let handle: { close(): Promise<void> } | null = null;
    let closing = false;
    const stream = new EventStream(async () => {
      closing = true;
      this.#watches.delete(stream);
      signal?.removeEventListener('abort', onAbort);
      await handle?.close();
    });
    const onAbort = (): void => stream.end(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    this.#watches.add(stream);
    this.#transport
      .watch(query, (event) => stream.push(fromWireEvent(event)), { signal })
      .then(
        (opened) => {
          handle = opened;
          if (closing) void opened.close();
          opened.ended.then(
            () => stream.end(),
            (err: unknown) => stream.end(err),
          );
        },
        (err: unknown) => stream.end(err),
      );
    if (signal?.aborted) stream.end(signal.reason);
    return stream;
  }

  /**
   * Releases the leases still held (closing their descriptors; unsealed creates are aborted),
   * then closes the connection. Views from `map()` stay valid. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const stream of [...this.#watches]) stream.end();
    await Promise.allSettled([...this.#leases].map((lease) => lease.release()));
    await Promise.allSettled([...this.#releasing]);
    await this.#transport.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #open(): void {
    if (this.#closed) throw new PackIceError('UNAVAILABLE', 'the client is closed');
    const failure = this.#releaseFailure;
    if (failure === undefined) return;
    this.#releaseFailure = undefined;
    const cause = toPackIceError(failure);
    throw new PackIceError(cause.code, `an earlier release was refused: ${cause.message}`, { cause });
  }
}
