import type { Peer } from '@packice/core';
import type { WireHello } from '@packice/protocol';
import { PackIceError } from '@packice/core';
import type { FdWatcher, PeerCredentials } from '@packice/native';
import { acceptConnection, closeQuietly, isNativeError, listenUnix, peerCredentials, watchFd } from '@packice/native';
import { chmodSync } from 'node:fs';
import { packageVersion } from './package-version';
import { prepareSocketPath, removeSocketFile } from './socket-file';
import { UdsConnection, type ConnectionHost, type UdsAnswer } from './uds-connection';
import { createUdsDispatch, type UdsDispatch } from './uds-dispatch';

/** Options of {@link createUdsServer}. */
export interface UdsServerOptions {
  /** Path of the socket file. */
  path: string;
  /** Mode of the socket file. */
  mode?: number;
  /** Peer uids allowed to connect; default this process's uid and root. */
  allowUids?: readonly number[];
  /** Longest request line (bytes); longer is `PAYLOAD_TOO_LARGE` and the connection closes. */
  maxLineBytes?: number;
  /** Requests one connection may have under way before its further requests wait. */
  maxInFlight?: number;
  /** Reported by `hello`. */
  serverName?: string;
  /** Told of every answered request (for metrics): its op, `ok` or the error code, its duration. */
  onRequest?: (op: string, code: string, seconds: number) => void;
  /** Told of every release an `acquire` carried (for metrics): `ok` or the error code. */
  onCarriedRelease?: (code: string) => void;
}

/** Defaults of {@link UdsServerOptions}. */
export const UDS_SERVER_DEFAULTS = Object.freeze({
  mode: 0o600,
  maxLineBytes: 1 << 20, // 1 MiB
  maxInFlight: 64,
  serverName: 'packice',
});

/** Features a UDS node announces in `hello`. */
export const UDS_FEATURES: readonly string[] = Object.freeze([
  'fd-handles',
  'wait-for-seal',
  'peer-credentials',
  'release-with-acquire',
  'inline-bytes',
  'put',
]);

/** How long queued answers may take to reach a slow client once the server closes. */
const CLOSE_GRACE_MS = 5_000;
/** How long accepting pauses when the process is out of descriptors. */
const ACCEPT_RETRY_MS = 50;

/** A Unix-socket server adapting a Peer to the UDS binding (docs/protocol.md). */
export interface UdsServer extends AsyncDisposable {
  readonly path: string;
  /** Connections open now. */
  readonly connections: number;
  /** Makes the socket file and starts accepting. */
  listen(): Promise<void>;
  /**
   * Stops accepting and removes the socket file; waiting reads end with `SHUTTING_DOWN`, other
   * requests under way finish and are answered; then every connection closes and releases its
   * leases. Does not close the Peer. Idempotent.
   */
  close(): Promise<void>;
}

class UdsServerImpl implements UdsServer, ConnectionHost {
  readonly path: string;
  readonly maxLineBytes: number;
  readonly maxInFlight: number;
  readonly #mode: number;
  readonly #allowUids: ReadonlySet<number>;
  readonly #peer: Peer;
  readonly #dispatch: UdsDispatch;
  readonly #connections = new Set<UdsConnection>();
  readonly #leaseOwners = new Map<string, UdsConnection>();
  readonly #releases = new Set<Promise<void>>();
  readonly observe: ((op: string, code: string, seconds: number) => void) | undefined;
  #listenFd: number | null = null;
  #watcher: FdWatcher | null = null;
  #unsubscribe: (() => void) | null = null;
  #closing: Promise<void> | null = null;

