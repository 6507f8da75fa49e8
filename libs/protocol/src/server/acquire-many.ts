import { PackIceError, parseTimeout, parseTtl } from '@packice/core';

/** Most objects one `acquire_many` may name. */
export const MAX_ACQUIRE_MANY = 256;

/**
 * Checks `acquire_many`'s params before anything is done (`BAD_REQUEST`): `object_ids` a list of
 * 1 to {@link MAX_ACQUIRE_MANY} strings (each id's own rules are checked per object, as
 * `INVALID_ID`), `ttl_ms` and `timeout_ms` integers of the right sign (the node's own limits on
 * them are checked per object too). Returns the ids.
 */
export function parseAcquireMany(params: { object_ids?: unknown; ttl_ms?: unknown; timeout_ms?: unknown }): string[] {
  const ids = params.object_ids;
  if (
    !Array.isArray(ids) ||
    ids.length < 1 ||
    ids.length > MAX_ACQUIRE_MANY ||
    ids.some((id) => typeof id !== 'string')
  ) {
    throw new PackIceError('BAD_REQUEST', `object_ids must be a list of 1 to ${MAX_ACQUIRE_MANY} object ids`);
  }
  parseTtl(params.ttl_ms, 'ttl_ms', undefined, Number.MAX_SAFE_INTEGER);
  parseTimeout(params.timeout_ms);
  return ids as string[];
}
