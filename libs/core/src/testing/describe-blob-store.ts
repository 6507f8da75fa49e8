import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { BlobHandle, BlobStore } from '../blob';
import { createPeer } from '../peer/create-peer';

/** Options of {@link describeBlobStore}. */
export interface BlobStoreSuiteOptions {
  /** The handle kind the storage gives (`fd`, `path`, `in-process`). */
  handleKind: BlobHandle['kind'];
  /** The handle kind of a small sealed blob, where it differs (memory storage's slabs: `in-process`). */
  sealedHandleKind?: BlobHandle['kind'];
  /** Runs after each test, after the store is closed (e.g. to remove a temp dir). */
  cleanup?: () => Promise<void> | void;
}

/**
 * The shared backend suite: every storage lib runs it with its own factory, then adds its own
 * cases. `create` must return a new, empty store each time.
 */
export function describeBlobStore(
  name: string,
  create: () => Promise<BlobStore> | BlobStore,
  options: BlobStoreSuiteOptions,
): void {
  const sealedKind = options.sealedHandleKind ?? options.handleKind;
  describe(`BlobStore contract: ${name}`, () => {
    let store: BlobStore;

    beforeEach(async () => {
      store = await create();
      await expect(store.open()).resolves.toEqual([]);
    });

    afterEach(async () => {
      await store.close();
      await options.cleanup?.();
    });

    it('preallocates size hints and starts empty without one', async () => {
      const blobs = await store.createBlobs('hints', [4096, undefined, 0]);
      expect(blobs.map((b) => b.size)).toEqual([4096, 0, 0]);
      expect(blobs.map((b) => b.index)).toEqual([0, 1, 2]);
      expect(blobs.every((b) => !b.sealed)).toBe(true);
      const zeros = await blobs[0].read();
      expect(zeros.length).toBe(4096);
      expect(zeros.every((byte) => byte === 0)).toBe(true);
      await store.remove('hints', blobs);
    });

    it('writes, appends and reads back, positionally too', async () => {
      const [blob] = await store.createBlobs('rw', [undefined]);
      await expect(blob.write(Buffer.from('hello '))).resolves.toBe(6);
      await blob.write(Buffer.from('world'));
      expect(blob.size).toBe(11);
      await blob.write(Buffer.from('W'), 6);
      expect((await blob.read()).toString()).toBe('hello World');
      expect((await blob.read(6, 3)).toString()).toBe('Wor');
      expect((await blob.read(9)).toString()).toBe('ld');
      expect((await blob.read(11)).length).toBe(0);
      await store.remove('rw', [blob]);
    });

    it('truncates to an exact length, cutting or zero-extending, until sealed', async () => {
      const [blob] = await store.createBlobs('cut', [100]);
      await blob.write(Buffer.from('keep this'), 0);
      await blob.truncate(4);
      expect(blob.size).toBe(4);
      expect((await blob.read()).toString()).toBe('keep');
      await blob.truncate(6);
      expect([...(await blob.read())]).toEqual([...Buffer.from('keep'), 0, 0]);
      await blob.seal();
      await expect(blob.truncate(1)).rejects.toMatchObject({ code: 'ALREADY_SEALED' });
      expect(blob.size).toBe(6);
      await store.remove('cut', [blob]);
    });

    it('seals: bytes stay, writes fail ALREADY_SEALED, sealing again is harmless', async () => {
      const [blob] = await store.createBlobs('sealed', [undefined]);
      await blob.write(Buffer.from('frozen'));
      await blob.seal();
      await blob.seal();
      expect(blob.sealed).toBe(true);
      await expect(blob.write(Buffer.from('x'), 0)).rejects.toMatchObject({ code: 'ALREADY_SEALED' });
      expect((await blob.read()).toString()).toBe('frozen');
      expect(blob.size).toBe(6);
      await store.remove('sealed', [blob]);
    });

    it(`gives ${options.handleKind} handles, read ones only once sealed`, async () => {
      const [blob] = await store.createBlobs('handles', [16]);
      expect(blob.handle('create').kind).toBe(options.handleKind);
      expect(() => blob.handle('read')).toThrow(expect.objectContaining({ code: 'NOT_SEALED' }));
      await blob.seal();
      expect(blob.handle('read').kind).toBe(sealedKind);
      await store.remove('handles', [blob]);
    });

    it("takes a create's bytes, and a Peer creates, writes and seals in one step", async () => {
      const [blob, empty] = await store.createBlobs('with-bytes', [5, 0], [Buffer.from('hello'), undefined]);
      expect(blob.size).toBe(5);
      expect((await blob.read()).toString()).toBe('hello');
      expect(empty.size).toBe(0);
      await blob.seal();
      expect((await blob.read(1, 3)).toString()).toBe('ell');
      await store.remove('with-bytes', [blob, empty]);

      const peer = createPeer({ storage: store });
      const put = await peer.acquire({
        intent: 'create',
        objectId: 'one-step',
        blobs: [{ data: Buffer.from('all at once') }],
        seal: true,
      });
      expect(put.object).toMatchObject({ state: 'sealed', size: 11 });
      await peer.release(put.lease.leaseId);
      const read = await peer.acquire({ intent: 'read', objectId: 'one-step' });
      expect((await read.object.blobs[0].read()).toString()).toBe('all at once');
      await peer.release(read.lease.leaseId);
      await peer.close();
    });

    it('keeps objects apart and removes them idempotently', async () => {
      const a = await store.createBlobs('a', [undefined]);
      const b = await store.createBlobs('b', [undefined]);
      await a[0].write(Buffer.from('A'));
      await b[0].write(Buffer.from('B'));
      await store.remove('a', a);
      await store.remove('a', a);
      expect((await b[0].read()).toString()).toBe('B');
      await store.remove('b', b);
    });

    it('commits a sealed object', async () => {
      const blobs = await store.createBlobs('committed', [undefined, undefined]);
      await blobs[0].write(Buffer.from('one'));
      await blobs[1].write(Buffer.from('two!'));
      await Promise.all(blobs.map((b) => b.seal()));
      await store.commit({
        objectId: 'committed',
        state: 'sealed',
        size: 7,
        meta: { k: 'v' },
        createdAt: 1,
        sealedAt: 2,
        blobs,
      });
      expect(blobs.map((b) => b.size)).toEqual([3, 4]);
      await store.remove('committed', blobs);
    });

    it('serves a Peer: create, write, seal, read, delete, abort', async () => {
      const peer = createPeer({ storage: store });
      const created = await peer.acquire({ intent: 'create', objectId: 'via-peer', meta: { type: 'text' } });
      await created.object.blobs[0].write(Buffer.from('Zero-Copy Data!'));
      const sealed = await peer.seal(created.lease.leaseId);
      expect(sealed).toMatchObject({ state: 'sealed', size: 15, blobs: [{ size: 15 }] });
      const read = await peer.acquire({ intent: 'read', objectId: 'via-peer' });
      expect((await read.object.blobs[0].read()).toString()).toBe('Zero-Copy Data!');
      expect(read.object.blobs[0].handle('read').kind).toBe(sealedKind);
      await peer.release(read.lease.leaseId);
      await peer.release(created.lease.leaseId);
      await expect(peer.delete('via-peer')).resolves.toEqual({ deleted: true, pending: false });

      const aborted = await peer.acquire({ intent: 'create', objectId: 'aborted', blobs: [{ size: 1024 }] });
      await peer.release(aborted.lease.leaseId);
      await expect(peer.stat('aborted')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const again = await peer.acquire({ intent: 'create', objectId: 'aborted' });
      expect(again.object.blobs[0].size).toBe(0);
      await peer.close();
    });

    it('closes idempotently', async () => {
      await store.close();
      await store.close();
    });
  });
}
