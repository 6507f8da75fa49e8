import { constants } from 'node:os';

const ERRNO_NAMES = new Map<number, string>(Object.entries(constants.errno).map(([name, n]) => [n, name]));

/** An errno name Node knows (`EPERM`, `EAGAIN`, ...). */
export type ErrnoName = keyof typeof constants.errno;

/** The name of an errno value (`EPERM`, `EBUSY`, ...), or `E<number>` when unknown. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `E${errno}`;
}

/**
 * A failed system call, shaped like Node's own system errors: `code` is the errno name,
 * `errno` its number, `syscall` the call.
 */
export class NativeError extends Error {
  readonly code: string;
  readonly errno: number;
  readonly syscall: string;

  /** @param errno the errno value, or its name */
  constructor(syscall: string, errno: number | ErrnoName, detail?: string) {
    if (typeof errno === 'string') errno = constants.errno[errno];
    const code = errnoName(errno);
    super(`${syscall} failed: ${code}${detail ? ` (${detail})` : ''}`);
    this.name = 'NativeError';
    this.code = code;
    this.errno = errno;
    this.syscall = syscall;
  }
}

/** True when `err` is a NativeError (from any loaded copy), optionally with errno name `code`. */
export function isNativeError(err: unknown, code?: string): err is NativeError {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; code?: unknown };
  return e.name === 'NativeError' && (code === undefined || e.code === code);
}
