import type { ClusterPeer } from '@packice/cluster';
import type { Peer } from '@packice/core';
import { createRedisCatalog } from '@packice/catalog-redis';
import { createClusterPeer } from '@packice/cluster';
import { createPeer } from '@packice/core';
import { eventHubOf } from '@packice/protocol';
import { getFileLimit, openDescriptorCount } from '@packice/native';
import { createFsStorage } from '@packice/storage-fs';
import { createMemStorage } from '@packice/storage-mem';
import { createS3Storage, type S3Storage } from '@packice/storage-s3';
import {
  createHttpServer,
  generateToken,
  removeNodeFile,
  writeNodeRecord,
  writeTokenFile,
  type HttpServer,
} from '@packice/transport-http';
import { createUdsServer, type UdsServer } from '@packice/transport-uds';
import { once } from 'node:events';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { runtimeDirectory } from '@packice/core';
import type { NodeConfig } from './config';
import { createNodeMetrics, type NodeMetrics } from './metrics';
import { acquirePidfile, type Pidfile } from '@packice/node-process';
import { createRemoteReads } from './http-remote-reads';

/** A running (or startable) PackIce node. */
export interface PackIceNode extends AsyncDisposable {
  readonly config: NodeConfig;
  readonly peer: Peer;
  /** The socket path once listening on UDS, else `null`. */
  readonly socket: string | null;
  /** The metrics URL once listening with a metrics port, else `null`. */
  readonly metricsUrl: string | null;
  /** The node's Prometheus metrics. */
  readonly metrics: NodeMetrics;
  /** The HTTP base URL once listening on HTTP, else `null`. */
  readonly url: string | null;
  /** The 0600 file holding the HTTP token (generated or given), while listening on HTTP with one. */
  readonly tokenFile: string | null;
  /** This node's record in the user's runtime directory, while listening on HTTP. */
  readonly record: string | null;
  /** Takes the pidfile (`ALREADY_EXISTS` while another node holds it), opens the storage, listens. */
  start(): Promise<void>;
  /** Stops accepting, finishes work under way, removes the socket and pidfile. Idempotent. */
  close(): Promise<void>;
}

/** Assembles a node from a configuration: Peer + storage + transports. Call `start()`. */
export function createNode(config: NodeConfig): PackIceNode {
  const shared = config.redis !== null;
  const storage =
    config.storage === 'fs'
      ? createFsStorage({ root: config.dir as string, shared })
      : config.storage === 's3' && config.s3
        ? createS3Storage({
            bucket: config.s3.bucket,
            endpoint: config.s3.endpoint ?? undefined,
            region: config.s3.region ?? undefined,
            prefix: config.s3.prefix,
            pathStyle: config.s3.pathStyle,
            cacheBytes: config.s3.cacheBytes,
            checksums: config.s3.checksums ?? undefined,
            shared,
            // Writes and cached reads live in memfds of their own: a UDS client maps them.
            local: createMemStorage({ smallObjectMaxBytes: 0 }),
          })
        : createMemStorage({ smallObjectMaxBytes: config.smallObjectMaxBytes });
  const local = createPeer({
    storage,
    // In a cluster the catalog bounds the shared space; a node's own Peer does not evict.
    capacityBytes: shared ? null : config.capacityBytes,
    defaultTtlMs: config.defaultTtlMs,
    descriptors: () => ({ inUse: openDescriptorCount(), limit: getFileLimit().soft }),
  });
  const catalog = shared ? createRedisCatalog({ url: config.redis as string, cluster: config.cluster }) : null;
  const peer = catalog
    ? createClusterPeer({
        local,
        storage,
        catalog,
        nodeId: config.nodeId,
        capacityBytes: config.capacityBytes,
        remote: createRemoteReads(config.token, config.tlsCa ? readFileSync(config.tlsCa) : undefined),
        dataUrl: () => url,
      })
    : local;
  const metrics = createNodeMetrics(
    peer,
    eventHubOf(peer),
    'cacheStats' in storage ? () => (storage as S3Storage).cacheStats() : undefined,
  );
  let metricsServer: Server | null = null;
  let metricsUrl: string | null = null;
  let uds: UdsServer | null = null;
  let http: HttpServer | null = null;
  let url: string | null = null;
  let tokenFile: string | null = null;
  let record: string | null = null;
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
    get metricsUrl() {
      return metricsUrl;
    },
    get tokenFile() {
      return tokenFile;
    },
    get record() {
      return record;
    },
    metrics,
    async start() {
      // The pidfile first: while a node holds it, no second node opens the same storage.
      if (config.pidfile) pidfile = acquirePidfile(config.pidfile);
      try {
        if (catalog) {
          await catalog.connect();
          // Redis may have lost everything (it keeps nothing on disk here): the sealed objects of
          // the shared directory are registered again once it is back.
          catalog.onReconnect(() => {
            void (peer as ClusterPeer).registerStored().catch(() => undefined);
          });
        }
        await peer.start();
        if (config.transports.includes('uds')) {
          mkdirSync(dirname(config.socket), { recursive: true, mode: 0o700 });
          uds = createUdsServer(peer, {
            path: config.socket,
            mode: config.socketMode,
            allowUids: config.allowUids,
            onRequest: (op, code, seconds) => metrics.observe({ transport: 'uds', op, code, seconds }),
            onCarriedRelease: (code) => metrics.observeCarriedRelease('uds', code),
          });
          await uds.listen();
        }
        if (config.transports.includes('http')) {
          // A token always, unless explicitly not: a generated one lives in a 0600 file beside the socket.
          const token = config.noAuth ? undefined : (config.token ?? generateToken());
          const ownDir = config.transports.includes('uds') ? dirname(config.socket) : runtimeDirectory();
          if (token !== undefined) tokenFile = writeTokenFile(ownDir, token);
          http = createHttpServer(peer, {
            host: config.host,
            port: config.port,
            token,
            tls: config.tls
              ? { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) }
              : undefined,
            onRequest: (op, code, seconds) => metrics.observe({ transport: 'http', op, code, seconds }),
            onCarriedRelease: (code) => metrics.observeCarriedRelease('http', code),
          });
          http.fastify.get('/metrics', async (_request, reply) =>
            reply.type('text/plain; version=0.0.4; charset=utf-8').send(await metrics.render()),
          );
          url = await http.listen();
          record = writeNodeRecord({
            pid: process.pid,
            urls: [url],
            token_file: tokenFile,
            socket: config.transports.includes('uds') ? config.socket : null,
            ca: config.tlsCa,
          });
        }
        if (config.metricsPort !== null) {
          metricsServer = createServer((request, response) => {
            if (request.url !== '/metrics') return void response.writeHead(404).end();
            metrics.render().then(
              (text) => response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text),
              () => response.writeHead(500).end(),
            );
          });
          metricsServer.listen(config.metricsPort, '127.0.0.1');
          await once(metricsServer, 'listening');
          metricsUrl = `http://127.0.0.1:${(metricsServer.address() as AddressInfo).port}/metrics`;
        }
        listening = true;
      } catch (err) {
        await node.close();
        throw err;
      }
    },
    close() {
      closing ??= (async () => {
        metricsServer?.closeAllConnections();
        await Promise.all([
          uds?.close(),
          http?.close(),
          metricsServer && new Promise((resolve) => metricsServer?.close(resolve)),
        ]);
        await peer.close();
        for (const file of [record, tokenFile]) if (file) removeNodeFile(file);
        record = tokenFile = null;
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
