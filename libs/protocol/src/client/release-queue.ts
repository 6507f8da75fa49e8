import type { WireReleaseFailure } from '../wire/wire-shapes';
import { fromWireError } from '@packice/core';
import { MAX_RELEASES_PER_ACQUIRE } from '../server/release-first';

interface QueuedRelease {
  leaseId: string;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Releases waiting to ride on the next `acquire` or `put` (their `release` param), so that a read
 * cycle is one round trip. Any other request sends them first, as `release` ops of their own, and so does
 * the next turn of the event loop: the order of requests on the connection stays as made, and a
 * lease is never held longer than that for want of an acquire.
 */
export class ReleaseQueue {
  readonly #queued: QueuedRelease[] = [];
  #scheduled = false;

  /** @param sendAlone sends one release as an op of its own */
  constructor(private readonly sendAlone: (leaseId: string) => Promise<void>) {}

  /** Queues a release; settles once the node has answered the request that carried it. */
  add(leaseId: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queued.push({ leaseId, resolve, reject });
      if (this.#scheduled) return;
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.flush();
      });
    });
  }

  /** Sends what is queued now, each as a `release` op: before any request that does not carry them. */
  flush(): void {
    for (const release of this.#queued.splice(0)) this.sendAlone(release.leaseId).then(release.resolve, release.reject);
  }

  /**
   * Takes the queued releases for an acquire about to be sent; returns their ids and a function
   * that settles them from that acquire's outcome.
   */
  take(): { leaseIds: string[]; settle(failures: readonly WireReleaseFailure[] | undefined): void } {
    const taken = this.#queued.splice(0, MAX_RELEASES_PER_ACQUIRE);
    return {
      leaseIds: taken.map((r) => r.leaseId),
      // Once the acquire was sent, the node ended these leases whatever became of the acquire (or
      // the connection closed, which ends them too); only those it names failed.
      settle(failures = []) {
        if (failures.length === 0) {
          for (const release of taken) release.resolve();
          return;
        }
        const failed = new Map(failures.map((f) => [f.lease_id, f.error]));
        for (const release of taken) {
          const error = failed.get(release.leaseId);
          if (error) release.reject(fromWireError(error));
          else release.resolve();
        }
      },
    };
  }
}
