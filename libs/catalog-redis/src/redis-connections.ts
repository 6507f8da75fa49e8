import Redis, { type Cluster, type RedisOptions } from 'ioredis';
import { clusterNodesFromUrl, redisOptionsFromUrl } from './redis-url';
import {
  ABORT,
  ADD_LEASE,
  CREATE,
  DELETE,
  FORGET_DEAD,
  HEARTBEAT,
  REGISTER,
  REMOVE_LEASE,
  RENEW_LEASE,
  SEAL,
  SWEEP,
} from './scripts';

const SCRIPTS = {
  pkCreate: CREATE,
  pkSeal: SEAL,
  pkRegister: REGISTER,
  pkAbort: ABORT,
  pkAddLease: ADD_LEASE,
  pkRenewLease: RENEW_LEASE,
  pkRemoveLease: REMOVE_LEASE,
  pkDelete: DELETE,
  pkSweep: SWEEP,
  pkHeartbeat: HEARTBEAT,
  pkForgetDead: FORGET_DEAD,
} as const;

/** A command connection with the catalog's scripts as commands (KEYS[1] the prefix). */
export type Scripted = (Redis | Cluster) &
  Record<keyof typeof SCRIPTS, (prefix: string, ...args: (string | number)[]) => Promise<unknown>>;

/**
 * The catalog's two connections to the Redis (or Redis Cluster) of `url`, not yet connected:
 * one for commands, which fail at once while Redis is away and time out after `commandTimeoutMs`;
 * one for the notices channel. Both reconnect by themselves (every 0.1-1 s).
 */
export function openConnections(
  url: string,
  timeouts: { commandTimeoutMs: number; connectTimeoutMs: number },
): { redis: Scripted; subscriber: Redis | Cluster } {
  const scripts = Object.fromEntries(Object.entries(SCRIPTS).map(([name, lua]) => [name, { numberOfKeys: 1, lua }]));
  const timing: RedisOptions = {
    maxRetriesPerRequest: 0,
    commandTimeout: timeouts.commandTimeoutMs,
    connectTimeout: timeouts.connectTimeoutMs,
    // ioredis waits this long for a closing socket before it destroys it, on a timer that keeps the
    // process alive and also runs for a socket that had already closed (a failed connect): short,
    // so a closed catalog lets its process exit at once. Quits are awaited before it matters.
    disconnectTimeout: 100,
  };
  const retry = (times: number): number => Math.min(times * 100, 1_000);
  const cluster = clusterNodesFromUrl(url);
  if (cluster) {
    // Redis Cluster: every key of a PackIce cluster has its hash tag, so each script's keys are
    // in one slot.
    const { nodes, ...auth } = cluster;
    const open = (offline: boolean, withScripts: boolean): Cluster =>
      new Redis.Cluster(nodes, {
        lazyConnect: true,
        enableOfflineQueue: offline,
        clusterRetryStrategy: retry,
        redisOptions: { ...timing, ...auth, ...(offline ? { commandTimeout: undefined } : {}) },
        ...(withScripts ? { scripts } : {}),
      });
    return { redis: open(false, true) as unknown as Scripted, subscriber: open(true, false) };
  }
  const common: RedisOptions = {
    ...redisOptionsFromUrl(url),
    ...timing,
    lazyConnect: true,
    // Calls fail at once while Redis is away (UNAVAILABLE), instead of queueing without bound.
    enableOfflineQueue: false,
    retryStrategy: retry,
  };
  return {
    redis: new Redis({ ...common, scripts }) as Scripted,
    // A subscriber connection may queue its SUBSCRIBE until connected; it sends nothing else.
    subscriber: new Redis({ ...common, enableOfflineQueue: true, commandTimeout: undefined }),
  };
}

/** Quits the connections and waits until their sockets are closed, so nothing outlives the catalog. */
export async function closeConnections(connections: (Redis | Cluster)[]): Promise<void> {
  // A connection that is up ends with an 'end' event once its socket is closed.
  const ended = connections.map((c) =>
    c.status === 'ready' ? new Promise<void>((resolve) => c.once('end', () => resolve())) : Promise.resolve(),
  );
  await Promise.allSettled(connections.map((c) => c.quit()));
  for (const c of connections) c.disconnect();
  await Promise.all(ended);
}
