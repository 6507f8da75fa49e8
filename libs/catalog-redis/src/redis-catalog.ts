import type { Catalog, CatalogNotice, CatalogObject, CatalogOutcome } from '@packice/cluster';
import type { LeaseInfo } from '@packice/core';
import { PackIceError } from '@packice/core';
import type { Cluster, Redis } from 'ioredis';
import { parseObject, storedRecord, unavailable } from './catalog-encoding';
import { closeConnections, openConnections, type Scripted } from './redis-connections';

/** Options of {@link createRedisCatalog}. */
export interface RedisCatalogOptions {
  /**
   * `redis://[:password@]host:port[/db]`, `rediss://...`, `unix:///path/redis.sock[?db=N]`, or
   * `redis+cluster://[:password@]host:port[,host:port...]` for a Redis Cluster.
   */
  url: string;
  /** Key prefix: nodes with the same cluster name share one object space. */
  cluster?: string;
  /** Longest wait for one Redis command (ms); past it the call is `UNAVAILABLE`. */
  commandTimeoutMs?: number;
  /** Longest wait for the first connection (ms). */
  connectTimeoutMs?: number;
  /** Most leases one sweep ends. */
  sweepBatch?: number;
}

/** Defaults of {@link RedisCatalogOptions}. */
export const REDIS_CATALOG_DEFAULTS = Object.freeze({
  cluster: 'packice',
  commandTimeoutMs: 2_000, // 2 s
  connectTimeoutMs: 5_000, // 5 s
  sweepBatch: 256,
});

/** A catalog in Redis, with its connection state for health checks. */
export interface RedisCatalog extends Catalog {
  /** `{cluster}:`: the prefix (and hash tag) of every key. */
  readonly prefix: string;
  /** Resolves once connected; `UNAVAILABLE` after `connectTimeoutMs`. */
  connect(): Promise<void>;
  /** Calls `listener` each time the connection is (re)established after a loss. */
  onReconnect(listener: () => void): () => void;
}

class RedisCatalogImpl implements RedisCatalog {
  readonly prefix: string;
  readonly #redis: Scripted;
  readonly #subscriber: Redis | Cluster;
  readonly #options: Required<Omit<RedisCatalogOptions, 'url'>>;
  readonly #listeners = new Set<(notice: CatalogNotice) => void>();
  readonly #reconnects = new Set<() => void>();
  #lostSinceReady = false;
  #lastError: string | null = null;
  readonly #where: string;
  #closed = false;

