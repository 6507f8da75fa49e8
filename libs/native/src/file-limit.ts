import { readdirSync } from 'node:fs';
import { check, loadLibc } from './libc';

const RLIMIT_NOFILE = 7;
// rlim_t is 64 bits; RLIM_INFINITY is all ones.
const RLIM_INFINITY = 0xffffffffffffffffn;

/** The soft and hard limits on open descriptors (`RLIMIT_NOFILE`); `Infinity` when unlimited. */
export interface FileLimit {
  soft: number;
  hard: number;
}

const toNumber = (value: bigint): number => (value === RLIM_INFINITY ? Infinity : Number(value));

/** This process's descriptor limits. */
export function getFileLimit(): FileLimit {
  const limits = Buffer.alloc(16);
  check('getrlimit', loadLibc().getrlimit(RLIMIT_NOFILE, limits));
  return { soft: toNumber(limits.readBigUInt64LE(0)), hard: toNumber(limits.readBigUInt64LE(8)) };
}

/** Raises the soft descriptor limit to the hard one (or `max`, if lower); returns the limits now in force. */
export function raiseFileLimit(max = Infinity): FileLimit {
  const { soft, hard } = getFileLimit();
  const target = Math.min(hard, max);
  if (target > soft) {
    const limits = Buffer.alloc(16);
    limits.writeBigUInt64LE(target === Infinity ? RLIM_INFINITY : BigInt(target), 0);
    limits.writeBigUInt64LE(hard === Infinity ? RLIM_INFINITY : BigInt(hard), 8);
    check('setrlimit', loadLibc().setrlimit(RLIMIT_NOFILE, limits));
  }
  return getFileLimit();
}

/** Descriptors this process has open now (entries of /proc/self/fd, less the one reading it). */
export function openDescriptorCount(): number {
  return readdirSync('/proc/self/fd').length - 1;
}

const SC_PAGESIZE = 30;
let pageBytes: number | null = null;

/** The memory page size in bytes (`sysconf(_SC_PAGESIZE)`): what a memfd allocates at a time. */
export function pageSize(): number {
  pageBytes ??= check('sysconf', loadLibc().sysconf(SC_PAGESIZE));
  return pageBytes;
}
