import type { Peer } from '@packice/core';
import { PackIceError, toPackIceError } from '@packice/core';
import type { WireReleaseFailure } from '../wire/wire-shapes';

/** Most lease ids one `acquire` may carry in `release`. */
export const MAX_RELEASES_PER_ACQUIRE = 256;

/**
 * Checks an `acquire`'s optional `release` param: leases to end before the acquire, as if by
 * `release` ops sent first (docs/protocol.md, "release with acquire"). Throws `BAD_REQUEST`.
 */
export function parseReleaseList(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((id) => typeof id === 'string')) {
    throw new PackIceError('BAD_REQUEST', 'release must be an array of lease ids');
  }
  if (value.length > MAX_RELEASES_PER_ACQUIRE) {
    throw new PackIceError('BAD_REQUEST', `release may name at most ${MAX_RELEASES_PER_ACQUIRE} leases`);
  }
  return value as string[];
}

/**
 * Releases `leaseIds` in order; resolves with those that failed (never rejects). `observe` is told
 * of each: `ok` or its error code (metrics count releases carried by acquires).
 */
export async function releaseFirst(
  peer: Peer,
  leaseIds: readonly string[],
  observe?: (code: string) => void,
): Promise<WireReleaseFailure[]> {
  const failed: WireReleaseFailure[] = [];
  for (const leaseId of leaseIds) {
    try {
      await peer.release(leaseId);
      observe?.('ok');
    } catch (err) {
      const error = toPackIceError(err);
      observe?.(error.code);
      failed.push({ lease_id: leaseId, error: error.toJSON() });
    }
  }
  return failed;
}
