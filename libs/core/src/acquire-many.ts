import { PackIceError } from './errors';
import { parseTtl } from './validate';

/** Most objects one `acquire_many` may name. */
export const MAX_ACQUIRE_MANY = 256;
const MAX_WAIT_MS = 2_147_483_647;

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
  const timeout = params.timeout_ms ?? 0;
  if (typeof timeout !== 'number' || !Number.isSafeInteger(timeout) || timeout < 0 || timeout > MAX_WAIT_MS) {
    throw new PackIceError('BAD_REQUEST', `timeout_ms must be an integer from 0 to ${MAX_WAIT_MS}`);
  }
  return ids as string[];
}
