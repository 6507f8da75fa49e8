import { describe, expect, it } from '@jest/globals';
import type { ObjectEntry } from './object-table';
import { ObjectTable } from './object-table';

const entry = (objectId: string): ObjectEntry => ({
  objectId,
  state: 'sealed',
  meta: {},
  createdAt: 0,
  sealedAt: 0,
  hints: [1],
  blobs: [],
  sealedSizes: [1],
  reserved: 1,
  ready: true,
  sealing: null,
  pendingDelete: false,
});

describe('ObjectTable', () => {
  it('keeps the count of visible objects as entries come, hide and go', () => {
    const table = new ObjectTable();
    const [a, b, c] = ['a', 'b', 'c'].map(entry);
    [a, b, c].forEach((e) => table.set(e));
    expect(table.countVisible()).toBe(3);
    table.hide(b);
    table.hide(b); // twice: counted once
    expect(table.countVisible()).toBe(2);
    expect(() => table.visible('b')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(table.forget(b)).toBe(true); // a hidden entry going changes nothing visible
    expect(table.countVisible()).toBe(2);
    expect(table.forget(b)).toBe(false);
    table.set(entry('a')); // replaced under the same id: still one
    expect(table.countVisible()).toBe(2);
    expect(table.forget(a)).toBe(false); // no longer the one under its id
    expect(table.listVisible().map((e) => e.objectId)).toEqual(['a', 'c']);
    expect(table.countVisible()).toBe(table.listVisible().length);
  });
});
