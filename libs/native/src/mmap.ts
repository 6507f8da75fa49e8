import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { MAP_FIXED, MAP_POPULATE, MAP_SHARED, PROT_READ, PROT_WRITE } from './constants';
import { loadLibc } from './libc';
import { NativeError } from './native-error';
import { uncountedRegion } from './uncounted-region';

const MAP_PRIVATE = 0x2;
const MAP_FAILED = 0xffff_ffff_ffff_ffffn;

interface Mapping {
  address: bigint;
  length: number;
}

/** Options of {@link mapFd}. */
export interface MapOptions {
  /**
   * `read` (default): a private copy-on-write mapping. Reads are zero-copy from the shared
   * pages; a write from JavaScript lands in a private page of this process and never reaches the
   * object, where a `PROT_READ` mapping would kill the process with SIGSEGV.
   * `write`: a shared writable mapping; the descriptor must be writable and the memfd unsealed.
   */
  mode?: 'read' | 'write';
  /** Fault every page in up front (`MAP_POPULATE`). */
  populate?: boolean;
}

const live = { count: 0, bytes: 0, uncountedBytes: 0 };
/**
 * Most bytes mapped over quiet regions at once. V8 does not know of them, so views dropped but
 * not yet collected can pin that much of objects' memory; past it mappings are made the ordinary
 * (counted) way, whose pressure makes V8 collect, quiet ones included.
 */
export const QUIET_BYTES_MAX = Math.min(4 * 2 ** 30, Math.floor(totalmem() / 4));

/**
 * Most mappings made here alive at once: half the kernel's per-process limit (`vm.max_map_count`).
 * Views are unmapped only when collected, and a loop mapping small objects fast can outrun the
 * collector; past the kernel's limit every `mmap` fails, malloc's included, and V8 aborts the
 * process. Past this budget {@link mapFd} refuses with `ENOMEM` instead (the client reads a copy).
 */
export const LIVE_MAPPINGS_MAX = Math.floor(maxMapCount() / 2);

function maxMapCount(): number {
  try {
    return Number(readFileSync('/proc/sys/vm/max_map_count', 'utf8')) || 65_530;
  } catch {
    return 65_530;
  }
}
const mappings = new WeakMap<ArrayBufferLike, Mapping>();
const forget = (mapping: Mapping): void => {
  live.count--;
  live.bytes -= mapping.length;
};
// Unmapping happens only here, once nothing in JavaScript can reach the ArrayBuffer any more: a
// view that could outlive its mapping would turn an ordinary read into a SIGSEGV.
const registry = new FinalizationRegistry<Mapping>((mapping) => {
  loadLibc().munmap(mapping.address, mapping.length);
  forget(mapping);
});
// Mappings over a quiet region are unmapped by the allocator when their SharedArrayBuffer goes.
const quietRegistry = new FinalizationRegistry<Mapping>((mapping) => {
  forget(mapping);
  live.uncountedBytes -= mapping.length;
});

/**
 * Maps `length` bytes of `fd` and returns a Buffer over them. The mapping lives exactly as long
 * as JavaScript can reach that Buffer (or any view of its ArrayBuffer); it is then unmapped by a
 * FinalizationRegistry. It also outlives `fd` being closed. Throws `NativeError` (`EACCES`, `EPERM`
 * for a writable mapping of a sealed memfd, `ENOMEM`, ...). From 32 MiB up (with glibc) the Buffer
 * is over a SharedArrayBuffer, so V8 does not count the mapping as external memory (which would
 * force a full garbage collection on every large map); see {@link uncountedRegion}. Up to
 * {@link QUIET_BYTES_MAX} at once: past it, the ordinary way again.
 */
export function mapFd(fd: number, length: number, options: MapOptions = {}): Buffer {
  if (!Number.isSafeInteger(length) || length < 0) throw new NativeError('mmap', 'EINVAL', `length ${length}`);
  if (length === 0) return Buffer.alloc(0);
  if (live.count >= LIVE_MAPPINGS_MAX) {
    throw new NativeError(
      'mmap',
      'ENOMEM',
      `${live.count} mappings are alive, the most this process keeps (LIVE_MAPPINGS_MAX)`,
    );
  }
  const { koffi, mmap, munmap } = loadLibc();
  const shared = options.mode === 'write';
  const flags = (shared ? MAP_SHARED : MAP_PRIVATE) | (options.populate ? MAP_POPULATE : 0);
  const region = live.uncountedBytes + length <= QUIET_BYTES_MAX ? uncountedRegion(length) : null;
  if (region) {
    const address = mmap(region.address, length, PROT_READ | PROT_WRITE, flags | MAP_FIXED, fd, 0);
    if (address === MAP_FAILED) throw new NativeError('mmap', koffi.errno(), `fd ${fd}, ${length} bytes`);
    live.uncountedBytes += length;
    return track(region.buffer, { address, length }, quietRegistry, region.offset);
  }
  const address = mmap(null, length, PROT_READ | PROT_WRITE, flags, fd, 0);
  if (address === MAP_FAILED) throw new NativeError('mmap', koffi.errno(), `fd ${fd}, ${length} bytes`);
  let view: ArrayBuffer;
  try {
    view = koffi.view(address, length) as ArrayBuffer;
  } catch (err) {
    // Electron's V8 memory cage refuses external buffers: the caller falls back to a copy.
    munmap(address, length);
    throw new NativeError('mmap', 'EOPNOTSUPP', `external buffers are not allowed here: ${String(err)}`);
  }
  return track(view, { address, length }, registry, 0);
}

function track(owner: ArrayBufferLike, mapping: Mapping, finalizers: FinalizationRegistry<Mapping>, offset: number) {
  mappings.set(owner, mapping);
  finalizers.register(owner, mapping);
  live.count++;
  live.bytes += mapping.length;
  return Buffer.from(owner, offset, mapping.length);
}

/**
 * Turns a writable mapping made by {@link mapFd} into a private copy-on-write one over
 * `readOnlyFd`, in place: same address, same bytes, so every Buffer over it stays valid and
 * readable. Afterwards no shared writable mapping remains, so `F_SEAL_WRITE` can be added; later
 * writes through the Buffer stay private to this process.
 */
export function freezeMapping(view: Buffer, readOnlyFd: number): void {
  if (view.length === 0) return;
  const mapping = mappings.get(view.buffer);
  if (!mapping) throw new NativeError('mmap', 'EINVAL', 'not a Buffer made by mapFd');
  const { koffi, mmap } = loadLibc();
  const address = mmap(mapping.address, mapping.length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, readOnlyFd, 0);
  if (address === MAP_FAILED) throw new NativeError('mmap', koffi.errno(), 'remap in place');
}

/** True when `view` is over a mapping made by {@link mapFd}. */
export function isMapped(view: Uint8Array): boolean {
  return mappings.has(view.buffer);
}

/** Mappings made by this lib and not yet unmapped (for leak checks). */
export function liveMappings(): { count: number; bytes: number } {
  return { count: live.count, bytes: live.bytes };
}
