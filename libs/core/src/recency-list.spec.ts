import { describe, expect, it } from '@jest/globals';
import { RecencyList } from './recency-list';

const keys = <K, V>(list: RecencyList<K, V>): K[] => [...list.entries()].map(([k]) => k);

describe('RecencyList', () => {
  it('orders keys by last touch, least recent first, from the front, middle and back', () => {
    const list = new RecencyList<string, number>();
    for (const [i, k] of ['a', 'b', 'c', 'd'].entries()) list.touch(k, i);
    expect(keys(list)).toEqual(['a', 'b', 'c', 'd']);
    list.touch('b', 10); // middle
    list.touch('a', 11); // front
    list.touch('a', 12); // already the newest: the value still changes
    expect([...list.entries()]).toEqual([
      ['c', 2],
      ['d', 3],
      ['b', 10],
      ['a', 12],
    ]);
    expect(list.size).toBe(4);
    expect(list.get('b')).toBe(10);
    expect(list.has('z')).toBe(false);
  });

  it('deletes from anywhere, once, and answers what it held', () => {
    const list = new RecencyList<string, number>();
    for (const [i, k] of ['a', 'b', 'c'].entries()) list.touch(k, i);
    expect(list.delete('b')).toBe(1);
    expect(list.delete('b')).toBeUndefined();
    expect(keys(list)).toEqual(['a', 'c']);
    expect(list.delete('c')).toBe(2); // the newest
    list.touch('d', 3);
    expect(keys(list)).toEqual(['a', 'd']);
    expect(list.delete('a')).toBe(0); // the oldest
    expect(list.delete('d')).toBe(3);
    expect(keys(list)).toEqual([]);
    list.touch('e', 4); // empty again, then used again
    expect(keys(list)).toEqual(['e']);
    expect(list.size).toBe(1);
  });

  it('lets an iteration delete or touch the entry it was just given', () => {
    const list = new RecencyList<number, number>();
    for (let i = 0; i < 6; i++) list.touch(i, i);
    const seen: number[] = [];
    for (const [k] of list.entries()) {
      seen.push(k);
      if (k % 2 === 0) list.delete(k);
      else if (k === 1) list.touch(k, 100); // to the back: met once more at the end
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 1]);
    expect(keys(list)).toEqual([3, 5, 1]);
  });

  it('keeps its order across many touches of one hot key among many', () => {
    const list = new RecencyList<string, number>();
    for (let i = 0; i < 30_000; i++) list.touch(`k-${i}`, i);
    for (let i = 0; i < 10_000; i++) list.touch('k-7', i);
    const order = keys(list);
    expect(order).toHaveLength(30_000);
    expect(order[order.length - 1]).toBe('k-7');
    expect(order.slice(0, 8)).toEqual(['k-0', 'k-1', 'k-2', 'k-3', 'k-4', 'k-5', 'k-6', 'k-8']);
    expect(list.get('k-7')).toBe(9_999);
  });
});
