import type { Peer } from '@packice/core';
import { createPeer } from '@packice/core';
import { getFileLimit, openDescriptorCount } from '@packice/native';
import { createFsStorage } from '@packice/storage-fs';
import { createMemoryLeaseStore, createMemStorage } from '@packice/storage-mem';
import { createHttpServer, type HttpServer } from '@packice/transport-http';
import { createUdsServer, type UdsServer } from '@packice/transport-uds';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { NodeConfig } from './config';
import { acquirePidfile, type Pidfile } from './pidfile';

/** A running (or startable) PackIce node. */
export interface PackIceNode extends AsyncDisposable {
  readonly config: NodeConfig;
  readonly peer: Peer;
  /** The socket path once listening on UDS, else `null`. */
  readonly socket: string | null;
  /** The HTTP base URL once listening on HTTP, else `null`. */
  readonly url: string | null;
  /** Takes the pidfile (`ALREADY_EXISTS` while another node holds it), opens the storage, listens. */
  start(): Promise<void>;
  /** Stops accepting, finishes work under way, removes the socket and pidfile. Idempotent. */
  close(): Promise<void>;
}

/** Assembles a node from a configuration: Peer + storage + transports. Call `start()`. */
export function createNode(config: NodeConfig): PackIceNode {
  const storage = config.storage === 'fs' ? createFsStorage({ root: config.dir as string }) : createMemStorage();
  const peer = createPeer({
    storage,
    leaseStore: createMemoryLeaseStore(),
    capacityBytes: config.capacityBytes,
    defaultTtlMs: config.defaultTtlMs,
    descriptors: () => ({ inUse: openDescriptorCount(), limit: getFileLimit().soft }),
  });
  let uds: UdsServer | null = null;
  let http: HttpServer | null = null;
  let url: string | null = null;
  let pidfile: Pidfile | null = null;
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
      // The pidfile first: while a node holds it, no second node opens the same storage.
      if (config.pidfile) pidfile = acquirePidfile(config.pidfile);
      try {
        await peer.start();
        if (config.transports.includes('uds')) {
          mkdirSync(dirname(config.socket), { recursive: true, mode: 0o700 });
          uds = createUdsServer(peer, { path: config.socket, mode: config.socketMode, allowUids: config.allowUids });
          await uds.listen();
        }
        if (config.transports.includes('http')) {
          http = createHttpServer(peer, { host: config.host, port: config.port, token: config.token ?? undefined });
          url = await http.listen();
        }
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
        pidfile?.release();
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