  constructor(peer: Peer, options: UdsServerOptions) {
    this.#peer = peer;
    this.path = options.path;
    this.#mode = options.mode ?? UDS_SERVER_DEFAULTS.mode;
    this.maxLineBytes = options.maxLineBytes ?? UDS_SERVER_DEFAULTS.maxLineBytes;
    this.maxInFlight = options.maxInFlight ?? UDS_SERVER_DEFAULTS.maxInFlight;
    this.#allowUids = new Set(options.allowUids ?? [process.getuid?.() ?? 0, 0]);
    this.observe = options.onRequest;
    const hello: WireHello = {
      protocol: 1,
      server: { name: options.serverName ?? UDS_SERVER_DEFAULTS.serverName, version: packageVersion },
      storage: peer.storageName,
      transport: 'uds',
      features: [...UDS_FEATURES],
    };
    this.#dispatch = createUdsDispatch(
      peer,
      () => hello,
      (conn, leaseId) => this.#leaseOwners.set(leaseId, conn),
      options.onCarriedRelease,
    );
  }

  get connections(): number {
    return this.#connections.size;
  }

  async listen(): Promise<void> {
    if (this.#closing) throw new PackIceError('SHUTTING_DOWN', 'the server is closed');
    if (this.#listenFd !== null) return;
    await prepareSocketPath(this.path);
    const fd = listenUnix(this.path);
    try {
      chmodSync(this.path, this.#mode);
    } catch (err) {
      closeQuietly(fd);
      removeSocketFile(this.path);
      throw err;
    }
    this.#listenFd = fd;
    this.#watcher = watchFd(fd, { readable: true }, () => this.#accept(), { ref: true });
    this.#unsubscribe = this.#peer.events.on('lease-end', ({ lease }) => {
      this.#leaseOwners.get(lease.leaseId)?.leases.delete(lease.leaseId);
      this.#leaseOwners.delete(lease.leaseId);
    });
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#watcher?.close();
      if (this.#listenFd !== null) {
        closeQuietly(this.#listenFd);
        removeSocketFile(this.path);
      }
      const shutting = new PackIceError('SHUTTING_DOWN', 'the node is shutting down');
      await Promise.all(
        [...this.#connections].map(async (conn) => {
          conn.socket.pause();
          conn.waits.abort(shutting);
          if (conn.inFlight > 0) await new Promise<void>((resolve) => (conn.idle = resolve));
          const deadline = setTimeout(() => conn.socket.destroy(), CLOSE_GRACE_MS);
          conn.socket.close();
          await conn.closed;
          clearTimeout(deadline);
        }),
      );
      await Promise.all([...this.#releases]);
      this.#unsubscribe?.();
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  dispatch(conn: UdsConnection, op: string, params: object): Promise<UdsAnswer> {
    return this.#dispatch(conn, op, params);
  }

  /** A closed connection: its waits stop and its leases end (an unsealed create is aborted). */
  forget(conn: UdsConnection): void {
    this.#connections.delete(conn);
    for (const subscription of conn.subscriptions.values()) subscription.close();
    conn.subscriptions.clear();
    for (const leaseId of conn.leases) this.#leaseOwners.delete(leaseId);
    conn.waits.abort(new PackIceError('SHUTTING_DOWN', 'the connection closed'));
    const ids = [...conn.leases];
    conn.leases.clear();
    const release = Promise.all(ids.map((leaseId) => this.#peer.release(leaseId).catch(() => undefined))).then(
      () => undefined,
    );
    this.#releases.add(release);
    void release.finally(() => this.#releases.delete(release));
  }

  #pauseAccepting(): void {
    this.#watcher?.update({ readable: false });
    const timer = setTimeout(() => {
      if (this.#closing) return;
      this.#watcher?.update({ readable: true });
      this.#accept();
    }, ACCEPT_RETRY_MS);
    timer.unref();
  }

  #accept(): void {
    if (this.#listenFd === null || this.#closing) return;
    for (;;) {
      let fd: number | null;
      try {
        fd = acceptConnection(this.#listenFd);
      } catch (err) {
        // Out of descriptors: the waiting client stays in the backlog, and the listening socket
        // stays readable. Stop watching it for a moment instead of spinning on it.
        if (isNativeError(err, 'EMFILE') || isNativeError(err, 'ENFILE')) return this.#pauseAccepting();
        process.emitWarning(`PackIce UDS server: accept failed: ${String(err)}`);
        return;
      }
      if (fd === null) return;
      let cred: PeerCredentials;
      try {
        cred = peerCredentials(fd);
      } catch {
        closeQuietly(fd);
        continue;
      }
      const conn = new UdsConnection(this, fd, cred);
      this.#connections.add(conn);
      if (!this.#allowUids.has(cred.uid)) {
        conn.reply(null, new PackIceError('UNAUTHORIZED', `uid ${cred.uid} may not use this node`));
        conn.socket.close();
      }
    }
  }
}

/** Makes a UDS server for `peer`; call `listen()` to start it. */
export function createUdsServer(peer: Peer, options: UdsServerOptions): UdsServer {
  if (typeof options?.path !== 'string' || options.path.length === 0) {
    throw new PackIceError('BAD_REQUEST', 'createUdsServer needs { path }');
  }
  const positive = (value: unknown, name: string): void => {
    if (value !== undefined && (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0)) {
      throw new PackIceError('BAD_REQUEST', `${name} must be a positive integer`);
    }
  };
  positive(options.maxLineBytes, 'maxLineBytes');
  positive(options.maxInFlight, 'maxInFlight');
  return new UdsServerImpl(peer, options);
}
