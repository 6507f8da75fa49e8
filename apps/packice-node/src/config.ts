import { PackIceError } from '@packice/core';
import type { NodeFlagSetting } from '@packice/node-process';
import { defaultSocketPath } from '@packice/transport-uds';
import { MEM_STORAGE_DEFAULTS } from '@packice/storage-mem';
import { hostname } from 'node:os';
import * as parse from './setting-parsers';
import type { LogLevel } from './setting-parsers';

/** Everything a node needs, validated. */
export interface NodeConfig {
  storage: 'mem' | 'fs' | 's3';
  /** Directory of fs storage. */
  dir: string | null;
  /** S3 storage's bucket and how to reach it; `null` unless `storage` is `s3`. */
  s3: S3Config | null;
  transports: ('uds' | 'http')[];
  socket: string;
  socketMode: number;
  host: string;
  port: number;
  /** Bytes; `null` = no capacity (memory storage still keeps its budget). */
  capacityBytes: number | null;
  /** Memory storage: objects up to this many bytes live in shared slabs; 0 = off. */
  smallObjectMaxBytes: number;
  defaultTtlMs: number;
  /** The HTTP bearer token given; `null`: generated at start (unless `noAuth`). */
  token: string | null;
  /** Serve HTTP without a token (loopback only). */
  noAuth: boolean;
  /** Serve plain HTTP beyond loopback. */
  allowPlainHttp: boolean;
  /** HTTPS: the PEM certificate and key files; `null` for plain HTTP. */
  tls: { certFile: string; keyFile: string } | null;
  /** A PEM CA file: trusted for other nodes' HTTPS, and named in this node's record. */
  tlsCa: string | null;
  allowUids: number[];
  pidfile: string | null;
  /** Port of a loopback-only metrics listener (`GET /metrics`); `null` for none. */
  metricsPort: number | null;
  logLevel: LogLevel;
  /** Scale-out: the Redis of the shared catalog, or `null` for a node on its own. */
  redis: string | null;
  /** Scale-out: the cluster name (key prefix). */
  cluster: string;
  /** Scale-out: this node's name. */
  nodeId: string;
}

/** Where S3 storage keeps objects (credentials come from the AWS SDK's provider chain only). */
export interface S3Config {
  bucket: string;
  endpoint: string | null;
  region: string | null;
  prefix: string;
  pathStyle: boolean;
  cacheBytes: number;
  checksums: 'when-required' | 'when-supported' | null;
}

/**
 * Settings as they come from flags, environment or a JSON config file (strings, or any JSON in a
 * file): a flag's setting name, or a {@link NodeConfig} key.
 */
export type NodeSettings = Partial<Record<keyof NodeConfig | NodeFlagSetting, unknown>>;

/** Defaults of a node (the safe ones: UDS + memory, HTTP only on 127.0.0.1). */
export function nodeDefaults(env: NodeJS.ProcessEnv = process.env): NodeConfig {
  return {
    storage: 'mem',
    dir: null,
    s3: null,
    transports: ['uds'],
    socket: defaultSocketPath(env),
    socketMode: 0o600,
    host: '127.0.0.1',
    port: 7070,
    capacityBytes: null,
    smallObjectMaxBytes: MEM_STORAGE_DEFAULTS.smallObjectMaxBytes,
    defaultTtlMs: 60_000, // 1 min
    token: null,
    noAuth: false,
    allowPlainHttp: false,
    tls: null,
    tlsCa: null,
    allowUids: [process.getuid?.() ?? 0, 0],
    pidfile: null,
    metricsPort: null,
    logLevel: 'info',
    redis: null,
    cluster: 'packice',
    nodeId: `${hostname()}:${process.pid}`,
  };
}

/**
 * Checks settings (already layered: see `gatherSettings`) and fills in the defaults. Every value
 * is checked by its own parser; errors are `BAD_REQUEST` and say which setting and why.
 */
