import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getFileLimit, openDescriptorCount, pageSize, raiseFileLimit } from './file-limit';
import { tryLockFile, unlockFile } from './file-lock';

const dir = mkdtempSync(join(tmpdir(), 'packice-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tryLockFile', () => {
  it('locks once per open file, and frees the lock on unlock and on close', () => {
    const path = join(dir, 'a.pid');
    const first = openSync(path, 'a+');
    const second = openSync(path, 'a+');
    try {
      expect(tryLockFile(first)).toBe(true);
      expect(tryLockFile(second)).toBe(false);
      unlockFile(first);
      expect(tryLockFile(second)).toBe(true);
      closeSync(second);
      expect(tryLockFile(first)).toBe(true);
    } finally {
      closeSync(first);
    }
  });

  it('sees a lock held by another process, and sees it gone once that process is killed', () => {
    const path = join(dir, 'b.pid');
    const holder = `const fs=require('fs');const {tryLockFile}=require(${JSON.stringify(join(__dirname, '../dist'))});
      const fd=fs.openSync(${JSON.stringify(path)},'a+');process.stdout.write(String(tryLockFile(fd)));process.kill(process.pid,'SIGKILL');`;
    const fd = openSync(path, 'a+');
    try {
      expect(tryLockFile(fd)).toBe(true);
      const blocked = spawnSync(process.execPath, ['-e', holder], { encoding: 'utf8' });
      expect([blocked.stdout, blocked.signal]).toEqual(['false', 'SIGKILL']);
      unlockFile(fd);
      const taken = spawnSync(process.execPath, ['-e', holder], { encoding: 'utf8' });
      expect([taken.stdout, taken.signal]).toEqual(['true', 'SIGKILL']);
      expect(tryLockFile(fd)).toBe(true);
    } finally {
      closeSync(fd);
    }
  });
});

describe('file limits', () => {
  it('reads RLIMIT_NOFILE and raises the soft limit to the hard one at most', () => {
    const before = getFileLimit();
    expect(before.soft).toBeLessThanOrEqual(before.hard);
    const after = raiseFileLimit();
    expect(after.hard).toBe(before.hard);
    expect(after.soft).toBe(before.hard);
  });

  it('counts open descriptors exactly, and knows the page size', () => {
    const before = openDescriptorCount();
    const fd = openSync(join(dir, 'count'), 'w');
    expect(openDescriptorCount()).toBe(before + 1);
    closeSync(fd);
    expect(openDescriptorCount()).toBe(before);
    expect([4096, 16384, 65536]).toContain(pageSize());
  });
});
