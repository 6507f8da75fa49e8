import { describe, expect, it } from '@jest/globals';
import { Capacity } from './capacity';
import type { ObjectEntry } from './object-table';

const entry = (objectId: string, reserved = 10): ObjectEntry =>
  ({ objectId, reserved, state: 'sealed', pendingDelete: false }) as unknown as ObjectEntry;

/** The ids `victimsFor` would give up for everything counted, i.e. the whole LRU order. */
function order(capacity: Capacity, leased: string[] = []): string[] {
  return capacity.victimsFor(capacity.limit ?? 0, (id) => leased.includes(id)).map((e) => e.objectId);
}

describe('Capacity', () => {
  it('keeps sealed objects least recently used first, whatever the order of touches', () => {
    const capacity = new Capacity(40);
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((id) => entry(id));
    for (const e of [a, b, c, d]) {
      capacity.touch(e);
      capacity.add(e.reserved);
    }
    expect(order(capacity)).toEqual(['a', 'b', 'c', 'd']);
    capacity.touch(b); // from the middle
    capacity.touch(a); // from the front
    capacity.touch(a); // already the newest
    expect(order(capacity)).toEqual(['c', 'd', 'b', 'a']);
    capacity.untrack('d');
    capacity.untrack('d'); // twice is harmless
    capacity.untrack('nothing');
    capacity.add(-10);
    expect(order(capacity)).toEqual(['c', 'b', 'a']);
    capacity.untrack('a'); // the newest
    capacity.untrack('c'); // the oldest
    capacity.add(-20);
    expect(order(capacity)).toEqual(['b']);
  });

  it('treats a new entry under an old id as a new object, and skips leased ones', () => {
    const capacity = new Capacity(30);
    for (const id of ['a', 'b', 'c']) {
      capacity.touch(entry(id));
      capacity.add(10);
    }
    const again = entry('a');
    capacity.touch(again);
    const victims = capacity.victimsFor(30, () => false);
    expect(victims.map((e) => e.objectId)).toEqual(['b', 'c', 'a']);
    expect(victims[2]).toBe(again);
    // All or nothing: with b held, 30 bytes cannot be freed, so none are given up.
    expect(() => capacity.victimsFor(30, (id) => id === 'b')).toThrow(
      expect.objectContaining({ code: 'OUT_OF_CAPACITY' }),
    );
    expect(capacity.victimsFor(20, (id) => id === 'b').map((e) => e.objectId)).toEqual(['c', 'a']);
  });
});
