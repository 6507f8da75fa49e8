import { describe, expect, it } from '@jest/globals';
import { selectPage } from './select-page';

const same = (x: string): string => x;

describe('selectPage', () => {
  it('answers the first items after the cursor in key order, whatever order they come in', () => {
    const keys = Array.from({ length: 500 }, (_, i) => `k-${(i * 7919) % 500}`);
    const sorted = [...keys].sort();
    expect(selectPage(keys, same, { limit: 10 })).toEqual(sorted.slice(0, 10));
    expect(selectPage(keys, same, { after: sorted[99], limit: 50 })).toEqual(sorted.slice(100, 150));
    expect(selectPage(keys, same, { after: sorted[489] })).toEqual(sorted.slice(490));
    expect(selectPage(keys, same, { after: sorted[499], limit: 5 })).toEqual([]);
    expect(selectPage(keys.reverse(), same, { limit: 3 })).toEqual(sorted.slice(0, 3));
  });
});