export function resolveConfig(s: NodeSettings = {}, env: NodeJS.ProcessEnv = process.env): NodeConfig {
  const d = nodeDefaults(env);
  const config: NodeConfig = {
    storage: parse.parseStorage(s.storage ?? s.impl) ?? d.storage,
    dir: parse.parsePath(s.dir) ?? d.dir,
    s3: null,
    transports: parse.parseTransports(s.transports ?? s.transport) ?? d.transports,
    socket: parse.parsePath(s.socket) ?? d.socket,
    socketMode: d.socketMode,
    host: s.host === undefined ? d.host : String(s.host),
    port: parse.parsePort(s.port) ?? d.port,
    capacityBytes: parse.parseCapacity(s.capacityBytes ?? s.capacity) ?? d.capacityBytes,
    smallObjectMaxBytes: parse.parseSmallObjects(s.smallObjectMaxBytes ?? s.smallObjects) ?? d.smallObjectMaxBytes,
    defaultTtlMs: parse.parseDefaultTtl(s.defaultTtlMs ?? s.defaultTtl) ?? d.defaultTtlMs,
    token: parse.parseToken(s.token) ?? d.token,
    noAuth: parse.parseSwitch(s.noAuth, 'noAuth') ?? d.noAuth,
    allowPlainHttp: parse.parseSwitch(s.allowPlainHttp, 'allowPlainHttp') ?? d.allowPlainHttp,
    tls: tlsFiles(parse.parsePath(s.tlsCert), parse.parsePath(s.tlsKey)) ?? d.tls,
    tlsCa: parse.parsePath(s.tlsCa) ?? d.tlsCa,
    allowUids: parse.parseUids(s.allowUids ?? s.allowUid) ?? d.allowUids,
    pidfile: parse.parsePath(s.pidfile) ?? d.pidfile,
    metricsPort: parse.parsePort(s.metricsPort, 'metrics port') ?? d.metricsPort,
    logLevel: parse.parseLogLevel(s.logLevel) ?? d.logLevel,
    redis: parse.parseRedis(s.redis) ?? d.redis,
    cluster: parse.parseCluster(s.cluster) ?? d.cluster,
    nodeId: parse.parseNodeId(s.nodeId) ?? d.nodeId,
  };
  if (config.storage === 'fs' && config.dir === null)
    throw new PackIceError('BAD_REQUEST', 'fs storage needs a directory: --dir <path>');
  if (config.storage === 's3') config.s3 = s3Config(s);
  if (config.transports.includes('http')) checkHttpSecurity(config);
  return config;
}

function s3Config(s: NodeSettings): S3Config {
  if (s.s3Bucket === undefined || s.s3Bucket === '')
    throw new PackIceError('BAD_REQUEST', 's3 storage needs a bucket: --s3-bucket <name>');
  const text = (v: unknown): string | null => (v === undefined || v === '' ? null : String(v));
  return {
    bucket: String(s.s3Bucket),
    endpoint: text(s.s3Endpoint),
    region: text(s.s3Region),
    prefix: text(s.s3Prefix) ?? '',
    pathStyle: parse.parseSwitch(s.s3PathStyle, 's3PathStyle') ?? false,
    cacheBytes: parse.parseCacheSize(s.s3Cache) ?? 2 ** 30,
    checksums: parse.parseChecksums(s.s3Checksums) ?? null,
  };
}

function tlsFiles(certFile: string | undefined, keyFile: string | undefined): NodeConfig['tls'] | undefined {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined)
    throw new PackIceError('BAD_REQUEST', 'HTTPS needs both --tls-cert and --tls-key');
  return { certFile, keyFile };
}

/** HTTP is secure by default: a token always (unless `--no-auth` on loopback), no plain HTTP beyond loopback. */
function checkHttpSecurity(config: NodeConfig): void {
  const loopback = parse.isLoopbackHost(config.host);
  if (config.noAuth && config.token !== null)
    throw new PackIceError('BAD_REQUEST', '--no-auth and --token contradict each other: choose one');
  if (config.noAuth && !loopback) {
    throw new PackIceError(
      'BAD_REQUEST',
      `--no-auth is allowed on loopback addresses only, not on ${config.host}: anyone who reaches it could use every object`,
    );
  }
  if (!loopback && config.tls === null && !config.allowPlainHttp) {
    throw new PackIceError(
      'BAD_REQUEST',
      `refusing plain HTTP on ${config.host}, beyond loopback: a token sent in clear over a network protects nothing. ` +
        'Serve HTTPS with --tls-cert FILE --tls-key FILE, or pass --allow-plain-http to accept the risk',
    );
  }
  // Nodes of a cluster read each other's objects over HTTP with the one token they share.
  if (config.redis !== null && config.token === null && !config.noAuth) {
    throw new PackIceError(
      'BAD_REQUEST',
      'a cluster node serving HTTP needs the token its cluster shares: pass the same --token (or PACKICE_TOKEN) to every node',
    );
  }
}

/** A URL fit for a log: its password replaced by `***`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
