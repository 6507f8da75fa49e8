import { describe, expect, it } from '@jest/globals';
import type { LeaseInfo, ObjectInfo } from '@packice/core';
import {
  fromWireAcquire,
  fromWireLease,
  fromWireObject,
  fromWireStats,
  toWireAcquire,
  toWireLease,
  toWireObject,
  toWireStats,
} from './wire-codec';

describe('wire codec', () => {
  const lease: LeaseInfo = {
    leaseId: 'l',
    objectId: 'o',
    access: 'read',
    ttlMs: 5,
    expiresAt: 10,
    holder: { transport: 'uds', pid: 1, uid: 2 },
  };
  const object: ObjectInfo = {
    objectId: 'o',
    state: 'sealed',
    size: 3,
    meta: { a: 'b' },
    createdAt: 1,
    sealedAt: 2,
    blobs: [{ size: 1 }, { size: 2 }],
  };

  it('writes leases in snake_case and reads them back', () => {
    expect(toWireLease(lease)).toEqual({
      lease_id: 'l',
      object_id: 'o',
      access: 'read',
      ttl_ms: 5,
      expires_at: 10,
      holder: { transport: 'uds', pid: 1, uid: 2 },
    });
    expect(fromWireLease(toWireLease(lease))).toEqual(lease);
  });

  it('writes objects with handles on the blobs that have one', () => {
    const wire = toWireObject(object, [{ kind: 'fd', fd: 0 }]);
    expect(wire).toEqual({
      object_id: 'o',
      state: 'sealed',
      size: 3,
      meta: { a: 'b' },
      created_at: 1,
      sealed_at: 2,
      blobs: [{ size: 1, handle: { kind: 'fd', fd: 0 } }, { size: 2 }],
    });
    expect(fromWireObject(wire)).toEqual({ ...object, handles: [{ kind: 'fd', fd: 0 }, undefined] });
  });

  it('maps stats and acquire params both ways, leaving out what is absent', () => {
    const stats = { objects: 1, leases: 2, bytes: 3, capacity: null, evictions: 0, uptimeMs: 9 };
    expect(toWireStats(stats)).toEqual({ objects: 1, leases: 2, bytes: 3, capacity: null, evictions: 0, uptime_ms: 9 });
    expect(fromWireStats(toWireStats(stats))).toEqual(stats);
    const wire = { intent: 'read', object_id: 'x', timeout_ms: 5 } as const;
    expect(fromWireAcquire(wire)).toEqual({ intent: 'read', objectId: 'x', timeoutMs: 5 });
    expect(toWireAcquire(fromWireAcquire(wire))).toEqual(wire);
  });

  it('takes blobs as base64, canonical or not, and refuses anything else with BAD_REQUEST', () => {
    const blobs = (data: unknown) => fromWireAcquire({ intent: 'create', blobs: [{ data } as { data: string }] }).blobs;
    expect(blobs(Buffer.from('hello').toString('base64'))).toEqual([{ data: Buffer.from('hello') }]);
    expect(blobs('')).toEqual([{ data: Buffer.alloc(0) }]);
    // Non-zero padding bits: not what an encoder writes, yet valid base64 (accepted as before).
    expect(blobs('QR==')).toEqual([{ data: Buffer.from('A') }]);
    for (const bad of ['ab-d', 'ab_d', 'abc', 'ab c', 'a===', 42, { x: 1 }]) {
      expect(() => blobs(bad)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    }
  });
});
