import { fromWireInfo, fromWireLease, fromWireStats } from '../wire/wire-codec';
import type { OpName, OpParams, OpResult } from '../wire/wire-shapes';
import type { CallOptions, ClientTransport } from './client-transport';

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
    listObjects: async (options) => (await call('list_objects', {}, options)).objects.map(fromWireInfo),
    listLeases: async (filter = {}, options) =>
      (
        await call('list_leases', filter.objectId === undefined ? {} : { object_id: filter.objectId }, options)
      ).leases.map(fromWireLease),
    stats: async (options) => fromWireStats(await call('stats', {}, options)),
  };
}
