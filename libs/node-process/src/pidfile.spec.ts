import { afterAll, describe, expect, it } from '@jest/globals';
import { tryLockFile } from '@packice/native';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquirePidfile, heldPidfile } from './pidfile';

const dir = mkdtempSync(join(tmpdir(), 'packice-pidfile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('heldPidfile', () => {
  it('reports the pid only while its writer holds the lock', () => {
    const path = join(dir, 'node.pid');
    expect(heldPidfile(path)).toBeNull();
    const fd = openSync(path, 'w+');
    try {
      writeFileSync(fd, '4242\n');
      expect(heldPidfile(path)).toBeNull();
      expect(tryLockFile(fd)).toBe(true);
      expect(heldPidfile(path)).toBe(4242);
    } finally {
      closeSync(fd);
    }
    expect(heldPidfile(path)).toBeNull();
  });
});

describe('acquirePidfile', () => {
  it('writes this pid, refuses a second holder with ALREADY_EXISTS, and removes the file on release', () => {
    const path = join(dir, 'run', 'a.pid');
    const pidfile = acquirePidfile(path);
    try {
      expect(heldPidfile(path)).toBe(process.pid);
      expect(() => acquirePidfile(path)).toThrow(expect.objectContaining({ code: 'ALREADY_EXISTS' }));
    } finally {
      pidfile.release();
    }
    expect(heldPidfile(path)).toBeNull();
    pidfile.release();
  });
});
