import { describe, expect, it } from '@jest/globals';
import { assertObjectId, isValidObjectId, newLeaseId, newObjectId } from './ids';

describe('object ids', () => {
  it.each(['a', 'A9', 'data.bin', 'run-2026_11', '0', 'x'.repeat(128), 'a..b'])('accepts %s', (id) => {
    expect(isValidObjectId(id)).toBe(true);
    expect(() => assertObjectId(id)).not.toThrow();
  });

  it.each(['', '.', '..', '.hidden', '-dash', '_under', 'a/b', '../x', 'a b', 'é', 'a\0b', 'x'.repeat(129), 'a\n'])(
    'refuses %j with INVALID_ID',
    (id) => {
      expect(isValidObjectId(id)).toBe(false);
      expect(() => assertObjectId(id)).toThrow(expect.objectContaining({ code: 'INVALID_ID' }));
    },
  );

  it('refuses non-strings with BAD_REQUEST', () => {
    expect(() => assertObjectId(12)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(isValidObjectId(undefined)).toBe(false);
  });
});

describe('generated ids', () => {
  it('are UUID v4 (122 random bits), valid object ids, and do not repeat', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newLeaseId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(isValidObjectId(newObjectId())).toBe(true);
  });
});
