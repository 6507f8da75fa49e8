import { fromWireInfo, fromWireLease, fromWireStats } from '../wire/wire-codec';
import type { OpName, OpParams, OpResult } from '../wire/wire-shapes';
import type { CallOptions, ClientTransport } from './client-transport';
import type { LeaseInfo, ObjectInfo } from '@packice/core';

/** Items a list op asks for per page. */
const LIST_PAGE = 1000;

/** Sends one op over a binding and resolves with its wire answer. */
export type WireCall = <O extends OpName>(op: O, params: OpParams<O>, options?: CallOptions) => Promise<OpResult<O>>;

/** The ClientTransport operations that every wire binding decodes the same way. */
export type WireOperations = Pick<
  ClientTransport,
  'seal' | 'release' | 'renew' | 'delete' | 'stat' | 'listObjects' | 'listLeases' | 'stats'
>;

/**
 * The camelCase operations of a client transport over a wire binding's `call`: params to the
 * wire, answers from it, in one place for UDS and HTTP alike.
 */
export function wireOperations(call: WireCall): WireOperations {
  return {
    seal: async (leaseId, options) => fromWireInfo((await call('seal', { lease_id: leaseId }, options)).object),
    release: async (leaseId, options) => void (await call('release', { lease_id: leaseId }, options)),
    renew: async (leaseId, ttlMs, options) =>
      fromWireLease(
        (
          await call(
            'renew',
            ttlMs === undefined ? { lease_id: leaseId } : { lease_id: leaseId, ttl_ms: ttlMs },
            options,
          )
        ).lease,
      ),
    delete: async (objectId, options) => {
      const { deleted, pending } = await call('delete', { object_id: objectId }, options);
      return { deleted, pending };
    },
    stat: async (objectId, options) => fromWireInfo((await call('stat', { object_id: objectId }, options)).object),
    // Page by page, so that no answer grows with the node (a node from before paging answers all at once).
    listObjects: async (options) => {
      const objects: ObjectInfo[] = [];
      for (let cursor: string | undefined, first = true; first || cursor !== undefined; first = false) {
        const page = await call(
          'list_objects',
          { limit: LIST_PAGE, ...(cursor === undefined ? {} : { cursor }) },
          options,
        );
        objects.push(...page.objects.map(fromWireInfo));
        cursor = page.next_cursor;
      }
      return objects;
    },
    listLeases: async (filter = {}, options) => {
      const leases: LeaseInfo[] = [];
      const only = filter.objectId === undefined ? {} : { object_id: filter.objectId };
      for (let cursor: string | undefined, first = true; first || cursor !== undefined; first = false) {
        const page = await call(
          'list_leases',
          { ...only, limit: LIST_PAGE, ...(cursor === undefined ? {} : { cursor }) },
          options,
        );
        leases.push(...page.leases.map(fromWireLease));
        cursor = page.next_cursor;
      }
      return leases;
    },
    stats: async (options) => fromWireStats(await call('stats', {}, options)),
  };
}
