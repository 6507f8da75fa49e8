import { describe, expect, it } from '@jest/globals';
import { PackIceError } from './errors';
import { errnoOf, fromSystemError } from './system-errors';

const sysError = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: failed`), { code });

describe('fromSystemError', () => {
  it.each([
    ['EPERM', 'ALREADY_SEALED'],
    ['ENOSPC', 'OUT_OF_CAPACITY'],
    ['ENOMEM', 'OUT_OF_CAPACITY'],
    ['EFBIG', 'OUT_OF_CAPACITY'],
    ['EDQUOT', 'OUT_OF_CAPACITY'],
    ['EMFILE', 'OUT_OF_CAPACITY'],
    ['EIO', 'INTERNAL'],
  ])('maps %s to %s with details.errno and the cause', (errno, code) => {
    const cause = sysError(errno);
    const err = fromSystemError(cause, 'write blob 0');
    expect(err).toMatchObject({ code, details: { errno } });
    expect(err.message).toMatch(/^write blob 0: /);
    expect(err.cause).toBe(cause);
  });

  it('names the descriptor limit on EMFILE', () => {
    expect(fromSystemError(sysError('EMFILE'), 'memfd_create').message).toContain('descriptor limit');
  });

  it('passes PackIce errors through and makes anything else INTERNAL', () => {
    const own = new PackIceError('NOT_FOUND', 'x');
    expect(fromSystemError(own, 'y')).toBe(own);
    expect(fromSystemError('boom', 'y')).toMatchObject({ code: 'INTERNAL', message: 'y: boom', details: undefined });
    expect(errnoOf({ code: 'ERR_SOMETHING' })).toBeUndefined();
    expect(errnoOf(null)).toBeUndefined();
  });
});
