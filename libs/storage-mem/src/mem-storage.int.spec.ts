import { afterEach, describe, expect, it } from '@jest/globals';
import { createPeer, type Peer } from '@packice/core';
import { isMapped, mapFd } from '@packice/native';
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { createMemStorage } from './mem-storage';

interface Reply {
  op: string;
  [key: string]: unknown;
}

const pattern = (length: number, seed: number): Buffer => {
  const buf = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) buf[i] = (i * 31 + seed) & 0xff;
  return buf;
};

async function ask(child: ChildProcess, message: Reply): Promise<Reply> {
  const reply = once(child, 'message') as Promise<[Reply]>;
  child.send(message);
  return (await reply)[0];
}

let child: ChildProcess | null = null;
let peer: Peer | null = null;

afterEach(async () => {
  if (child && child.exitCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
  child = null;
  await peer?.close();
  peer = null;
});

describe('a memfd shared with a real child process', () => {
  it('the child writes, the parent reads through a read-only descriptor and a zero-copy mapping; after seal the child cannot write', async () => {
    const size = 4 << 20;
    peer = createPeer({ storage: createMemStorage() });
    const { lease, object } = await peer.acquire({ intent: 'create', objectId: 'from-child', blobs: [{ size }] });
    const createHandle = object.blobs[0].handle('create');
    if (createHandle.kind !== 'fd') throw new Error('memfd storage must give fd handles');

    child = fork(join(__dirname, '__fixtures__/memfd-writer.cjs'), [], {
      stdio: ['ignore', 'inherit', 'inherit', createHandle.fd, 'ipc'],
    });
    expect((await once(child, 'message'))[0]).toMatchObject({ op: 'ready' });
    await expect(ask(child, { op: 'write', length: size, seed: 7 })).resolves.toEqual({ op: 'write', written: size });

    await peer.seal(lease.leaseId);

    const read = await peer.acquire({ intent: 'read', objectId: 'from-child' });
    const readHandle = read.object.blobs[0].handle('read');
    if (readHandle.kind !== 'fd') throw new Error('memfd storage must give fd handles');
    expect(() => writeSync(readHandle.fd, 'nope')).toThrow(expect.objectContaining({ code: 'EBADF' }));
    const view = mapFd(readHandle.fd, read.object.blobs[0].size);
    expect(isMapped(view)).toBe(true);
    expect(view.length).toBe(size);
    expect(view.equals(pattern(size, 7))).toBe(true);

    await expect(ask(child, { op: 'tamper' })).resolves.toEqual({
      op: 'tamper',
      write: 'EPERM',
      shrink: 'EPERM',
      grow: 'EPERM',
    });
    expect(view.equals(pattern(size, 7))).toBe(true);
    expect((await read.object.blobs[0].read(0, 16)).equals(pattern(16, 7))).toBe(true);

    const exited = once(child, 'exit');
    child.send({ op: 'exit' });
    expect((await exited)[0]).toBe(0);
  });
});
