import type { Peer } from '@packice/core';
import type { EventHub } from '@packice/protocol';
import { getFileLimit, openDescriptorCount } from '@packice/native';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One request as a transport saw it. */
export interface RequestRecord {
  transport: 'uds' | 'http';
  op: string;
  /** `ok`, or the error code. */
  code: string;
  seconds: number;
}

/** The node's Prometheus metrics. */
export interface NodeMetrics {
  readonly registry: Registry;
  /** Counts one request (transports call it). */
  observe(record: RequestRecord): void;
  /** Counts one release an acquire carried: `ok` or the error code. */
  observeCarriedRelease(transport: string, code: string): void;
  /** The text exposition format. */
  render(): Promise<string>;
}

/** A read-through cache's counters (S3 storage's). */
export interface CacheCounters {
  hits: number;
  misses: number;
  bytesFetched: number;
  bytesCached: number;
  capacityBytes: number;
}

/**
 * Metrics of a node (prom-client): objects and bytes by state, capacity, leases by access,
 * evictions, descriptors and their limit, requests by op and transport with latency histograms,
 * errors by code, event subscribers and dropped events. Gauges are read from the Peer at scrape time.
 */
export function createNodeMetrics(peer: Peer, hub: EventHub, cache?: () => CacheCounters): NodeMetrics {
  const registry = new Registry();
  const requests = new Counter({
    name: 'packice_requests_total',
    help: 'Requests answered, by transport, op and outcome (ok or the error code).',
    labelNames: ['transport', 'op', 'code'] as const,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'packice_errors_total',
    help: 'Error answers, by code.',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const carried = new Counter({
    name: 'packice_carried_releases_total',
    help: 'Releases carried by an acquire (its release param), by transport and outcome.',
    labelNames: ['transport', 'code'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'packice_request_duration_seconds',
    help: 'Time from a request to its answer, by transport and op.',
    labelNames: ['transport', 'op'] as const,
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  const gauge = (name: string, help: string, labelNames: string[] = []): Gauge =>
    new Gauge({ name, help, labelNames, registers: [registry] });
  const objects = gauge('packice_objects', 'Objects by state (creating, sealed).', ['state']);
  const held = gauge(
    'packice_bytes',
    'Bytes the objects hold in storage, in whole pages or blocks (what capacity counts).',
  );
  const sizes = gauge('packice_object_size_bytes', 'Sum of object sizes by state (creating, sealed).', ['state']);
  const capacity = gauge('packice_capacity_bytes', 'Capacity in bytes (absent when none is set).');
  const leases = gauge('packice_leases', 'Leases by access (create, read).', ['access']);
  const evictions = gauge('packice_evictions', 'Objects evicted since start.');
  const fds = gauge('packice_descriptors', 'Descriptors the node has open.');
  const fdLimit = gauge('packice_descriptor_limit', 'The descriptor limit (soft RLIMIT_NOFILE).');
  const subscribers = gauge('packice_event_subscribers', 'Event subscriptions open.');
  const dropped = gauge('packice_events_dropped', 'Events dropped for subscribers that did not keep up, since start.');
  const eventSeq = gauge('packice_events', 'Events of the node since start (the last seq).');
  const cacheGauges = cache && {
    hits: gauge('packice_cache_hits', 'S3 storage: reads served from the local cache, since start.'),
    misses: gauge('packice_cache_misses', 'S3 storage: reads that fetched the object from the bucket, since start.'),
    fetched: gauge(
      'packice_cache_fetched_bytes',
      'S3 storage: bytes fetched from the bucket into the cache, since start.',
    ),
    cached: gauge('packice_cache_bytes', 'S3 storage: bytes the local cache holds now.'),
    bound: gauge('packice_cache_capacity_bytes', 'S3 storage: the bound of the local cache (--s3-cache).'),
  };

  const collect = async (): Promise<void> => {
    const [stats, list, all] = await Promise.all([peer.stats(), peer.listObjects(), peer.listLeases()]);
    for (const state of ['creating', 'sealed'] as const) {
      const some = list.filter((o) => o.state === state);
      objects.set({ state }, some.length);
      sizes.set(
        { state },
        some.reduce((n, o) => n + o.size, 0),
      );
    }
    held.set(stats.bytes);
    if (stats.capacity === null) capacity.reset();
    else capacity.set(stats.capacity);
    for (const access of ['create', 'read'] as const)
      leases.set({ access }, all.filter((l) => l.access === access).length);
    evictions.set(stats.evictions);
    fds.set(openDescriptorCount());
    fdLimit.set(getFileLimit().soft);
    subscribers.set(hub.subscribers);
    dropped.set(hub.droppedTotal);
    eventSeq.set(hub.seq);
    if (cache && cacheGauges) {
      const c = cache();
      cacheGauges.hits.set(c.hits);
      cacheGauges.misses.set(c.misses);
      cacheGauges.fetched.set(c.bytesFetched);
      cacheGauges.cached.set(c.bytesCached);
      cacheGauges.bound.set(c.capacityBytes);
    }
  };

  return {
    registry,
    observe({ transport, op, code, seconds }) {
      requests.inc({ transport, op, code });
      if (code !== 'ok') errors.inc({ code });
      latency.observe({ transport, op }, seconds);
    },
    observeCarriedRelease(transport, code) {
      carried.inc({ transport, code });
    },
    async render() {
      await collect();
      return registry.metrics();
    },
  };
}
