import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPeer, PackIceError, type Peer } from '@packice/core';
import { type WatchEvent } from '@packice/protocol';
import { isMapped } from '@packice/native';
import { createMemStorage } from '@packice/storage-mem';
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from './client';
import { connect } from './connect';
import type { Lease } from './lease';

const dir = mkdtempSync(join(tmpdir(), 'packice-client-'));
const socket = join(dir, 'node.sock');
let node: ChildProcess;
let url: string;
let direct: Peer;

beforeAll(async () => {
  node = fork(join(__dirname, '__fixtures__/node.cjs'), [socket], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [],
  });
  [{ url }] = (await once(node, 'message')) as [{ url: string }];
  direct = createPeer({ storage: createMemStorage() });
});

afterAll(async () => {
  await direct.close();
  const exited = once(node, 'exit');
  node.kill('SIGTERM');
  await exited;
  rmSync(dir, { recursive: true, force: true });
});

interface Target {
  /** A producer and a consumer of the same peer. */
  open(): Promise<[Client, Client]>;
  /** Whether map() is zero-copy there. */
  zeroCopy: boolean;
}

const targets: Record<string, Target> = {
  private: {
    open: async () => {
      const c = await connect();
      return [c, c];
    },
    zeroCopy: true,
  },
  'memory://': { open: async () => [await connect('memory://suite'), await connect('memory://suite')], zeroCopy: true },
  'direct peer': { open: async () => [await connect(direct), await connect(direct)], zeroCopy: true },
  'UDS node process': { open: async () => [await connect(socket), await connect(`unix://${socket}`)], zeroCopy: true },
  'HTTP node process': { open: async () => [await connect(url), await connect(url)], zeroCopy: false },
};

let n = 0;
const uniqueId = (base: string): string => `${base}-${++n}`;

