import { describe, expect, it } from '@jest/globals';
import { closeSync, readFileSync, readSync, writeSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { F_SEAL_IMMUTABLE } from './constants';
import { addSeals, ftruncate, memfdCreate, reopenReadOnly } from './memfd';
import { freezeMapping, isMapped, LIVE_MAPPINGS_MAX, liveMappings, mapFd, QUIET_BYTES_MAX } from './mmap';
import { UNCOUNTED_REGION_MIN } from './uncounted-region';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function collectUntil(done: () => boolean, deadlineMs = 5_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('mappings were not collected in time');
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function withMemfd(size: number, fn: (fd: number) => void | Promise<void>): Promise<void> {
  const fd = memfdCreate('spec-mmap');
  ftruncate(fd, size);
  return Promise.resolve(fn(fd)).finally(() => closeSync(fd));
}

describe('mapFd', () => {
  it('shares a writable mapping with the descriptor, zero-copy', () =>
    withMemfd(4096, (fd) => {
      const view = mapFd(fd, 4096, { mode: 'write' });
      expect(isMapped(view)).toBe(true);
      view.write('through the mapping');
      const seen = Buffer.alloc(19);
      readSync(fd, seen, 0, 19, 0);
      expect(seen.toString()).toBe('through the mapping');
      writeSync(fd, 'FD', 0);
      expect(view.subarray(0, 2).toString()).toBe('FD');
    }));

  it('gives readers a copy-on-write view: a stray write never crashes nor reaches the object', () =>
    withMemfd(4096, (fd) => {
      writeSync(fd, 'original', 0);
      addSeals(fd, F_SEAL_IMMUTABLE);
      const ro = reopenReadOnly(fd);
      const view = mapFd(ro, 4096);
      closeSync(ro);
      expect(view.subarray(0, 8).toString()).toBe('original');
      view.write('scribble');
      const seen = Buffer.alloc(8);
      readSync(fd, seen, 0, 8, 0);
      expect(seen.toString()).toBe('original');
    }));

  it('refuses a shared writable mapping of a sealed memfd with EPERM', () =>
    withMemfd(4096, (fd) => {
      addSeals(fd, F_SEAL_IMMUTABLE);
      expect(() => mapFd(fd, 4096, { mode: 'write' })).toThrow(
        expect.objectContaining({ code: 'EPERM', syscall: 'mmap' }),
      );
    }));

  it('freezes a writer mapping in place so the seal applies and the view stays readable', () =>
    withMemfd(8192, (fd) => {
      const view = mapFd(fd, 8192, { mode: 'write' });
      const tail = view.subarray(4096);
      view.write('producer data');
      tail.write('tail');
      expect(() => addSeals(fd, F_SEAL_IMMUTABLE)).toThrow(expect.objectContaining({ code: 'EBUSY' }));
      const ro = reopenReadOnly(fd);
      freezeMapping(view, ro);
      closeSync(ro);
      addSeals(fd, F_SEAL_IMMUTABLE);
      expect(view.subarray(0, 13).toString()).toBe('producer data');
      expect(tail.subarray(0, 4).toString()).toBe('tail');
      view.write('late!');
      const seen = Buffer.alloc(13);
      readSync(fd, seen, 0, 13, 0);
      expect(seen.toString()).toBe('producer data');
    }));

  it('maps nothing for zero bytes and refuses negative lengths', () => {
    expect(mapFd(0, 0).length).toBe(0);
    expect(() => mapFd(0, -1)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => mapFd(987_654, 10)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  it('unmaps once the Buffer is collected, and not before (views of it keep it alive)', async () => {
    // Earlier tests' mappings are garbage too: let them go first, so the counts below are exact.
    await collectUntil(() => liveMappings().count === 0);
    const before = liveMappings();
    const kept: { view?: Buffer } = {};
    await withMemfd(1 << 20, (fd) => {
      for (let i = 0; i < 20; i++) mapFd(fd, 1 << 20);
      kept.view = mapFd(fd, 1 << 20).subarray(10, 20);
    });
    expect(liveMappings().count).toBe(before.count + 21);
    await collectUntil(() => liveMappings().count === before.count + 1);
    expect(liveMappings().bytes).toBe(before.bytes + (1 << 20));
    expect(kept.view?.length).toBe(10);
    delete kept.view;
    await collectUntil(() => liveMappings().count === before.count);
  });

  it('refuses with ENOMEM past LIVE_MAPPINGS_MAX live mappings, and maps again once they are collected', async () => {
    await collectUntil(() => liveMappings().count === 0);
    await withMemfd(4096, async (fd) => {
      const views: Buffer[] = [];
      for (let i = 0; i < LIVE_MAPPINGS_MAX; i++) views.push(mapFd(fd, 4096));
      expect(() => mapFd(fd, 4096)).toThrow(expect.objectContaining({ code: 'ENOMEM', syscall: 'mmap' }));
      views.length = 0;
      await collectUntil(() => liveMappings().count === 0);
      expect(mapFd(fd, 4096).length).toBe(4096);
    });
  }, 60_000);

  describe('large mappings (address space from a SharedArrayBuffer V8 does not count)', () => {
    const SIZE = UNCOUNTED_REGION_MIN + 4096 * 3 + 100;
    // The memfd's name shows in /proc/self/maps while any mapping of it is in place.
    const mappedHere = (name: string) => readFileSync('/proc/self/maps', 'utf8').includes(`/memfd:${name}`);

    it('maps without growing V8 external memory, reads and freezes like any mapping', async () => {
      const fd = memfdCreate('spec-quiet-a');
      try {
        ftruncate(fd, SIZE);
        writeSync(fd, 'head', 0);
        writeSync(fd, 'tail', SIZE - 4);
        const external = process.memoryUsage().external;
        const view = mapFd(fd, SIZE, { mode: 'write' });
        expect(view.buffer).toBeInstanceOf(SharedArrayBuffer);
        expect(process.memoryUsage().external - external).toBeLessThan(SIZE / 2);
        expect(view.length).toBe(SIZE);
        expect(view.subarray(0, 4).toString()).toBe('head');
        expect(view.subarray(SIZE - 4).toString()).toBe('tail');
        view.write('mapped', 100);
        const seen = Buffer.alloc(6);
        readSync(fd, seen, 0, 6, 100);
        expect(seen.toString()).toBe('mapped');
        const ro = reopenReadOnly(fd);
        freezeMapping(view, ro);
        closeSync(ro);
        addSeals(fd, F_SEAL_IMMUTABLE);
        view.write('late!!', 100);
        readSync(fd, seen, 0, 6, 100);
        expect(seen.toString()).toBe('mapped');
      } finally {
        closeSync(fd);
      }
    });

    it('maps the ordinary (counted) way past QUIET_BYTES_MAX at once', async () => {
      await collectUntil(() => liveMappings().count === 0);
      const fd = memfdCreate('spec-quiet-b');
      try {
        ftruncate(fd, SIZE);
        const views: Buffer[] = [];
        while (views.length * SIZE + SIZE <= QUIET_BYTES_MAX) views.push(mapFd(fd, SIZE));
        expect(views.every((v) => v.buffer instanceof SharedArrayBuffer)).toBe(true);
        const counted = mapFd(fd, SIZE);
        expect(counted.buffer).toBeInstanceOf(ArrayBuffer);
        expect(counted.length).toBe(SIZE);
      } finally {
        closeSync(fd);
      }
    });

    it('goes away with its Buffer, and not before', async () => {
      await collectUntil(() => liveMappings().count === 0);
      const kept: { view?: Buffer } = {};
      await withMemfd(SIZE, (fd) => {
        mapFd(fd, SIZE);
        kept.view = mapFd(fd, SIZE).subarray(5, 10);
      });
      expect(liveMappings().count).toBe(2);
      await collectUntil(() => liveMappings().count === 1);
      expect(mappedHere('spec-mmap')).toBe(true);
      delete kept.view;
      await collectUntil(() => liveMappings().count === 0 && !mappedHere('spec-mmap'));
    });
  });
});
