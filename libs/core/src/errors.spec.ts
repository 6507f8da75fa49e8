import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, errorCodes, fromWireError, isPackIceError, PackIceError, toPackIceError } from './errors';

const PROTOCOL_CODES = [
  'BAD_REQUEST',
  'UNKNOWN_OP',
  'INVALID_ID',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'NOT_SEALED',
  'ALREADY_SEALED',
  'TIMEOUT',
  'LEASE_NOT_FOUND',
  'WRONG_ACCESS',
  'OUT_OF_CAPACITY',
  'UNAUTHORIZED',
  'PAYLOAD_TOO_LARGE',
  'SHUTTING_DOWN',
  'INTERNAL',
];

// Codes added to version 1's first list; each must be listed under docs/protocol.md's Additions.
const ADDED_CODES = ['UNAVAILABLE'];

describe('error table', () => {
  it('holds the codes of docs/protocol.md, plus the documented additions', () => {
    expect([...errorCodes].sort()).toEqual([...PROTOCOL_CODES, ...ADDED_CODES].sort());
    const protocol = readFileSync(join(__dirname, '../../../docs/protocol.md'), 'utf8');
    const additions = protocol.slice(protocol.indexOf('\n## Additions\n'));
    for (const code of ADDED_CODES) expect(additions).toContain(`| \`${code}\` | error code`);
  });

  it('documents every code, with its HTTP status, in docs/errors.md', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/errors.md'), 'utf8');
    for (const code of errorCodes) {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
      expect(row).toBeDefined();
      expect(row).toContain(`| ${ERROR_CODES[code].status} |`);
    }
  });
});

describe('PackIceError', () => {
  it('carries code, status, cause and details, and serializes to the wire form', () => {
    const cause = new Error('EBUSY');
    const err = new PackIceError('OUT_OF_CAPACITY', 'full', { cause, details: { need: 5 } });
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ name: 'PackIceError', code: 'OUT_OF_CAPACITY', status: 507, cause });
    expect(err.details).toEqual({ need: 5 });
    expect(JSON.parse(JSON.stringify(err))).toEqual({ code: 'OUT_OF_CAPACITY', message: 'full' });
  });

  it('is recognized by code even from another copy of the package', () => {
    const foreign = Object.assign(new Error('x'), { name: 'PackIceError', code: 'NOT_FOUND' });
    expect(isPackIceError(foreign)).toBe(true);
    expect(isPackIceError(foreign, 'NOT_FOUND')).toBe(true);
    expect(isPackIceError(foreign, 'TIMEOUT')).toBe(false);
    expect(isPackIceError(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe(false);
    expect(isPackIceError(null)).toBe(false);
  });

  it('wraps anything else as INTERNAL with the cause', () => {
    const raw = new TypeError('boom');
    const wrapped = toPackIceError(raw);
    expect(wrapped).toMatchObject({ code: 'INTERNAL', message: 'boom', cause: raw });
    const known = new PackIceError('TIMEOUT', 't');
    expect(toPackIceError(known)).toBe(known);
    expect(toPackIceError('text')).toMatchObject({ code: 'INTERNAL', message: 'text' });
  });

  it('rebuilds errors from the wire, unknown codes as INTERNAL', () => {
    expect(fromWireError({ code: 'NOT_SEALED', message: 'wait' })).toMatchObject({
      code: 'NOT_SEALED',
      message: 'wait',
    });
    expect(fromWireError({ code: 'NEW_CODE', message: 'm' })).toMatchObject({
      code: 'INTERNAL',
      message: 'NEW_CODE: m',
    });
    expect(fromWireError(undefined)).toMatchObject({ code: 'INTERNAL' });
  });
});