describe.each(Object.entries(targets))('client against %s', (_name, target) => {
  let producer: Client;
  let consumer: Client;

  beforeAll(async () => {
    [producer, consumer] = await target.open();
  });

  afterAll(async () => {
    await producer.close();
    await consumer.close();
  });

  it('puts and gets an object, with its meta', async () => {
    const id = uniqueId('hello');
    const sealed = await producer.put('Zero-Copy Data!', { objectId: id, meta: { type: 'text/plain' } });
    expect(sealed).toMatchObject({ objectId: id, state: 'sealed', size: 15, meta: { type: 'text/plain' } });
    expect((await consumer.get(id)).toString()).toBe('Zero-Copy Data!');
    await expect(consumer.stat(id)).resolves.toMatchObject({ size: 15, blobs: [{ size: 15 }] });
    await expect(consumer.storage()).resolves.toBe('mem');
  });

  it('sends a release without waiting for its answer; wait: true waits; a failed one is thrown by the next call', async () => {
    const id = uniqueId('released');
    await producer.put('x', { objectId: id });
    const quick = await consumer.acquire({ intent: 'read', objectId: id });
    const confirmed = await consumer.acquire({ intent: 'read', objectId: id });
    await quick.release();
    await confirmed.release({ wait: true });
    expect((await producer.listLeases({ objectId: id })).map((l) => l.leaseId)).not.toContain(confirmed.leaseId);
    const failing = await consumer.acquire({ intent: 'read', objectId: id });
    await failing.release({ signal: AbortSignal.abort(new PackIceError('TIMEOUT', 'gave up')) });
    // That request never left, so its failure is known within one turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    await expect(consumer.stat(id)).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: expect.stringContaining('an earlier release was refused'),
    });
    await expect(consumer.stat(id)).resolves.toMatchObject({ objectId: id });
    await expect(failing.release()).resolves.toBeUndefined();
  });

  it('acquires several objects at once: a Lease or the error, in order', async () => {
    const [a, b] = [uniqueId('many'), uniqueId('many')];
    await producer.put('first', { objectId: a });
    await producer.put('second', { objectId: b });
    const results = await consumer.acquireMany([a, uniqueId('missing'), b]);
    expect(results[1]).toBeInstanceOf(PackIceError);
    expect(results[1]).toMatchObject({ code: 'NOT_FOUND' });
    const [first, , second] = results as Lease[];
    expect([(await first.map()).toString(), (await second.read()).toString()]).toEqual(['first', 'second']);
    expect([first.objectId, first.access, second.objectId]).toEqual([a, 'read', b]);
    await first.release();
    await second.release({ wait: true });
    expect(await producer.listLeases({ objectId: b })).toEqual([]);
  });

  it('puts a stream without holding it whole', async () => {
    const id = uniqueId('streamed');
    async function* chunks(): AsyncGenerator<Buffer | string> {
      for (let i = 0; i < 64; i++) yield Buffer.alloc(16 * 1024, i);
      yield 'tail';
    }
    await expect(producer.put(chunks(), { objectId: id })).resolves.toMatchObject({ size: 64 * 16 * 1024 + 4 });
    const read = await consumer.get(id);
    expect(read.subarray(16 * 1024, 16 * 1024 + 2)).toEqual(Buffer.from([1, 1]));
    expect(read.subarray(-4).toString()).toBe('tail');
  });

  it('writes through a create lease and maps the sealed object (zero-copy above the slab threshold)', async () => {
    const id = uniqueId('mapped');
    const size = 256 * 1024; // over the memory storage's small-object threshold (4 KiB)
    const lease = await producer.acquire({ intent: 'create', objectId: id, blobs: [{ size }] });
    expect(lease).toMatchObject({ objectId: id, access: 'create' });
    const bytes = Buffer.alloc(size);
    bytes.write('mapped bytes');
    bytes.write('tail', size - 4);
    await expect(lease.write(bytes)).resolves.toBe(size);
    await expect(lease.seal()).resolves.toMatchObject({ state: 'sealed', size });
    await expect(lease.write('again')).rejects.toMatchObject({ code: 'ALREADY_SEALED' });
    await expect(lease.seal()).rejects.toMatchObject({ code: 'ALREADY_SEALED' });
    await lease.release();
    const reader = await consumer.acquire({ intent: 'read', objectId: id });
    const view = await reader.map();
    expect(view.subarray(0, 12).toString()).toBe('mapped bytes');
    expect(view.subarray(-4).toString()).toBe('tail');
    expect(isMapped(view)).toBe(target.zeroCopy);
    await expect(reader.write('x')).rejects.toMatchObject({ code: 'WRONG_ACCESS' });
    await reader.release();
    expect(view.subarray(0, 12).toString()).toBe('mapped bytes'); // still valid after release
  });

  it('maps a small object as a copy of its own, which outlives the release and the delete', async () => {
    const id = uniqueId('small');
    await producer.put('twelve bytes', { objectId: id });
    const reader = await consumer.acquire({ intent: 'read', objectId: id });
    const view = await reader.map();
    expect(isMapped(view)).toBe(false);
    await reader.release();
    await producer.delete(id);
    await producer.put('overwritten!', { objectId: uniqueId('small-next') }); // may reuse the slot
    expect(view.toString()).toBe('twelve bytes');
  });

  it('opens blobs as files: writes through open("w"), reads through a stream', async () => {
    const id = uniqueId('opened');
    const lease = await producer.acquire({ intent: 'create', objectId: id, blobs: [{ size: 64 }] });
    {
      await using file = await lease.open('w');
      await file.write('Zero-Copy ');
      await file.write(Buffer.from('Data!'));
    }
    await expect(lease.seal()).resolves.toMatchObject({ size: 15 });
    await expect(lease.open('r+')).rejects.toMatchObject({ code: 'ALREADY_SEALED' });
    await lease.release();
    const reader = await consumer.acquire({ intent: 'read', objectId: id });
    const file = await reader.open();
    const into = Buffer.alloc(4);
    await expect(file.read(into, 0, 4, 10)).resolves.toMatchObject({ bytesRead: 4 });
    expect(into.toString()).toBe('Data');
    const chunks: Buffer[] = [];
    // As with Node's FileHandle, the stream closes the file when it ends.
    for await (const chunk of file.createReadStream({ start: 5 })) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('Copy Data!');
    await file.close();
    await expect(reader.open('w')).rejects.toMatchObject({ code: 'WRONG_ACCESS' });
    await reader.release();
  });

  it('writes through a writable mapping that stays readable after seal', async () => {
    const id = uniqueId('mapwrite');
    const lease = await producer.acquire({ intent: 'create', objectId: id, blobs: [{ size: 4096 }] });
    if (!target.zeroCopy) {
      await expect(lease.mapWritable()).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      await lease.release();
      return;
    }
    const view = await lease.mapWritable();
    view.write('written in place');
    await lease.seal();
    expect(view.subarray(0, 16).toString()).toBe('written in place');
    view.write('private');
    await lease.release();
    const read = await consumer.get(id);
    expect(read.length).toBe(4096);
    expect(read.subarray(0, 16).toString()).toBe('written in place');
  });

  it('waits for a seal, and times out when none comes', async () => {
    const id = uniqueId('later');
    const waiting = consumer.get(id, { timeoutMs: 10_000 });
    await producer.put('arrived', { objectId: id });
    await expect(waiting).resolves.toEqual(Buffer.from('arrived'));
    await expect(consumer.get(uniqueId('never'), { timeoutMs: 20 })).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('answers the same error codes everywhere', async () => {
    const id = uniqueId('dup');
    await producer.put('x', { objectId: id });
    await expect(producer.put('y', { objectId: id })).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await expect(consumer.get(uniqueId('missing'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(consumer.get('../bad')).rejects.toMatchObject({ code: 'INVALID_ID' });
    await expect(consumer.acquire({ intent: 'create', blobs: 0 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('defers a delete while a lease is held, and lists leases and stats', async () => {
    const id = uniqueId('held');
    await producer.put('held bytes', { objectId: id });
    const before = await producer.stats();
    const reader = await consumer.acquire({ intent: 'read', objectId: id });
    await expect(producer.listLeases({ objectId: id })).resolves.toHaveLength(1);
    await expect(producer.stats()).resolves.toMatchObject({ leases: before.leases + 1, objects: before.objects });
    await expect(producer.delete(id)).resolves.toEqual({ deleted: false, pending: true });
    await expect(consumer.get(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await reader.read()).toString()).toBe('held bytes');
    await reader.release({ wait: true });
    await expect(producer.stats()).resolves.toMatchObject({ leases: before.leases, objects: before.objects - 1 });
    expect((await producer.listObjects()).some((o) => o.objectId === id)).toBe(false);
  });

  it('stops a waiting call when its signal aborts, and refuses one whose signal already has', async () => {
    const controller = new AbortController();
    const waiting = consumer.acquire({
      intent: 'read',
      objectId: uniqueId('never'),
      timeoutMs: 60_000,
      signal: controller.signal,
    });
    controller.abort(new Error('no longer needed'));
    await expect(waiting).rejects.toThrow('no longer needed');
    const gone = AbortSignal.abort(new Error('aborted before'));
    await expect(consumer.stat(uniqueId('any'), { signal: gone })).rejects.toThrow('aborted before');
    await expect(consumer.put('x', { objectId: uniqueId('never-put'), signal: gone })).rejects.toThrow(
      'aborted before',
    );
    await expect(consumer.listObjects({ signal: gone })).rejects.toThrow('aborted before');
    await expect(consumer.stats()).resolves.toMatchObject({ capacity: null });
  });

  it('watches the events of a prefix: the replay first, then live seals and deletes in seq order', async () => {
    const prefix = `${uniqueId('watched')}-`;
    await producer.put('first', { objectId: `${prefix}a` });
    await producer.put('elsewhere', { objectId: uniqueId('unwatched') });
    const seen: WatchEvent[] = [];
    let replayed!: () => void;
    const ready = new Promise<void>((resolve) => (replayed = resolve));
    const watching = (async () => {
      for await (const event of consumer.watch({ prefix, replay: true })) {
        seen.push(event);
        if (seen.length === 1) replayed();
        if (seen.length === 3) break;
      }
    })();
    await ready;
    await producer.put('second', { objectId: `${prefix}b` });
    await producer.delete(`${prefix}a`);
    await watching;
    expect(seen.map((e) => [e.event, 'objectId' in e ? e.objectId : '', 'replay' in e ? e.replay : false])).toEqual([
      ['sealed', `${prefix}a`, true],
      ['sealed', `${prefix}b`, false],
      ['deleted', `${prefix}a`, false],
    ]);
    const [, sealed, deleted] = seen as Extract<WatchEvent, { seq: number }>[];
    expect(sealed).toMatchObject({ size: 6, meta: {} });
    expect(deleted.seq).toBe(sealed.seq + 1);
  });

  it('ends a watch when its signal aborts', async () => {
    const controller = new AbortController();
    const stream = consumer.watch({ prefix: uniqueId('never') });
    const aborted = consumer.watch({ prefix: uniqueId('never'), signal: controller.signal });
    const next = aborted.next();
    controller.abort(new Error('enough'));
    await expect(next).rejects.toThrow('enough');
    await expect(stream.return?.()).resolves.toEqual({ value: undefined, done: true });
  });

  it('closes every descriptor it received: 100 acquire/map/release cycles leave /proc/self/fd flat', async () => {
    const id = uniqueId('cycled');
    await producer.put('cycle', { objectId: id });
    const before = readdirSync('/proc/self/fd').length;
    for (let i = 0; i < 100; i++) {
      const lease = await consumer.acquire({ intent: 'read', objectId: id });
      expect((await lease.map()).toString()).toBe('cycle');
      await lease.release();
    }
    expect(readdirSync('/proc/self/fd').length).toBeLessThanOrEqual(before);
  });
});

describe('connect', () => {
  it('refuses unknown targets and says what it takes', async () => {
    await expect(connect('ftp://x')).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('memory://name'),
    });
  });

  it('fails fast and clearly when a node is not there', async () => {
    await expect(connect(join(dir, 'nobody.sock'))).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('packice node start'),
    });
    await expect(connect('http://127.0.0.1:1')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('works on the memfs fallback, where blobs have no descriptor: copies instead of mappings', async () => {
    const peer = createPeer({ storage: createMemStorage({ backend: 'memfs' }) });
    const client = await connect(peer);
    async function* parts(): AsyncGenerator<string> {
      yield 'no ';
      yield 'memfd';
    }
    await client.put(parts(), { objectId: 'fallback' });
    const lease = await client.acquire({ intent: 'read', objectId: 'fallback' });
    const view = await lease.map();
    expect([view.toString(), isMapped(view)]).toEqual(['no memfd', false]);
    const file = await lease.open();
    const into = Buffer.alloc(5);
    await file.read(into, 0, 5, 3);
    expect(into.toString()).toBe('memfd');
    await file.close();
    await lease.release();
    await client.close();
    await peer.close();
  });

  it('releases the leases a client still holds when it closes, and their descriptors', async () => {
    const owner = await connect(socket);
    await owner.put('kept', { objectId: 'close-releases' });
    const before = readdirSync('/proc/self/fd').length;
    const client = await connect(socket);
    const held = await Promise.all([1, 2, 3].map(() => client.acquire({ intent: 'read', objectId: 'close-releases' })));
    const view = await held[0].map();
    await client.close();
    expect(readdirSync('/proc/self/fd').length).toBeLessThanOrEqual(before);
    await expect(owner.listLeases({ objectId: 'close-releases' })).resolves.toEqual([]);
    expect(view.toString()).toBe('kept');
    await owner.close();
  });

  it('keeps a memory:// peer while any client holds it', async () => {
    const a = await connect('memory://kept');
    const b = await connect('memory://kept');
    await a.put('shared', { objectId: 'shared' });
    await a.close();
    expect((await b.get('shared')).toString()).toBe('shared');
    await b.close();
    const c = await connect('memory://kept');
    await expect(c.get('shared')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await c.close();
  });
});
