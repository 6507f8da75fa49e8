import type { LeaseInfo, ObjectInfo } from '@packice/core';

/**
 * How a node of a cluster reads an object that lives in another node's memory: through that
 * node's HTTP binding (the node app gives an implementation; core does no I/O).
 */
export interface RemoteReads {
  /** A read lease at the node whose HTTP base URL is `baseUrl`, with each blob's absolute data-plane URL. */
  acquire(
    baseUrl: string,
    objectId: string,
    ttlMs: number | undefined,
    signal?: AbortSignal,
  ): Promise<{ lease: LeaseInfo; object: ObjectInfo; urls: string[] }>;
  release(baseUrl: string, leaseId: string): Promise<void>;
  renew(baseUrl: string, leaseId: string, ttlMs?: number): Promise<LeaseInfo>;
}