  constructor(options: RedisCatalogOptions) {
    this.#options = {
      cluster: options.cluster ?? REDIS_CATALOG_DEFAULTS.cluster,
      commandTimeoutMs: options.commandTimeoutMs ?? REDIS_CATALOG_DEFAULTS.commandTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs ?? REDIS_CATALOG_DEFAULTS.connectTimeoutMs,
      sweepBatch: options.sweepBatch ?? REDIS_CATALOG_DEFAULTS.sweepBatch,
    };
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(this.#options.cluster)) {
      throw new PackIceError(
        'BAD_REQUEST',
        `cluster name ${JSON.stringify(this.#options.cluster)}: 1-64 of A-Z a-z 0-9 . _ -`,
      );
    }
    this.prefix = `{${this.#options.cluster}}:`;
    this.#where = options.url.replace(/\/\/([^@/]*):([^@/]*)@/, '//$1:***@');
    ({ redis: this.#redis, subscriber: this.#subscriber } = openConnections(options.url, this.#options));
    // Connection errors are reported through calls (UNAVAILABLE); the last one explains a failed connect.
    for (const connection of [this.#redis, this.#subscriber]) {
      connection.on('error', (err: Error) => (this.#lastError = err.message));
    }
    this.#redis.on('close', () => (this.#lostSinceReady = true));
    this.#redis.on('ready', () => {
      if (!this.#lostSinceReady) return;
      this.#lostSinceReady = false;
      for (const listener of [...this.#reconnects]) listener();
    });
    this.#subscriber.on('message', (_channel: string, message: string) => {
      let notice: CatalogNotice;
      try {
        notice = JSON.parse(message) as CatalogNotice;
      } catch {
        return;
      }
      for (const listener of [...this.#listeners]) listener(notice);
    });
  }

  async connect(): Promise<void> {
    try {
      await Promise.all([this.#redis.connect(), this.#subscriber.connect()]);
      await this.#subscriber.subscribe(`${this.prefix}notices`);
      this.#lostSinceReady = false;
    } catch (err) {
      // No reconnecting in the background for a catalog that never came up.
      this.#redis.disconnect();
      this.#subscriber.disconnect();
      const reason = this.#lastError ?? (err instanceof Error ? err.message : String(err));
      throw new PackIceError('UNAVAILABLE', `cannot connect to Redis at ${this.#where}: ${reason}`, { cause: err });
    }
  }

  onReconnect(listener: () => void): () => void {
    this.#reconnects.add(listener);
    return () => this.#reconnects.delete(listener);
  }

  async create(object: CatalogObject, capacity: number | null): Promise<void> {
    const answer = await this.#call(() =>
      this.#redis.pkCreate(
        this.prefix,
        object.objectId,
        storedRecord(object),
        object.state,
        object.bytes,
        capacity ?? -1,
      ),
    );
    if (answer === 'EXISTS') throw new PackIceError('ALREADY_EXISTS', `object ${object.objectId} already exists`);
    if (answer === 'FULL') {
      throw new PackIceError(
        'OUT_OF_CAPACITY',
        `${object.bytes} more bytes do not fit the cluster's ${capacity} bytes`,
      );
    }
  }

  async seal(
    objectId: string,
    sealed: { size: number; blobSizes: readonly number[]; bytes: number; createdAt: number; sealedAt: number },
    capacity: number | null,
  ): Promise<void> {
    const current = await this.get(objectId);
    if (!current) throw new PackIceError('NOT_FOUND', `object ${objectId} not found`);
    const { size, blobSizes, createdAt, sealedAt } = sealed;
    const record = { ...current, size, blobSizes, createdAt, sealedAt };
    const answer = await this.#call(() =>
      this.#redis.pkSeal(this.prefix, objectId, storedRecord(record), sealed.bytes, capacity ?? -1, createdAt),
    );
    if (answer === 'GONE') throw new PackIceError('NOT_FOUND', `object ${objectId} not found`);
    if (answer === 'FULL')
      throw new PackIceError('OUT_OF_CAPACITY', `object ${objectId} grew past the cluster's capacity`);
  }

  async register(object: CatalogObject): Promise<boolean> {
    return (
      (await this.#call(() =>
        this.#redis.pkRegister(
          this.prefix,
          object.objectId,
          storedRecord(object),
          object.bytes,
          object.createdAt,
          object.node,
        ),
      )) === 1
    );
  }

  async abort(objectId: string): Promise<void> {
    await this.#call(() => this.#redis.pkAbort(this.prefix, objectId));
  }

  async addLease(lease: LeaseInfo, node: string, createdAt?: number): Promise<void> {
    const json = JSON.stringify({ ...lease, holder: { ...lease.holder, node } });
    const answer = await this.#call(() =>
      this.#redis.pkAddLease(
        this.prefix,
        lease.leaseId,
        lease.objectId,
        lease.access,
        lease.expiresAt,
        json,
        createdAt ?? -1,
      ),
    );
    if (answer === 'GONE') throw new PackIceError('NOT_FOUND', `object ${lease.objectId} not found`);
    if (answer === 'CREATING') throw new PackIceError('NOT_SEALED', `object ${lease.objectId} is not sealed yet`);
  }

