import { describe, expect, it } from '@jest/globals';
import { type BlobHandle, createPeer } from '@packice/core';
import { describeBlobStore } from '@packice/core/testing';
import {
  dupCloexec,
  freezeMapping,
  ftruncate,
  getFileLimit,
  mapFd,
  openDescriptorCount,
  pageSize,
  reopenReadOnly,
} from '@packice/native';
import { closeSync, fstatSync, readdirSync, readlinkSync, writeSync } from 'node:fs';
import { createMemStorage } from './mem-storage';

describeBlobStore('mem (memfd)', () => createMemStorage({ backend: 'memfd', smallObjectMaxBytes: 0 }), {
  handleKind: 'fd',
});
describeBlobStore(
  'mem (memfd, small objects in slabs)',
  () => createMemStorage({ backend: 'memfd', smallObjectMaxBytes: 64 * 1024 }),
  {
    handleKind: 'fd',
    sealedHandleKind: 'in-process',
  },
);
describeBlobStore('mem (memfs fallback)', () => createMemStorage({ backend: 'memfs' }), { handleKind: 'in-process' });

const openFds = (): number => readdirSync('/proc/self/fd').length;

function fdOf(handle: BlobHandle): number {
  if (handle.kind !== 'fd') throw new Error(`expected an fd handle, got ${handle.kind}`);
  return handle.fd;
}

