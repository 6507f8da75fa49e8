import { PackIceError } from '../errors';
import type { PeerOptions } from './peer';

/** Defaults of {@link PeerOptions}. */
export const PEER_DEFAULTS = Object.freeze({
  defaultTtlMs: 60_000, // 1 min
  maxTtlMs: 86_400_000, // 1 day
  maxBlobs: 1024,
  capacityBytes: null as number | null, // no limit
});

/** Checks `createPeer`'s options once; throws `BAD_REQUEST` naming the option. */
export function validatePeerOptions(options: PeerOptions): void {
  if (typeof options !== 'object' || options === null || typeof options.storage?.createBlobs !== 'function') {
    throw new PackIceError('BAD_REQUEST', 'createPeer needs { storage } implementing BlobStore');
  }
  const positive = (value: unknown, name: string, allowNull = false): void => {
    if (value === undefined || (allowNull && value === null)) return;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
      throw new PackIceError('BAD_REQUEST', `${name} must be a positive integer`);
    }
  };
  positive(options.capacityBytes, 'capacityBytes', true);
  positive(options.defaultTtlMs, 'defaultTtlMs');
  positive(options.maxTtlMs, 'maxTtlMs');
  positive(options.maxBlobs, 'maxBlobs');
  const maxTtl = options.maxTtlMs ?? PEER_DEFAULTS.maxTtlMs;
  if ((options.defaultTtlMs ?? PEER_DEFAULTS.defaultTtlMs) > maxTtl) {
    throw new PackIceError('BAD_REQUEST', 'defaultTtlMs must not exceed maxTtlMs');
  }
}
