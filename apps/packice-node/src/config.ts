import { defaultSocketPath } from '@packice/transport-uds';
import { PackIceError } from '@packice/core';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { NODE_FLAGS } from './flags';
import { parseDuration, parseSize } from './units';

/** Everything a node needs, validated. */
export interface NodeConfig {
  storage: 'mem' | 'fs';
  /** Directory of fs storage. */
  dir: string | null;
  transports: ('uds' | 'http')[];
  socket: string;
  socketMode: number;
  host: string;
  port: number;
  /** Bytes; `null` = no capacity (memory storage still keeps its budget). */
  capacityBytes: number | null;
  defaultTtlMs: number;
  token: string | null;
  allowUids: number[];
  pidfile: string | null;
  /** Port of a loopback-only metrics listener (`GET /metrics`); `null` for none. */
  metricsPort: number | null;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Scale-out: the Redis of the shared catalog, or `null` for a node on its own. */
  redis: string | null;
  /** Scale-out: the cluster name (key prefix). */
  cluster: string;
  /** Scale-out: this node's name. */
  nodeId: string;
}

/** Settings as they come from flags, environment or a JSON config file (strings or numbers). */
export type NodeSettings = Partial<
  Record<keyof NodeConfig | 'impl' | 'transport' | 'config' | 'defaultTtl' | 'capacity' | 'allowUid', unknown>
>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Defaults of a node (the safe ones: UDS + memory, HTTP only on 127.0.0.1). */
export function nodeDefaults(env: NodeJS.ProcessEnv = process.env): NodeConfig {
  return {
    storage: 'mem',
    dir: null,
    transports: ['uds'],
    socket: defaultSocketPath(env),
    socketMode: 0o600,
    host: '127.0.0.1',
    port: 7070,
    capacityBytes: null,
    defaultTtlMs: 60_000, // 1 min
    token: null,
    allowUids: [process.getuid?.() ?? 0, 0],
    pidfile: null,
    metricsPort: null,
    logLevel: 'info',
    redis: null,
    cluster: 'packice',
    nodeId: `${hostname()}:${process.pid}`,
  };
}

/** Settings from `PACKICE_*` environment variables (those {@link NODE_FLAGS} name). */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): NodeSettings {
  const settings: NodeSettings = {};
  for (const { setting, env: name } of Object.values(NODE_FLAGS)) {
    if (name !== undefined && env[name] !== undefined && env[name] !== '') settings[setting] = env[name];
  }
  return settings;
}

const bad = (message: string): PackIceError => new PackIceError('BAD_REQUEST', message);

/**
 * Resolves a node's configuration: defaults, then the JSON config file (`config`), then the
 * environment, then flags (later wins). Every value is checked; errors say which setting and why.
 */
export function resolveConfig(flags: NodeSettings = {}, env: NodeJS.ProcessEnv = process.env): NodeConfig {
  const fromEnv = settingsFromEnv(env);
  const configPath = flags.config ?? fromEnv.config;
  let fromFile: NodeSettings = {};
  if (configPath !== undefined) {
    try {
      fromFile = JSON.parse(readFileSync(String(configPath), 'utf8')) as NodeSettings;
    } catch (err) {
      throw new PackIceError('BAD_REQUEST', `config file ${String(configPath)}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile))
      throw bad(`config file ${String(configPath)} must hold a JSON object`);
  }
  const s: NodeSettings = {
    ...fromFile,
    ...fromEnv,
    ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)),
  };
  const config = nodeDefaults(env);

  const storage = s.storage ?? s.impl;
  if (storage !== undefined) {
    if (storage !== 'mem' && storage !== 'fs') throw bad(`storage must be mem or fs, not ${JSON.stringify(storage)}`);
    config.storage = storage;
  }
  if (s.dir !== undefined) config.dir = resolve(String(s.dir));
  if (config.storage === 'fs' && config.dir === null) throw bad('fs storage needs a directory: --dir <path>');
  const transport = s.transports ?? s.transport;
  if (transport !== undefined) {
    const list = (Array.isArray(transport) ? transport : String(transport).split(',')).map((t) => String(t).trim());
    if (list.length === 0 || list.some((t) => t !== 'uds' && t !== 'http'))
      throw bad(`transport must be uds, http or uds,http, not ${JSON.stringify(transport)}`);
    config.transports = [...new Set(list)] as ('uds' | 'http')[];
  }
  if (s.socket !== undefined) config.socket = resolve(String(s.socket));
  if (s.host !== undefined) config.host = String(s.host);
  if (s.port !== undefined) {
    const port = Number(s.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw bad(`port must be 0 to 65535, not ${JSON.stringify(s.port)}`);
    config.port = port;
  }
  const capacity = s.capacityBytes ?? s.capacity;
  if (capacity !== undefined && capacity !== null) config.capacityBytes = parseSize(capacity as string, 'capacity');
  const ttl = s.defaultTtlMs ?? s.defaultTtl;
  if (ttl !== undefined) config.defaultTtlMs = parseDuration(ttl as string, 'default TTL');
  if (s.token !== undefined && s.token !== null) {
    if (String(s.token).length < 8) throw bad('the token must be at least 8 characters');
    config.token = String(s.token);
  }
  const uids = s.allowUids ?? s.allowUid;
  if (uids !== undefined) {
    const list = (Array.isArray(uids) ? uids : String(uids).split(',')).map((u) => Number(u));
    if (list.some((u) => !Number.isInteger(u) || u < 0))
      throw bad(`allow-uid takes uids like 1000,1001, not ${JSON.stringify(uids)}`);
    config.allowUids = list;
  }
  if (s.pidfile !== undefined && s.pidfile !== null) config.pidfile = resolve(String(s.pidfile));
  if (s.metricsPort !== undefined && s.metricsPort !== null) {
    const port = Number(s.metricsPort);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw bad(`metrics port must be 0 to 65535, not ${JSON.stringify(s.metricsPort)}`);
    }
    config.metricsPort = port;
  }
  if (s.logLevel !== undefined) {
    if (!LOG_LEVELS.includes(s.logLevel as NodeConfig['logLevel']))
      throw bad(`log level must be one of ${LOG_LEVELS.join(', ')}`);
    config.logLevel = s.logLevel as NodeConfig['logLevel'];
  }
  if (s.redis !== undefined && s.redis !== null && s.redis !== '') {
    const url = String(s.redis);
    if (!/^(redis|rediss|unix|redis\+cluster):\/\//.test(url))
      throw bad(`redis takes redis://host:port/db or unix:///path, not ${url}`);
    config.redis = url;
  }
  if (s.cluster !== undefined) {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(String(s.cluster))) throw bad('cluster names are 1-64 of A-Z a-z 0-9 . _ -');
    config.cluster = String(s.cluster);
  }
  if (s.nodeId !== undefined) {
    if (String(s.nodeId).length === 0 || String(s.nodeId).length > 128) throw bad('node id: 1 to 128 characters');
    config.nodeId = String(s.nodeId);
  }
  return config;
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
