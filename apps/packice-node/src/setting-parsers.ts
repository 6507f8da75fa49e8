import { PackIceError } from '@packice/core';
import { resolve } from 'node:path';
import { parseDuration, parseSize } from './units';

// One small parser per setting: each takes the value as a flag, variable or config file gave it
// (undefined when none did) and returns the checked value, or undefined to keep the default.

const bad = (message: string): PackIceError => new PackIceError('BAD_REQUEST', message);
const given = (value: unknown): boolean => value !== undefined && value !== null;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A log level of pino. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `mem` or `fs`. */
export function parseStorage(value: unknown): 'mem' | 'fs' | 's3' | undefined {
  if (value === undefined) return undefined;
  if (value !== 'mem' && value !== 'fs' && value !== 's3')
    throw bad(`storage must be mem, fs or s3, not ${JSON.stringify(value)}`);
  return value;
}

/** `when-required` or `when-supported` (the S3 SDK's checksum settings). */
export function parseChecksums(value: unknown): 'when-required' | 'when-supported' | undefined {
  if (!given(value)) return undefined;
  if (value !== 'when-required' && value !== 'when-supported')
    throw bad(`s3 checksums must be when-required or when-supported, not ${JSON.stringify(value)}`);
  return value;
}

/** A byte size for the S3 read cache. */
export function parseCacheSize(value: unknown): number | undefined {
  return given(value) ? parseSize(value as string, 's3 cache') : undefined;
}

/** A path, made absolute. */
export function parsePath(value: unknown): string | undefined {
  return given(value) ? resolve(String(value)) : undefined;
}

/** `uds`, `http` or both, as a list or comma-separated. */
export function parseTransports(value: unknown): ('uds' | 'http')[] | undefined {
  if (value === undefined) return undefined;
  const list = (Array.isArray(value) ? value : String(value).split(',')).map((t) => String(t).trim());
  if (list.length === 0 || list.some((t) => t !== 'uds' && t !== 'http'))
    throw bad(`transport must be uds, http or uds,http, not ${JSON.stringify(value)}`);
  return [...new Set(list)] as ('uds' | 'http')[];
}

/** A TCP port, 0 to 65535 (`what` names it in the error). */
export function parsePort(value: unknown, what = 'port'): number | undefined {
  if (!given(value)) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw bad(`${what} must be 0 to 65535, not ${JSON.stringify(value)}`);
  return port;
}

/** A byte size such as `512MiB`. */
export function parseCapacity(value: unknown): number | undefined {
  return given(value) ? parseSize(value as string, 'capacity') : undefined;
}

/** The largest small object kept in slabs, e.g. `64KiB`: at most 1 MiB (a slab is 4 MiB). */
export function parseSmallObjects(value: unknown): number | undefined {
  if (!given(value)) return undefined;
  // 0 (or "off") turns slabs off: every object gets a memfd of its own.
  if (value === 0 || (typeof value === 'string' && /^\s*(0|off)\s*$/i.test(value))) return 0;
  const bytes = parseSize(value as string, 'small objects');
  if (bytes > 2 ** 20) throw bad('small objects: at most 1MiB');
  return bytes;
}

/** A duration such as `30s`. */
export function parseDefaultTtl(value: unknown): number | undefined {
  return value === undefined ? undefined : parseDuration(value as string, 'default TTL');
}

/** A bearer token of at least 8 characters. */
export function parseToken(value: unknown): string | undefined {
  if (!given(value)) return undefined;
  if (String(value).length < 8) throw bad('the token must be at least 8 characters');
  return String(value);
}

/** uids, as a list or comma-separated. */
export function parseUids(value: unknown): number[] | undefined {
  if (value === undefined) return undefined;
  const list = (Array.isArray(value) ? value : String(value).split(',')).map((u) => Number(u));
  if (list.some((u) => !Number.isInteger(u) || u < 0))
    throw bad(`allow-uid takes uids like 1000,1001, not ${JSON.stringify(value)}`);
  return list;
}

/** One of pino's levels. */
export function parseLogLevel(value: unknown): LogLevel | undefined {
  if (value === undefined) return undefined;
  if (!LOG_LEVELS.includes(value as LogLevel)) throw bad(`log level must be one of ${LOG_LEVELS.join(', ')}`);
  return value as LogLevel;
}

/** A Redis URL: redis://, rediss://, unix:// or redis+cluster://. */
export function parseRedis(value: unknown): string | undefined {
  if (!given(value) || value === '') return undefined;
  const url = String(value);
  if (!/^(redis|rediss|unix|redis\+cluster):\/\//.test(url))
    throw bad(`redis takes redis://host:port/db or unix:///path, not ${url}`);
  return url;
}

/** A cluster name: a Redis key prefix. */
export function parseCluster(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(String(value))) throw bad('cluster names are 1-64 of A-Z a-z 0-9 . _ -');
  return String(value);
}

/** A node's name in its cluster. */
export function parseNodeId(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (String(value).length === 0 || String(value).length > 128) throw bad('node id: 1 to 128 characters');
  return String(value);
}

/** A switch: `true`/`false` (a config file), or `"true"`, `"false"`, `"1"`, `"0"` (flags, variables). */
export function parseSwitch(value: unknown, what: string): boolean | undefined {
  if (!given(value)) return undefined;
  if (value === true || value === 'true' || value === '1') return true;
  if (value === false || value === 'false' || value === '0') return false;
  throw bad(`${what} is a switch (true or false), not ${JSON.stringify(value)}`);
}

/** Whether an HTTP bind address only takes connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
