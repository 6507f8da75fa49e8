import { PackIceError } from '@packice/core';

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** Parses a byte size: `1048576`, `512MiB`, `2GiB`, `1.5GB`. */
export function parseSize(value: string | number, what = 'size'): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(String(value));
  const unit = match ? SIZE_UNITS[match[2].toLowerCase()] : undefined;
  const bytes = match && unit ? Math.floor(Number(match[1]) * unit) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new PackIceError(
      'BAD_REQUEST',
      `${what} ${JSON.stringify(value)} is not a size like 512MiB, 2GiB or 1048576`,
    );
  }
  return bytes;
}

const TIME_UNITS: Record<string, number> = { '': 1, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Parses a duration: `60000`, `500ms`, `30s`, `5m`, `1h`. */
export function parseDuration(value: string | number, what = 'duration'): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  const match = /^\s*(\d+)\s*(ms|s|m|h|)\s*$/i.exec(String(value));
  const ms = match ? Number(match[1]) * TIME_UNITS[match[2].toLowerCase()] : NaN;
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new PackIceError('BAD_REQUEST', `${what} ${JSON.stringify(value)} is not a duration like 500ms, 30s or 5m`);
  }
  return ms;
}