  async renewLease(lease: LeaseInfo): Promise<void> {
    await this.#call(() =>
      this.#redis.pkRenewLease(this.prefix, lease.leaseId, lease.expiresAt, JSON.stringify(lease)),
    );
  }

  async removeLease(lease: LeaseInfo, now: number): Promise<CatalogOutcome> {
    return (await this.#call(() =>
      this.#redis.pkRemoveLease(this.prefix, lease.leaseId, lease.objectId, now),
    )) as CatalogOutcome;
  }

  async delete(objectId: string, now: number): Promise<CatalogOutcome> {
    const answer = await this.#call(() => this.#redis.pkDelete(this.prefix, objectId, now));
    if (answer === 'NOT_FOUND') throw new PackIceError('NOT_FOUND', `object ${objectId} not found`);
    return answer as CatalogOutcome;
  }

  async sweep(now: number): Promise<{ objectId: string; outcome: 'aborted' | 'deleted' }[]> {
    const flat = (await this.#call(() => this.#redis.pkSweep(this.prefix, now, this.#options.sweepBatch))) as string[];
    const done: { objectId: string; outcome: 'aborted' | 'deleted' }[] = [];
    for (let i = 0; i < flat.length; i += 2)
      done.push({ objectId: flat[i], outcome: flat[i + 1] as 'aborted' | 'deleted' });
    return done;
  }

  async heartbeat(node: string, ttlMs: number): Promise<boolean> {
    return (await this.#call(() => this.#redis.pkHeartbeat(this.prefix, node, Math.max(1, Math.round(ttlMs))))) === 1;
  }

  async forgetDeadOwners(): Promise<{ objectId: string; size: number }[]> {
    const flat = (await this.#call(() => this.#redis.pkForgetDead(this.prefix))) as string[];
    const gone: { objectId: string; size: number }[] = [];
    for (let i = 0; i < flat.length; i += 2) gone.push({ objectId: flat[i], size: Number(flat[i + 1]) });
    return gone;
  }

  async get(objectId: string): Promise<CatalogObject | null> {
    const hash = await this.#call(() => this.#redis.hgetall(`${this.prefix}obj:${objectId}`));
    return parseObject(hash);
  }

  async list(): Promise<CatalogObject[]> {
    const ids = await this.#call(() => this.#redis.smembers(`${this.prefix}objects`));
    if (ids.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.hgetall(`${this.prefix}obj:${id}`);
    const answers = await this.#call(() => pipeline.exec());
    return (answers ?? [])
      .map(([, hash]) => parseObject(hash as Record<string, string>))
      .filter((o): o is CatalogObject => o !== null && !o.deleting)
      .sort((a, b) => a.createdAt - b.createdAt || a.objectId.localeCompare(b.objectId));
  }

  async listLeases(filter: { objectId?: string }, now: number): Promise<LeaseInfo[]> {
    const ids =
      filter.objectId === undefined
        ? await this.#call(() => this.#redis.zrangebyscore(`${this.prefix}leases`, `(${now}`, '+inf'))
        : await this.#call(() => this.#redis.smembers(`${this.prefix}olease:${filter.objectId}`));
    if (ids.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.hget(`${this.prefix}lease:${id}`, 'json');
    const answers = await this.#call(() => pipeline.exec());
    return (answers ?? [])
      .map(([, json]) => (typeof json === 'string' ? (JSON.parse(json) as LeaseInfo) : null))
      .filter((l): l is LeaseInfo => l !== null && l.expiresAt > now);
  }

  async totals(now: number): Promise<{ objects: number; leases: number; bytes: number }> {
    const [objects, leases, bytes] = await Promise.all([
      this.list().then((all) => all.length),
      this.#call(() => this.#redis.zcount(`${this.prefix}leases`, `(${now}`, '+inf')),
      this.#call(() => this.#redis.get(`${this.prefix}bytes`)),
    ]);
    return { objects, leases, bytes: Number(bytes ?? 0) };
  }

  subscribe(listener: (notice: CatalogNotice) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async publish(notice: CatalogNotice): Promise<void> {
    await this.#call(() => this.#redis.publish(`${this.prefix}notices`, JSON.stringify(notice)));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    this.#reconnects.clear();
    await closeConnections([this.#redis, this.#subscriber]);
  }

  async #call<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new PackIceError('SHUTTING_DOWN', 'the catalog is closed');
    try {
      return await fn();
    } catch (err) {
      throw unavailable(err);
    }
  }
}

/**
 * Makes a catalog in Redis (`connect()` before use). Every call has a timeout and fails with
 * `UNAVAILABLE` while Redis is away; the connection comes back by itself.
 */
export function createRedisCatalog(options: RedisCatalogOptions): RedisCatalog {
  if (typeof options?.url !== 'string') throw new PackIceError('BAD_REQUEST', 'createRedisCatalog needs { url }');
  return new RedisCatalogImpl(options);
}
