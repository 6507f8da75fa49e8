import type { Peer } from '@packice/core';
import { createPeer, PackIceError } from '@packice/core';
import { createFsStorage } from '@packice/storage-fs';
import { createMemoryLeaseStore, createMemStorage } from '@packice/storage-mem';
import { createHttpServer, type HttpServer } from '@packice/transport-http';
import { createUdsServer, type UdsServer } from '@packice/transport-uds';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { NodeConfig } from './config';

/** A running (or startable) PackIce node. */
export interface PackIceNode extends AsyncDisposable {
  readonly config: NodeConfig;
  readonly peer: Peer;
  /** The socket path once listening on UDS, else `null`. */
  readonly socket: string | null;
  /** The HTTP base URL once listening on HTTP, else `null`. */
  readonly url: string | null;
  /** Opens the storage, listens on every transport, writes the pidfile. */
  start(): Promise<void>;
  /** Stops accepting, finishes work under way, removes the socket and pidfile. Idempotent. */
  close(): Promise<void>;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes the pidfile, refusing one that names a live process other than this one. */
function writePidfile(path: string): void {
  let other: number | null = null;
  try {
    other = Number(readFileSync(path, 'utf8').trim());
  } catch {
    // no pidfile yet
  }
  if (other && other !== process.pid && processAlive(other)) {
    throw new PackIceError(
      'ALREADY_EXISTS',
      `pidfile ${path} names a running process (${other}): is a node already running?`,
    );
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${process.pid}\n`, { mode: 0o644 });
}

/** Assembles a node from a configuration: Peer + storage + transports. Call `start()`. */
export function createNode(config: NodeConfig): PackIceNode {
  const storage = config.storage === 'fs' ? createFsStorage({ root: config.dir as string }) : createMemStorage();
  const peer = createPeer({
    storage,
    leaseStore: createMemoryLeaseStore(),
    capacityBytes: config.capacityBytes,
    defaultTtlMs: config.defaultTtlMs,
  });
  let uds: UdsServer | null = null;
  let http: HttpServer | null = null;
  let url: string | null = null;
  let listening = false;
  let closing: Promise<void> | null = null;

  const node: PackIceNode = {
    config,
    peer,
    get socket() {
      return listening && uds ? config.socket : null;
    },
    get url() {
      return url;
    },
    async start() {
      await peer.start();
      try {
        if (config.transports.includes('uds')) {
          mkdirSync(dirname(config.socket), { recursive: true, mode: 0o700 });
          uds = createUdsServer(peer, { path: config.socket, mode: config.socketMode, allowUids: config.allowUids });
          await uds.listen();
        }
        if (config.transports.includes('http')) {
          http = createHttpServer(peer, { host: config.host, port: config.port, token: config.token ?? undefined });
          url = await http.listen();
        }
        if (config.pidfile) writePidfile(config.pidfile);
        listening = true;
      } catch (err) {
        await node.close();
        throw err;
      }
    },
    close() {
      closing ??= (async () => {
        await Promise.all([uds?.close(), http?.close()]);
        await peer.close();
        if (config.pidfile && listening) rmSync(config.pidfile, { force: true });
        listening = false;
      })();
      return closing;
    },
    [Symbol.asyncDispose]() {
      return node.close();
    },
  };
  return node;
}
