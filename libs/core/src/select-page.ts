/** A page of a listing in id order: the items after `after` (exclusive), at most `limit` of them. */
export interface ListPage {
  after?: string;
  limit?: number;
}

/** Whether a listing was asked for a page. */
export function isPaged(page: ListPage): boolean {
  return page.after !== undefined || page.limit !== undefined;
}

/**
 * The first `limit` items whose key is after `after`, in key order (UTF-16 code units), in one
 * pass with a bounded max-heap: O(n log limit), so that paging through 100,000 objects does not
 * sort them all for every page. Without `limit`, every item after `after`, sorted.
 */
export function selectPage<T>(items: Iterable<T>, key: (item: T) => string, page: ListPage): T[] {
  const { after, limit = Infinity } = page;
  const heap: { item: T; key: string }[] = []; // max-heap on key
  const swap = (i: number, j: number): void => void ([heap[i], heap[j]] = [heap[j], heap[i]]);
  for (const item of items) {
    const k = key(item);
    if (after !== undefined && k <= after) continue;
    if (heap.length < limit) {
      heap.push({ item, key: k });
      for (let i = heap.length - 1; i > 0 && heap[(i - 1) >> 1].key < heap[i].key; i = (i - 1) >> 1)
        swap(i, (i - 1) >> 1);
    } else if (limit > 0 && k < heap[0].key) {
      heap[0] = { item, key: k };
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let top = i;
        if (l < heap.length && heap[l].key > heap[top].key) top = l;
        if (r < heap.length && heap[r].key > heap[top].key) top = r;
        if (top === i) break;
        swap(i, top);
        i = top;
      }
    }
  }
  return heap.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((e) => e.item);
}
