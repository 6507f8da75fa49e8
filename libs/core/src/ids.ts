import { randomUUID } from 'node:crypto';
import { PackIceError } from './errors';

/** docs/protocol.md's object id rule: safe as a file name, so `..` and `/` are impossible. */
export const OBJECT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** True when `value` is a valid object id. */
export function isValidObjectId(value: unknown): value is string {
  return typeof value === 'string' && OBJECT_ID_PATTERN.test(value);
}

/**
 * Throws `INVALID_ID` unless `value` is a valid object id (`BAD_REQUEST` when it is not even
 * a string).
 */
export function assertObjectId(value: unknown, field = 'object_id'): asserts value is string {
  if (typeof value !== 'string') {
    throw new PackIceError('BAD_REQUEST', `${field} must be a string`);
  }
  if (!OBJECT_ID_PATTERN.test(value)) {
    throw new PackIceError(
      'INVALID_ID',
      `${field} ${JSON.stringify(value.slice(0, 140))} does not match ${OBJECT_ID_PATTERN}`,
    );
  }
}

/** A new object id: a UUID v4. */
export function newObjectId(): string {
  return randomUUID();
}

/** A new lease id: a UUID v4 (122 random bits); knowing it is the capability to use the lease. */
export function newLeaseId(): string {
  return randomUUID();
}
