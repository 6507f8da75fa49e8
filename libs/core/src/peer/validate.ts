import { PackIceError } from '../errors';
import { assertObjectId } from '../ids';
import type { Access } from '../model';
import type { AcquireRequest } from './peer';

// Timers cannot wait longer than 2^31-1 ms in one step; larger values are refused, not wrapped.
const MAX_WAIT_MS = 2_147_483_647;
const MAX_META_ENTRIES = 256;
const MAX_META_BYTES = 64 * 1024; // 64 KiB of keys and values together

/** An acquire request after validation, defaults applied. */
export interface ParsedAcquire {
  intent: Access;
  objectId: string | undefined;
  ttlMs: number;
  timeoutMs: number;
  hints: readonly (number | undefined)[];
  /** The bytes of each blob, where the create carries them. */
  contents: readonly (Uint8Array | undefined)[] | undefined;
  meta: Readonly<Record<string, string>>;
  /** Seal at once (create). */
  seal: boolean;
}

/** Limits the Peer applies to requests. */
export interface RequestLimits {
  defaultTtlMs: number;
  maxTtlMs: number;
  maxBlobs: number;
}

/** Validates a TTL: a positive integer up to `max`; `undefined` gives `fallback`. */
export function parseTtl(value: unknown, field: string, fallback: number | undefined, max: number): number | undefined {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0 || value > max) {
    throw new PackIceError('BAD_REQUEST', `${field} must be an integer from 1 to ${max}`);
  }
  return value;
}

/** Validates a wait (`timeout_ms`): an integer from 0 to 2^31-1; `undefined` gives 0 (answer at once). */
export function parseTimeout(value: unknown, field = 'timeout_ms'): number {
  const timeout = value ?? 0;
  if (typeof timeout !== 'number' || !Number.isSafeInteger(timeout) || timeout < 0 || timeout > MAX_WAIT_MS) {
    throw new PackIceError('BAD_REQUEST', `${field} must be an integer from 0 to ${MAX_WAIT_MS}`);
  }
  return timeout;
}

/**
 * Validates an acquire request as it may come from any client (types included): `BAD_REQUEST`
 * for wrong shapes, `INVALID_ID` for a bad object id.
 */
export function parseAcquireRequest(request: AcquireRequest, limits: RequestLimits): ParsedAcquire {
  if (typeof request !== 'object' || request === null) {
    throw new PackIceError('BAD_REQUEST', 'acquire needs an object of parameters');
  }
  const { intent } = request;
  if (intent !== 'create' && intent !== 'read') {
    throw new PackIceError('BAD_REQUEST', 'intent must be "create" or "read"');
  }
  if (request.objectId !== undefined && request.objectId !== null) assertObjectId(request.objectId);
  else if (intent === 'read') throw new PackIceError('BAD_REQUEST', 'a read acquire needs object_id');
  const ttlMs = parseTtl(request.ttlMs, 'ttl_ms', limits.defaultTtlMs, limits.maxTtlMs) as number;
  const timeoutMs = parseTimeout(request.timeoutMs);
  if (request.seal !== undefined && typeof request.seal !== 'boolean')
    throw new PackIceError('BAD_REQUEST', 'seal must be a boolean');
  const blobs = intent === 'create' ? parseBlobs(request.blobs, limits.maxBlobs) : { hints: [], contents: undefined };
  return {
    intent,
    objectId: request.objectId ?? undefined,
    ttlMs,
    timeoutMs,
    hints: blobs.hints,
    contents: blobs.contents,
    meta: intent === 'create' ? parseMeta(request.meta) : NO_META,
    seal: intent === 'create' && request.seal === true,
  };
}

interface ParsedBlobs {
  hints: (number | undefined)[];
  contents: (Uint8Array | undefined)[] | undefined;
}

function parseBlobs(blobs: unknown, maxBlobs: number): ParsedBlobs {
  if (blobs === undefined || blobs === null) return { hints: [undefined], contents: undefined };
  if (typeof blobs === 'number') {
    if (!Number.isSafeInteger(blobs) || blobs < 1 || blobs > maxBlobs) {
      throw new PackIceError('BAD_REQUEST', `blobs must be a count from 1 to ${maxBlobs}`);
    }
    return { hints: new Array<undefined>(blobs).fill(undefined), contents: undefined };
  }
  if (!Array.isArray(blobs) || blobs.length < 1 || blobs.length > maxBlobs) {
    throw new PackIceError('BAD_REQUEST', `blobs must be a count or a list of 1 to ${maxBlobs} {"size": N}`);
  }
  let contents: (Uint8Array | undefined)[] | undefined;
  const hints = blobs.map((spec: unknown, i) => {
    if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
      throw new PackIceError('BAD_REQUEST', `blobs[${i}] must be an object like {"size": N}`);
    }
    const { size, data } = spec as { size?: unknown; data?: unknown };
    if (data !== undefined && data !== null) {
      if (!(data instanceof Uint8Array)) throw new PackIceError('BAD_REQUEST', `blobs[${i}].data must be bytes`);
      if (size !== undefined && size !== null && size !== data.byteLength) {
        throw new PackIceError('BAD_REQUEST', `blobs[${i}].size must be the length of its data, if given`);
      }
      contents ??= new Array<Uint8Array | undefined>(blobs.length).fill(undefined);
      contents[i] = data;
      return data.byteLength;
    }
    if (size === undefined || size === null) return undefined;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      throw new PackIceError('BAD_REQUEST', `blobs[${i}].size must be a non-negative integer`);
    }
    return size;
  });
  return { hints, contents };
}

/** One frozen empty meta shared by every object that has none (a node may hold 100,000s). */
const NO_META: Readonly<Record<string, string>> = Object.freeze({});

function parseMeta(meta: unknown): Readonly<Record<string, string>> {
  if (meta === undefined || meta === null) return NO_META;
  if (typeof meta !== 'object' || Array.isArray(meta)) {
    throw new PackIceError('BAD_REQUEST', 'meta must be a flat object of strings');
  }
  const entries = Object.entries(meta as Record<string, unknown>);
  if (entries.length > MAX_META_ENTRIES) {
    throw new PackIceError('BAD_REQUEST', `meta may have at most ${MAX_META_ENTRIES} entries`);
  }
  let bytes = 0;
  const out: Record<string, string> = Object.create(null);
  for (const [key, value] of entries) {
    if (typeof value !== 'string') throw new PackIceError('BAD_REQUEST', `meta.${key} must be a string`);
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
    out[key] = value;
  }
  if (bytes > MAX_META_BYTES) throw new PackIceError('BAD_REQUEST', `meta may hold at most ${MAX_META_BYTES} bytes`);
  return entries.length === 0 ? NO_META : Object.freeze({ ...out });
}
