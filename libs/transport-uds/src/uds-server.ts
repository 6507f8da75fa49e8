import type { AcquireResult, Blob, Peer, WireHandle } from '@packice/core';
import {
  fromWireAcquire,
  PackIceError,
  toPackIceError,
  toWireDelete,
  toWireLease,
  toWireObject,
  toWireStats,
} from '@packice/core';
import type { FdWatcher, PeerCredentials } from '@packice/native';
import { acceptConnection, dupCloexec, listenUnix, peerCredentials, watchFd } from '@packice/native';
import { chmodSync, closeSync, openSync } from 'node:fs';
import { LineSocket } from './line-socket';
import { packageVersion } from './package-version';
import { prepareSocketPath, removeSocketFile } from './socket-file';

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
}

/** Defaults of {@link UdsServerOptions}. */
export const UDS_SERVER_DEFAULTS = Object.freeze({
  mode: 0o600,
  maxLineBytes: 1 << 20, // 1 MiB
  maxInFlight: 64,
  serverName: 'packice',
});

/** Features a UDS node announces in `hello`. */
export const UDS_FEATURES: readonly string[] = Object.freeze(['fd-handles', 'wait-for-seal', 'peer-credentials']);

/** A Unix-socket server adapting a Peer to PROTOCOL.md's UDS binding. */
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

type Params = Record<string, unknown>;
interface Answer {
  result: Params;
  fds?: number[];
}

class Connection {
  readonly socket: LineSocket;
  readonly leases = new Set<string>();
  readonly waits = new AbortController();
  inFlight = 0;
  idle: (() => void) | null = null;
  /** Settles once the socket has closed and the connection is forgotten. */
  readonly closed: Promise<void>;
  #markClosed!: () => void;

  constructor(
    readonly server: UdsServerImpl,
    fd: number,
    readonly cred: PeerCredentials,
  ) {
    this.closed = new Promise((resolve) => (this.#markClosed = resolve));
    this.socket = new LineSocket(fd, {
      maxLineBytes: server.maxLineBytes,
      acceptFds: false,
      onLine: (line) => this.onLine(line),
      onOverflow: () => {
        this.reply(null, new PackIceError('PAYLOAD_TOO_LARGE', `a request line is over ${server.maxLineBytes} bytes`));
        this.socket.end();
      },
      onHangup: () => this.waits.abort(new PackIceError('SHUTTING_DOWN', 'the client hung up')),
      onClose: () => {
        server.forget(this);
        this.#markClosed();
      },
    });
  }

  reply(id: number | null, error: PackIceError): void {
    this.socket.send(JSON.stringify({ id, ok: false, error: error.toJSON() }));
  }

  onLine(line: string): void {
    let request: unknown;
    try {
      request = JSON.parse(line);
    } catch {
      return this.reply(null, new PackIceError('BAD_REQUEST', 'the line is not JSON'));
    }
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      return this.reply(null, new PackIceError('BAD_REQUEST', 'a request is a JSON object'));
    }
    const { id, op, ...params } = request as Params;
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
      return this.reply(null, new PackIceError('BAD_REQUEST', 'id must be an integer'));
    }
    if (typeof op !== 'string') return this.reply(id, new PackIceError('BAD_REQUEST', 'op must be a string'));
    this.inFlight++;
    if (this.inFlight >= this.server.maxInFlight) this.socket.pause();
    this.server
      .dispatch(this, op, params)
      .then(
        ({ result, fds = [] }) => {
          const line = JSON.stringify(fds.length > 0 ? { id, ok: true, ...result, fds: fds.length } : { id, ok: true, ...result });
          // The descriptors are this server's own copies: close them once the kernel has passed them on.
          this.socket.send(line, fds, () => fds.forEach((fd) => closeSync(fd)));
        },
        (err: unknown) => this.reply(id, toPackIceError(err)),
      )
      .finally(() => {
        this.inFlight--;
        if (this.inFlight < this.server.maxInFlight) this.socket.resume();
        if (this.inFlight === 0) this.idle?.();
      });
  }

  /** Ends the connection's leases (an unsealed create is aborted). */
  async releaseAll(peer: Peer): Promise<void> {
    const ids = [...this.leases];
    this.leases.clear();
    await Promise.all(ids.map((leaseId) => peer.release(leaseId).catch(() => undefined)));
  }
}

class UdsServerImpl implements UdsServer {
  readonly path: string;
  readonly maxLineBytes: number;
  readonly maxInFlight: number;
  readonly #mode: number;
  readonly #allowUids: ReadonlySet<number>;
  readonly #serverName: string;
  readonly #peer: Peer;
  readonly #connections = new Set<Connection>();
  readonly #leaseOwners = new Map<string, Connection>();
  #listenFd: number | null = null;
  #watcher: FdWatcher | null = null;
  #unsubscribe: (() => void) | null = null;
  #closing: Promise<void> | null = null;
  readonly #releases = new Set<Promise<void>>();