describe('createMemStorage (memfd)', () => {
  it('chooses memfd here and refuses bad options', () => {
    expect(createMemStorage().backend).toBe('memfd');
    expect(() => createMemStorage({ budgetBytes: 0 })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => createMemStorage({ backend: 'tmpfs' as never })).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST' }),
    );
  });

  it('names each memfd after its object and blob', async () => {
    const storage = createMemStorage();
    const blobs = await storage.createBlobs('named-object', [undefined, undefined]);
    expect(readlinkSync(`/proc/self/fd/${fdOf(blobs[1].handle('create'))}`)).toBe(
      '/memfd:packice:named-object:1 (deleted)',
    );
    await storage.close();
  });

  it('preallocates the hint: the pages exist before anyone writes', async () => {
    const storage = createMemStorage();
    const [blob] = await storage.createBlobs('prealloc', [8 << 20]);
    expect(fstatSync(fdOf(blob.handle('create'))).blocks * 512).toBeGreaterThanOrEqual(8 << 20);
    expect(storage.allocatedBytes).toBe(8 << 20);
    await storage.close();
    expect(storage.allocatedBytes).toBe(0);
  });

  it('refuses hints beyond the budget before allocating anything', async () => {
    const storage = createMemStorage({ budgetBytes: 1 << 20 });
    await storage.createBlobs('fits', [512 << 10]);
    await expect(storage.createBlobs('too-big', [256 << 10, 300 << 10])).rejects.toMatchObject({
      code: 'OUT_OF_CAPACITY',
    });
    expect(storage.liveBlobs).toBe(1);
    expect(storage.allocatedBytes).toBe(512 << 10);
    await storage.close();
  });

  it('uses half of the machine memory as the default budget: a 32 TiB hint is refused, not OOM-killed', async () => {
    const storage = createMemStorage();
    await expect(storage.createBlobs('huge', [32 * 2 ** 40])).rejects.toMatchObject({ code: 'OUT_OF_CAPACITY' });
    await storage.close();
  });

  it('seals in the kernel: the creator descriptor can no longer write, shrink or grow (EPERM)', async () => {
    const storage = createMemStorage();
    const [blob] = await storage.createBlobs('sealed', [undefined]);
    // The creator's own copy, as a client holds one received over the socket.
    const creatorFd = dupCloexec(fdOf(blob.handle('create')));
    writeSync(creatorFd, 'before seal');
    await blob.seal();
    expect(() => writeSync(creatorFd, 'after', 0)).toThrow(expect.objectContaining({ code: 'EPERM' }));
    expect(() => ftruncate(creatorFd, 1)).toThrow(expect.objectContaining({ code: 'EPERM' }));
    expect(() => ftruncate(creatorFd, 1 << 20)).toThrow(expect.objectContaining({ code: 'EPERM' }));
    expect((await blob.read()).toString()).toBe('before seal');
    closeSync(creatorFd);
    await storage.close();
  });

  it('holds one descriptor per sealed blob, and counts whole pages', async () => {
    const storage = createMemStorage({ smallObjectMaxBytes: 0 });
    const before = openDescriptorCount();
    const blobs = await storage.createBlobs('small', [100, undefined, 4097]);
    expect(storage.allocatedBytes).toBe(pageSize() === 4096 ? 4 * 4096 : 3 * pageSize());
    expect(storage.allocationUnit).toBe(pageSize());
    await Promise.all(blobs.map((b) => b.seal()));
    expect(openDescriptorCount()).toBe(before + 3);
    await storage.remove('small', blobs);
    expect(openDescriptorCount()).toBe(before);
    expect(storage.allocatedBytes).toBe(0);
    await storage.close();
  });

  it('keeps a descriptor reserve: creates near the limit are OUT_OF_CAPACITY naming the limit', async () => {
    const storage = createMemStorage({ descriptorReserve: getFileLimit().soft - openDescriptorCount() - 2 });
    const [one] = await storage.createBlobs('fits', [undefined]);
    await expect(storage.createBlobs('over', [undefined, undefined])).rejects.toMatchObject({
      code: 'OUT_OF_CAPACITY',
      message: expect.stringContaining('RLIMIT_NOFILE'),
      details: { errno: 'EMFILE' },
    });
    await storage.remove('fits', [one]);
    await expect(storage.createBlobs('again', [undefined, undefined])).resolves.toHaveLength(2);
    await storage.close();
  });

  it('hands readers a read-only descriptor', async () => {
    const storage = createMemStorage({ smallObjectMaxBytes: 0 });
    const [blob] = await storage.createBlobs('ro', [undefined]);
    const creatorFd = fdOf(blob.handle('create'));
    await blob.write(Buffer.from('data'));
    await blob.seal();
    const readFd = fdOf(blob.handle('read'));
    expect(readFd).not.toBe(creatorFd);
    expect(() => writeSync(readFd, 'x')).toThrow(expect.objectContaining({ code: 'EBADF' }));
    expect(blob.handle('create')).toEqual(blob.handle('read'));
    await storage.close();
  });

  it('answers a clear coded error while a writable mapping exists, and seals once it is frozen', async () => {
    const storage = createMemStorage();
    const [blob] = await storage.createBlobs('mapped', [4096]);
    const fd = fdOf(blob.handle('create'));
    const view = mapFd(fd, 4096, { mode: 'write' });
    view.write('mapped bytes');
    await expect(blob.seal()).rejects.toMatchObject({ code: 'BAD_REQUEST', details: { errno: 'EBUSY' } });
    expect(blob.sealed).toBe(false);
    const ro = reopenReadOnly(fd);
    freezeMapping(view, ro);
    closeSync(ro);
    await blob.seal();
    expect(view.subarray(0, 12).toString()).toBe('mapped bytes');
    expect((await blob.read(0, 12)).toString()).toBe('mapped bytes');
    await storage.close();
  });

  it('closes every descriptor: 1,000 create/write/seal/read/delete cycles and evictions leave no fd behind', async () => {
    const storage = createMemStorage();
    const peer = createPeer({ storage, capacityBytes: 64 * 1024 });
    await peer.start();
    const before = openFds();
    for (let i = 0; i < 1000; i++) {
      const payload = `payload ${i}`;
      const { lease, object } = await peer.acquire({
        intent: 'create',
        objectId: `cycle-${i}`,
        blobs: [{ size: 1024 }],
      });
      await object.blobs[0].write(Buffer.from(payload), 0);
      await peer.seal(lease.leaseId);
      const read = await peer.acquire({ intent: 'read', objectId: `cycle-${i}` });
      expect((await read.object.blobs[0].read(0, payload.length)).toString()).toBe(payload);
      await peer.release(read.lease.leaseId);
      await peer.release(lease.leaseId);
      // Every other object is deleted; the rest are evicted as the 64 KiB capacity fills up.
      if (i % 2 === 0) await peer.delete(`cycle-${i}`);
    }
    const stats = await peer.stats();
    expect(stats.evictions).toBeGreaterThan(400);
    expect(openFds()).toBeLessThanOrEqual(before + 2 * stats.objects);
    await peer.close();
    expect(storage.liveBlobs).toBe(0);
    expect(openFds()).toBeLessThanOrEqual(before);
  });
});
