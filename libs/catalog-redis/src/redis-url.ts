import { PackIceError } from '@packice/core';
import type { RedisOptions } from 'ioredis';

/**
 * Connection options from a URL: `redis://[user:password@]host[:port][/db]`, `rediss://` (TLS), or
 * `unix:///path/redis.sock[?db=N]`. `BAD_REQUEST` for anything else.
 */
export function redisOptionsFromUrl(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PackIceError('BAD_REQUEST', `not a Redis URL: ${url}`);
  }
  const db = (text: string | null): number => {
    const n = Number(text || 0);
    if (!Number.isSafeInteger(n) || n < 0) throw new PackIceError('BAD_REQUEST', `bad Redis database in ${url}`);
    return n;
  };
  const auth = {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
  };
  if (parsed.protocol === 'unix:') {
    if (!parsed.pathname) throw new PackIceError('BAD_REQUEST', `no socket path in ${url}`);
    return { path: decodeURIComponent(parsed.pathname), db: db(parsed.searchParams.get('db')), ...auth };
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new PackIceError(
      'BAD_REQUEST',
      `a Redis URL starts with redis://, rediss://, unix:// or redis+cluster://, not ${parsed.protocol}//`,
    );
  }
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    db: db(parsed.pathname.slice(1)),
    ...auth,
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** Startup nodes of a Redis Cluster from `redis+cluster://[user:password@]host:port[,host:port…]`, or null for another URL. */
export function clusterNodesFromUrl(
  url: string,
): { nodes: { host: string; port: number }[]; username?: string; password?: string } | null {
  const match = /^redis\+cluster:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)\/?$/.exec(url);
  if (!match) return null;
  const nodes = match[3].split(',').map((hostPort) => {
    const at = hostPort.lastIndexOf(':');
    const port = at > 0 ? Number(hostPort.slice(at + 1)) : 6379;
    const host = at > 0 ? hostPort.slice(0, at) : hostPort;
    if (!host || !Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new PackIceError('BAD_REQUEST', `bad node ${hostPort} in ${url}`);
    }
    return { host, port };
  });
  return {
    nodes,
    ...(match[1] ? { username: decodeURIComponent(match[1]) } : {}),
    ...(match[2] ? { password: decodeURIComponent(match[2]) } : {}),
  };
}
