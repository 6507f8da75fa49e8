import { loadLibc } from './libc';

/** A page-aligned stretch of address space inside a SharedArrayBuffer that V8 does not account. */
export interface UncountedRegion {
  /** Owns the address space: when it is collected, the allocator unmaps all of it (and any mapping put there). */
  buffer: SharedArrayBuffer;
  /** First page-aligned address inside `buffer`. */
  address: bigint;
  /** Byte offset of `address` inside `buffer`. */
  offset: number;
}

/**
 * Below this, glibc may serve an allocation from its heap instead of a mapping of its own
 * (its dynamic mmap threshold never exceeds 32 MiB on 64-bit).
 */
export const UNCOUNTED_REGION_MIN = 32 * 2 ** 20;
const PAGE = 4096n;
// glibc's chunk header: the size word just before the user pointer; bit 1 marks a chunk that is
// a mapping of its own (IS_MMAPPED), which free() returns with one munmap of the whole chunk.
const IS_MMAPPED = 0x2n;
const FLAG_BITS = 0x7n;
const MMAPPED_CHUNK_OFFSET = 16n;

let usable: boolean | null = null;

/**
 * Why this exists: a 1 GiB external ArrayBuffer (what `koffi.view` makes) is counted by V8 as
 * 1 GiB of external memory, and crossing V8's external limit forces a full garbage collection
 * right there: 2-6 ms on every large map(), more with a bigger heap. A SharedArrayBuffer's memory is
 * not counted. So for large mappings the address space comes from a SharedArrayBuffer (glibc gives
 * it a private anonymous mapping of its own, never touched) and the object is mapped over it with
 * MAP_FIXED. When the SharedArrayBuffer is collected, free() unmaps the whole chunk, the object's
 * mapping with it. Used only when the allocator is recognisably glibc's mmapped chunk; returns
 * null otherwise (musl, jemalloc, Electron's cage) and the caller takes the ordinary path.
 */
export function uncountedRegion(length: number): UncountedRegion | null {
  if (length < UNCOUNTED_REGION_MIN || usable === false) return null;
  const { koffi } = loadLibc();
  const span = Math.ceil(length / 4096) * 4096 + 4096;
  const buffer = new SharedArrayBuffer(span);
  const start = koffi.address(new Uint8Array(buffer)) as bigint;
  // The header is read only when it lies in the same page as the data: it is then readable.
  const header =
    start % PAGE === MMAPPED_CHUNK_OFFSET ? BigInt(koffi.decode(start - 8n, 'uint64') as number | bigint) : 0n;
  const chunkSize = header & ~FLAG_BITS;
  const recognised =
    (header & IS_MMAPPED) !== 0n && chunkSize % PAGE === 0n && chunkSize >= BigInt(span) + MMAPPED_CHUNK_OFFSET;
  usable = recognised;
  if (!recognised) return null;
  const address = (start + PAGE - 1n) & ~(PAGE - 1n);
  return { buffer, address, offset: Number(address - start) };
}
