import { afterAll, describe, expect, it } from '@jest/globals';
import { connect } from '@packice/client';
import { createPeer } from '@packice/core';
import { createMemStorage } from '@packice/storage-mem';
import { connectUds, createUdsServer } from '@packice/transport-uds';
import { execFile } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { killNodeProcesses, startNodeProcess } from './__fixtures__/node-process';

// docs/security.md names the test behind each point of the threat model; these are the ones that
// need a whole node or another user. Dropping to another uid (nobody, 65534) needs root, which is
// what this project's machines and CI run as.

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'packice-security-'));
chmodSync(dir, 0o755); // another user must be able to reach the sockets made below
const NOBODY = 65534;
const probe = join(__dirname, '__fixtures__', 'peer-probe.cjs');
const listFds = join(__dirname, '__fixtures__', 'list-fds.cjs');

afterAll(async () => {
  await killNodeProcesses();
  rmSync(dir, { recursive: true, force: true });
});

async function probeAs(uid: number, socket: string): Promise<{ ok?: boolean; code?: string }> {
  const { stdout } = await run(process.execPath, [probe, socket], { uid, gid: uid });
  return JSON.parse(stdout) as { ok?: boolean; code?: string };
}

describe('security', () => {
  it('makes the socket 0600 in a 0700 directory; another user cannot even connect', async () => {
    const socket = join(dir, 'private', 'node.sock');
    const node = await startNodeProcess(['--socket', socket]);
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'private')).mode & 0o777).toBe(0o700);
    await expect(probeAs(NOBODY, socket)).resolves.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(probeAs(process.getuid?.() ?? 0, socket)).resolves.toEqual({ ok: true });
    expect(await node.stop()).toBe(0);
  });

  it('refuses a peer whose uid is not allowed, even on a socket anyone may open', async () => {
    const peer = createPeer({ storage: createMemStorage() });
    const socket = join(dir, 'open.sock');
    const server = createUdsServer(peer, { path: socket, mode: 0o666 });
    await server.listen();
    try {
      await expect(probeAs(NOBODY, socket)).resolves.toMatchObject({ code: 'UNAUTHORIZED' });
      await expect(probeAs(0, socket)).resolves.toEqual({ ok: true });
    } finally {
      await server.close();
      await peer.close();
    }
  });

  it('hands out read descriptors that cannot write, and sealed memfds nobody can change, the creator included', async () => {
    const socket = join(dir, 'fds.sock');
    const node = await startNodeProcess(['--socket', socket]);
    const uds = await connectUds(socket);
    const created = await uds.request('acquire', { intent: 'create', object_id: 'locked', blobs: [{ size: 16 }] });
    const [creatorFd] = created.fds;
    writeSync(creatorFd, 'sealed bytes', 0);
    await uds.request('seal', { lease_id: created.body.lease.lease_id });
    const read = await uds.request('acquire', { intent: 'read', object_id: 'locked' });
    const [readFd] = read.fds;
    try {
      expect(() => writeSync(readFd, 'x', 0)).toThrow(expect.objectContaining({ code: 'EBADF' }));
      expect(() => writeSync(creatorFd, 'x', 0)).toThrow(expect.objectContaining({ code: 'EPERM' }));
      const reopened = openSync(`/proc/self/fd/${readFd}`, 'r+');
      expect(() => writeSync(reopened, 'x', 0)).toThrow(expect.objectContaining({ code: 'EPERM' }));
      closeSync(reopened);
    } finally {
      closeSync(readFd);
      closeSync(creatorFd);
      await uds.close();
    }
    expect(await node.stop()).toBe(0);
  });

  it('passes no descriptor into the processes a client spawns (close-on-exec everywhere)', async () => {
    const socket = join(dir, 'exec.sock');
    const node = await startNodeProcess(['--socket', socket]);
    const client = await connect(socket);
    await client.put('held', { objectId: 'held' });
    const lease = await client.acquire({ intent: 'read', objectId: 'held' });
    const view = await lease.map();
    const { stdout } = await run(process.execPath, [listFds]);
    // 0, 1 and 2 are the child's own stdio (socket pairs made by Node for execFile).
    const inherited = Object.entries(JSON.parse(stdout) as Record<string, string>).filter(([fd]) => Number(fd) > 2);
    expect(inherited.filter(([, target]) => target.includes('memfd:packice') || target.startsWith('socket:'))).toEqual(
      [],
    );
    expect(view.toString()).toBe('held');
    await lease.release();
    await client.close();
    expect(await node.stop()).toBe(0);
  });

  it('keeps object ids inside the storage directory', async () => {
    const socket = join(dir, 'ids.sock');
    const store = join(dir, 'store');
    mkdirSync(store);
    const node = await startNodeProcess(['--socket', socket, '--storage', 'fs', '--dir', store]);
    const client = await connect(socket);
    for (const id of ['..', '../outside', '/etc/passwd', 'a/b', '.hidden', '%2e%2e']) {
      await expect(client.put('x', { objectId: id })).rejects.toMatchObject({ code: 'INVALID_ID' });
    }
    await client.close();
    expect(await node.stop()).toBe(0);
  });
});