  constructor(peer: Peer, options: UdsServerOptions) {
    this.#peer = peer;
    this.path = options.path;
    this.#mode = options.mode ?? UDS_SERVER_DEFAULTS.mode;
    this.maxLineBytes = options.maxLineBytes ?? UDS_SERVER_DEFAULTS.maxLineBytes;
    this.maxInFlight = options.maxInFlight ?? UDS_SERVER_DEFAULTS.maxInFlight;
    this.#serverName = options.serverName ?? UDS_SERVER_DEFAULTS.serverName;
    const self = process.getuid?.() ?? 0;
    this.#allowUids = new Set(options.allowUids ?? [self, 0]);
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
      closeSync(fd);
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
        closeSync(this.#listenFd);
        removeSocketFile(this.path);
      }
      const shutting = new PackIceError('SHUTTING_DOWN', 'the node is shutting down');
      await Promise.all(
        [...this.#connections].map(async (conn) => {
          conn.socket.pause();
          conn.waits.abort(shutting);
          if (conn.inFlight > 0) await new Promise<void>((resolve) => (conn.idle = resolve));
          // Answers already queued get 5 s to reach a client that reads slowly.
          const deadline = setTimeout(() => conn.socket.close(), 5_000);
          conn.socket.end();
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

  forget(conn: Connection): void {
    this.#connections.delete(conn);
    for (const leaseId of conn.leases) this.#leaseOwners.delete(leaseId);
    conn.waits.abort(new PackIceError('SHUTTING_DOWN', 'the connection closed'));
    const release = conn.releaseAll(this.#peer);
    this.#releases.add(release);
    void release.finally(() => this.#releases.delete(release));
  }

  #accept(): void {
    if (this.#listenFd === null || this.#closing) return;
    for (;;) {
      let fd: number | null;
      try {
        fd = acceptConnection(this.#listenFd);
      } catch (err) {
        process.emitWarning(`PackIce UDS server: accept failed: ${String(err)}`);
        return;
      }
      if (fd === null) return;
      let cred: PeerCredentials;
      try {
        cred = peerCredentials(fd);
      } catch {
        closeSync(fd);
        continue;
      }
      const conn = new Connection(this, fd, cred);
      this.#connections.add(conn);
      if (!this.#allowUids.has(cred.uid)) {
        conn.reply(null, new PackIceError('UNAUTHORIZED', `uid ${cred.uid} may not use this node`));
        conn.socket.end();
      }
    }
  }

  async dispatch(conn: Connection, op: string, params: Params): Promise<Answer> {
    const peer = this.#peer;
    switch (op) {
      case 'hello':
        return {
          result: {
            protocol: 1,
            server: { name: this.#serverName, version: packageVersion },
            storage: peer.storageName,
            transport: 'uds',
            features: [...UDS_FEATURES],
          },
        };
      case 'ping':
        return { result: {} };
      case 'acquire':
        return this.#acquire(conn, params);
      case 'seal':
        return { result: { object: toWireObject(await peer.seal(params.lease_id as string)) } };
      case 'release':
        await peer.release(params.lease_id as string);
        return { result: {} };
      case 'renew':
        return { result: { lease: toWireLease(await peer.renew(params.lease_id as string, params.ttl_ms as number)) } };
      case 'delete':
        return { result: { ...toWireDelete(await peer.delete(params.object_id as string)) } };
      case 'stat':
        return { result: { object: toWireObject(await peer.stat(params.object_id as string)) } };
      case 'list_objects':
        return { result: { objects: (await peer.listObjects()).map((o) => toWireObject(o)) } };
      case 'list_leases': {
        const filter = params.object_id === undefined ? {} : { objectId: params.object_id as string };
        return { result: { leases: (await peer.listLeases(filter)).map(toWireLease) } };
      }
      case 'stats':
        return { result: { ...toWireStats(await peer.stats()) } };
      default:
        throw new PackIceError('UNKNOWN_OP', `unknown op ${JSON.stringify(op).slice(0, 80)}`);
    }
  }

  async #acquire(conn: Connection, params: Params): Promise<Answer> {
    const result = await this.#peer.acquire(fromWireAcquire(params), {
      holder: { transport: 'uds', pid: conn.cred.pid, uid: conn.cred.uid },
      signal: conn.waits.signal,
    });
    const { lease, object } = result;
    if (conn.socket.closed) {
      await this.#peer.release(lease.leaseId).catch(() => undefined);
      throw new PackIceError('SHUTTING_DOWN', 'the connection closed');
    }
    conn.leases.add(lease.leaseId);
    this.#leaseOwners.set(lease.leaseId, conn);
    let fds: number[];
    try {
      fds = descriptorsFor(result);
    } catch (err) {
      conn.leases.delete(lease.leaseId);
      await this.#peer.release(lease.leaseId).catch(() => undefined);
      throw err;
    }
    const handles: WireHandle[] = fds.map((_fd, i) => ({ kind: 'fd', fd: i }));
    return { result: { lease: toWireLease(lease), object: toWireObject(object, handles) }, fds };
  }
}

/**
 * This server's own descriptor for each blob: a duplicate of a memfd (so deleting the object
 * while the answer waits in the queue cannot close or recycle the number), or the file opened
 * read-only (read lease) or read-write (create lease). All are closed once sent.
 */
function descriptorsFor({ lease, object }: AcquireResult): number[] {
  const fds: number[] = [];
  try {
    for (const blob of object.blobs as readonly Blob[]) {
      const handle = blob.handle(lease.access);
      if (handle.kind === 'fd') fds.push(dupCloexec(handle.fd));
      else if (handle.kind === 'path') fds.push(openSync(handle.path, lease.access === 'read' ? 'r' : 'r+'));
      else throw new PackIceError('INTERNAL', 'this storage keeps blobs in-process: they cannot be passed over a socket');
    }
    return fds;
  } catch (err) {
    fds.forEach((fd) => closeSync(fd));
    if (err instanceof PackIceError) throw err;
    throw new PackIceError('INTERNAL', `cannot open blob of object ${object.objectId}: ${String(err)}`, { cause: err });
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
