import { describe, expect, it } from '@jest/globals';
import { closeSync, fstatSync, readSync, writeSync } from 'node:fs';
import { F_SEAL_GROW, F_SEAL_IMMUTABLE, F_SEAL_SEAL, F_SEAL_SHRINK, F_SEAL_WRITE } from './constants';
import { addSeals, dupCloexec, fallocate, ftruncate, getSeals, memfdCreate, reopenReadOnly } from './memfd';
import { errnoName, isNativeError } from './native-error';
import { isSupported } from './support';

const read = (fd: number, length: number, position = 0): string => {
  const buf = Buffer.alloc(length);
  return buf.subarray(0, readSync(fd, buf, 0, length, position)).toString();
};

describe('memfd', () => {
  it('is supported here', () => {
    expect(isSupported()).toBe(true);
  });

  it('creates a sealable memfd that reads and writes like a file', () => {
    const fd = memfdCreate('spec-rw');
    try {
      writeSync(fd, 'hello memfd');
      expect(read(fd, 11)).toBe('hello memfd');
      expect(getSeals(fd)).toBe(0);
    } finally {
      closeSync(fd);
    }
  });

  it('preallocates with fallocate and resizes with ftruncate', () => {
    const fd = memfdCreate('spec-size');
    try {
      fallocate(fd, 0, 1 << 20);
      expect(fstatSync(fd).size).toBe(1 << 20);
      expect(fstatSync(fd).blocks * 512).toBeGreaterThanOrEqual(1 << 20);
      ftruncate(fd, 10);
      expect(fstatSync(fd).size).toBe(10);
    } finally {
      closeSync(fd);
    }
  });

  it('seals: writes, shrinking and growing fail with EPERM on the very descriptor that made it', () => {
    const fd = memfdCreate('spec-seal');
    try {
      writeSync(fd, 'immutable');
      addSeals(fd, F_SEAL_IMMUTABLE);
      expect(getSeals(fd) & F_SEAL_IMMUTABLE).toBe(F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
      expect(() => writeSync(fd, 'x', 0)).toThrow(expect.objectContaining({ code: 'EPERM' }));
      expect(() => ftruncate(fd, 1)).toThrow(expect.objectContaining({ code: 'EPERM', syscall: 'ftruncate' }));
      expect(() => ftruncate(fd, 100)).toThrow(expect.objectContaining({ code: 'EPERM' }));
      expect(() => fallocate(fd, 0, 4096)).toThrow(expect.objectContaining({ code: 'EPERM' }));
      expect(read(fd, 9)).toBe('immutable');
      addSeals(fd, F_SEAL_SEAL);
      expect(() => addSeals(fd, F_SEAL_WRITE)).toThrow(expect.objectContaining({ code: 'EPERM' }));
    } finally {
      closeSync(fd);
    }
  });

  it('refuses seals on a memfd made without MFD_ALLOW_SEALING', () => {
    const fd = memfdCreate('spec-nosealing', 1);
    try {
      expect(() => addSeals(fd, F_SEAL_WRITE)).toThrow(expect.objectContaining({ code: 'EPERM' }));
    } finally {
      closeSync(fd);
    }
  });

  it('duplicates and reopens read-only: the read-only descriptor cannot write', () => {
    const fd = memfdCreate('spec-dup');
    const dup = dupCloexec(fd);
    const ro = reopenReadOnly(fd);
    try {
      expect(dup).not.toBe(fd);
      writeSync(dup, 'via dup');
      expect(read(ro, 7)).toBe('via dup');
      expect(() => writeSync(ro, 'no')).toThrow(expect.objectContaining({ code: 'EBADF' }));
    } finally {
      [fd, dup, ro].forEach((d) => closeSync(d));
    }
  });

  it('reports failures with the errno name and the call', () => {
    expect(errnoName(1)).toBe('EPERM');
    expect(errnoName(16)).toBe('EBUSY');
    expect(errnoName(99999)).toBe('E99999');
    let caught: unknown;
    try {
      getSeals(987_654);
    } catch (err) {
      caught = err;
    }
    expect(isNativeError(caught, 'EBADF')).toBe(true);
    expect(caught).toMatchObject({
      syscall: 'fcntl(F_GET_SEALS)',
      errno: 9,
      message: 'fcntl(F_GET_SEALS) failed: EBADF',
    });
    expect(() => reopenReadOnly(987_654)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
