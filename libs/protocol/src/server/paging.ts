import { PackIceError } from '@packice/core';
import type { ListPage } from '@packice/core';

/** Most items one `list_objects` or `list_leases` page may ask for. */
export const MAX_PAGE_LIMIT = 10_000;

/** `limit` and `cursor` of a list op, as they came off the wire. */
export interface PageParams {
  limit?: unknown;
  cursor?: unknown;
}

/**
 * Checks a list op's paging params; `null` when there are none (everything, in the node's order,
 * as before paging existed). A page asks the Peer for one item more than `limit`, to know whether
 * another page follows. A cursor names the last id a page held, so a page is the same whatever
 * was created or deleted since; clients treat it as opaque. A bad `limit` or `cursor` is
 * `BAD_REQUEST`.
 */
export function parsePage(params: PageParams): (ListPage & { limit: number }) | null {
  const { limit, cursor } = params;
  if (limit === undefined && cursor === undefined) return null;
  if (
    limit !== undefined &&
    (!Number.isSafeInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_PAGE_LIMIT)
  ) {
    throw new PackIceError('BAD_REQUEST', `limit must be an integer from 1 to ${MAX_PAGE_LIMIT}`);
  }
  if (cursor !== undefined && (typeof cursor !== 'string' || cursor.length > 2048)) {
    throw new PackIceError('BAD_REQUEST', 'cursor must be a string from a previous page');
  }
  return {
    limit: (limit as number | undefined) ?? MAX_PAGE_LIMIT,
    ...(cursor === undefined ? {} : { after: cursor as string }),
  };
}

/** Lists one page (or everything without paging params) and the cursor of the next page, if any. */
export async function listPage<T>(
  params: PageParams,
  key: (item: T) => string,
  list: (page?: ListPage) => Promise<T[]>,
): Promise<{ items: T[]; next?: string }> {
  const page = parsePage(params);
  if (!page) return { items: await list() };
  const items = await list({ ...page, limit: page.limit + 1 });
  if (items.length <= page.limit) return { items };
  items.length = page.limit;
  return { items, next: key(items[items.length - 1]) };
}
