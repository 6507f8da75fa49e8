import { describe, expect, it } from '@jest/globals';
import type { WireLease, WireObject } from '@packice/protocol';
import { acquireAnswerJson, wireObjectJson } from './answer-json';

const lease: WireLease = {
  lease_id: 'l-1',
  object_id: 'o "quoted"\\',
  access: 'read',
  ttl_ms: 30_000,
  expires_at: 1_700_000_000_000,
  holder: { transport: 'uds', pid: 7, uid: 0 },
};

const object = (blobs: WireObject['blobs'], meta: Record<string, string> = {}): WireObject => ({
  object_id: 'o "quoted"\\',
  state: 'sealed',
  size: blobs.reduce((n, b) => n + b.size, 0),
  meta,
  created_at: 1,
  sealed_at: 2,
  blobs,
});

const base64 = Buffer.from('some bytes \u0000\n"').toString('base64');

describe('acquire answers as JSON', () => {
  it.each([
    ['an inline blob', object([{ size: 14, handle: { kind: 'inline', data: base64 } }])],
    ['a descriptor blob', object([{ size: 5, handle: { kind: 'fd', fd: 0 } }])],
    ['a blob without a handle', object([{ size: 5 }])],
    [
      'mixed blobs and meta that needs escaping',
      object(
        [
          { size: 14, handle: { kind: 'inline', data: base64 } },
          { size: 9, handle: { kind: 'url', url: 'http://h/x?a="b"' } },
          { size: 0, handle: { kind: 'inline', data: '' } },
        ],
        { 'k"\n': 'v\u2028\\', data: '"data":"x"' },
      ),
    ],
    ['no blobs', object([])],
  ])('%s: reads back as JSON.stringify would write it', (_name, wire) => {
    expect(JSON.parse(wireObjectJson(wire))).toEqual(JSON.parse(JSON.stringify(wire)));
    expect(JSON.parse(`{${acquireAnswerJson({ lease, object: wire })}}`)).toEqual({ lease, object: wire });
  });

  it('adds release_failed only when some release failed', () => {
    const wire = object([{ size: 14, handle: { kind: 'inline', data: base64 } }]);
    const failed = [{ lease_id: 'gone', error: { code: 'LEASE_NOT_FOUND' as const, message: 'unknown' } }];
    expect(JSON.parse(`{${acquireAnswerJson({ lease, object: wire }, failed)}}`)).toEqual({
      lease,
      object: wire,
      release_failed: failed,
    });
    expect(acquireAnswerJson({ lease, object: wire }, [])).not.toContain('release_failed');
  });
});
