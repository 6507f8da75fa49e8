import { describe, expect, it } from '@jest/globals';
import { DATA_PLANE, fillPath, isOpName, opNames, OPS } from './op-table';

describe('the op table', () => {
  it('names every op once, with a binding for each', () => {
    expect(opNames).toEqual([
      'hello',
      'ping',
      'acquire',
      'acquire_many',
      'put',
      'seal',
      'release',
      'renew',
      'delete',
      'stat',
      'list_objects',
      'list_leases',
      'stats',
      'health',
      'subscribe',
      'unsubscribe',
    ]);
    for (const name of opNames) expect(OPS[name].uds || OPS[name].http !== null).toBe(true);
    expect(isOpName('acquire')).toBe(true);
    expect(isOpName('toString')).toBe(false);
    expect(isOpName(42)).toBe(false);
  });

  it('gives every HTTP route a distinct method and path, and names each path param among the params', () => {
    const routes = opNames.flatMap((name) =>
      OPS[name].http ? [`${OPS[name].http?.method} ${OPS[name].http?.path}`] : [],
    );
    routes.push(...Object.values(DATA_PLANE).map((r) => `${r.method} ${r.path}`));
    expect(new Set(routes).size).toBe(routes.length);
    for (const name of opNames) {
      const http = OPS[name].http;
      if (!http) continue;
      const names = OPS[name].params.map((p) => p.replace(/\?$/, ''));
      for (const [, param] of http.path.matchAll(/:([a-z_]+)/g)) expect(names).toContain(param);
    }
  });

  it('fills path params URI-encoded and returns the rest', () => {
    expect(fillPath('/v1/leases/:lease_id/renew', { lease_id: 'a b/c', ttl_ms: 5 })).toEqual({
      path: '/v1/leases/a%20b%2Fc/renew',
      rest: { ttl_ms: 5 },
    });
    expect(fillPath('/v1/objects', {})).toEqual({ path: '/v1/objects', rest: {} });
  });
});
