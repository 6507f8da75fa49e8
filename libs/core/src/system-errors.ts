import { PackIceError, isPackIceError, type ErrorCode } from './errors';

// What a failed system call on a blob means to a client. EPERM comes from kernel seals (a write
// after seal); running out of memory, disk or descriptors is room the node does not have.
const CODES: Readonly<Record<string, ErrorCode>> = Object.freeze({
  EPERM: 'ALREADY_SEALED',
  ENOMEM: 'OUT_OF_CAPACITY',
  ENOSPC: 'OUT_OF_CAPACITY',
  EFBIG: 'OUT_OF_CAPACITY',
  EDQUOT: 'OUT_OF_CAPACITY',
  EMFILE: 'OUT_OF_CAPACITY',
  ENFILE: 'OUT_OF_CAPACITY',
});

const EXPLAIN: Readonly<Record<string, string>> = Object.freeze({
  EPERM: 'the blob is sealed',
  EMFILE: 'the process has reached its descriptor limit (RLIMIT_NOFILE)',
  ENFILE: 'the system has reached its descriptor limit',
});

/** The errno name (`EPERM`, ...) of a Node system error or a `NativeError`, if it has one. */
export function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/**
 * The one mapping from a failed system call on a blob to a PackIce code: `ALREADY_SEALED` for a
 * write the seals refuse (EPERM), `OUT_OF_CAPACITY` for missing memory, disk or
 * descriptors, `INTERNAL` otherwise; `details.errno` names the errno. PackIce errors pass through.
 */
export function fromSystemError(err: unknown, what: string): PackIceError {
  if (isPackIceError(err)) return err;
  const errno = errnoOf(err);
  const code = (errno && CODES[errno]) || 'INTERNAL';
  const reason = (errno && EXPLAIN[errno]) || (err instanceof Error ? err.message : String(err));
  return new PackIceError(code, `${what}: ${reason}`, { cause: err, details: errno ? { errno } : undefined });
}
