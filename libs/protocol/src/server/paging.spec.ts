import { describe, expect, it } from '@jest/globals';
import type { ListPage } from '@packice/core';
import { selectPage } from '@packice/core';
import { listPage } from './paging';

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `o-${String(i).padStart(3, '0')}`);
const same = (x: string): string => x;
const over = (items: string[]) => async (page?: ListPage) => (page ? selectPage(items, same, page) : [...items]);

describe('listPage', () => {
  it('without limit or cursor answers every item in the given order', async () => {
    await expect(listPage({}, same, over(['b', 'a']))).resolves.toEqual({ items: ['b', 'a'] });
  });

  it('pages in id order, each page after the last id of the one before, until none is left', async () => {
    const items = ids(25).reverse();
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listPage({ limit: 10, ...(cursor === undefined ? {} : { cursor }) }, same, over(items));
      seen.push(...page.items);
      cursor = page.next;
      pages++;
    } while (cursor !== undefined);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids(25));
  });

  it('keeps its place when items come and go between pages', async () => {
    const first = await listPage({ limit: 3 }, same, over(ids(6)));
    expect(first).toEqual({ items: ids(3), next: 'o-002' });
    const changed = [...ids(6).filter((id) => id !== 'o-003'), 'o-000a'];
    await expect(listPage({ limit: 3, cursor: first.next }, same, over(changed))).resolves.toEqual({
      items: ['o-004', 'o-005'],
    });
  });

  it('refuses a bad limit or cursor with BAD_REQUEST', async () => {
    for (const params of [{ limit: 0 }, { limit: 10_001 }, { limit: 1.5 }, { limit: '5' }, { cursor: 7 }]) {
      await expect(listPage(params, same, over(ids(2)))).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
  });
});
