import { afterAll, describe, expect, it } from '@jest/globals';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@packice/client';
import { NODE_FLAGS } from '@packice/node-process';
import { processRuns } from './process-runs';
import { promisify } from 'node:util';

const run = join(__dirname, '../bin/run.js');

const processAlive = processRuns;
const dir = mkdtempSync(join(tmpdir(), 'packice-cli-'));
const started: number[] = [];

afterAll(() => {
  for (const pid of started) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  OCLIF_SKIP_NEW_VERSION_CHECK: 'true',
  XDG_RUNTIME_DIR: join(dir, 'runtime'),
  PACKICE_NODE: '',
  ...extra,
});

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function packice(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<Result> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [run, ...args], { env: env(extra) });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A long-running command (watch): its stdout lines as they come; `stop()` sends Ctrl-C. */
function streaming(args: string[]): {
  lines: string[];
  /** The first line from index `from` on that passes `test`. */
  waitFor(what: string, test: (line: string) => boolean, from?: number): Promise<string>;
  stop(): Promise<number | null>;
} {
  const child = spawn(process.execPath, [run, ...args], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child.pid as number);
  const lines: string[] = [];
  let pending = '';
  let stderr = '';
  const exited = once(child, 'exit');
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const parts = pending.split('\n');
    pending = parts.pop() as string;
    lines.push(...parts);
  });
  return {
    lines,
    async waitFor(what, test, from = 0) {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const found = lines.slice(from).find(test);
        if (found !== undefined) return found;
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`no line with ${what} from packice ${args.join(' ')}: ${JSON.stringify(lines)} ${stderr}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async stop() {
      child.kill('SIGINT');
      const [code] = await exited;
      return code as number | null;
    },
  };
}

const json = async (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<unknown> => {
  const result = await packice([...args, '--json'], extra);
  if (result.code !== 0) throw new Error(`packice ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout);
};

async function roundTrip(node: string[]): Promise<void> {
  const file = join(dir, `data-${Math.random().toString(36).slice(2)}.bin`);
  writeFileSync(file, Buffer.alloc(3 * 1024 * 1024, 7));
  const id = `obj-${Math.random().toString(36).slice(2, 8)}`;
  const put = await packice(['put', file, '--id', id, '--meta', 'kind=test', '--progress', ...node]);
  expect(put.code).toBe(0);
  expect(put.stdout).toContain(`${id}  3.0 MiB  sealed`);
  expect(put.stderr).toContain('3.0 MiB / 3.0 MiB (100%)');
  const out = join(dir, `${id}.out`);
  await expect(json(['get', id, '-o', out, ...node])).resolves.toMatchObject({ size: 3 << 20 });
  expect(readFileSync(out).equals(readFileSync(file))).toBe(true);
  await expect(json(['object', 'stat', id, ...node])).resolves.toMatchObject({ meta: { kind: 'test' } });
  expect(((await json(['object', 'ls', ...node])) as { objectId: string }[]).map((o) => o.objectId)).toContain(id);
  await expect(json(['lease', 'ls', '--object', id, ...node])).resolves.toEqual([]);
  await expect(json(['stats', ...node])).resolves.toMatchObject({ objects: 1, leases: 0, bytes: 3 << 20 });
  const missing = await packice(['get', 'not-there', ...node]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('NOT_FOUND');
  await expect(json(['object', 'rm', id, ...node])).resolves.toMatchObject({ deleted: true });
}

describe('packice CLI against real nodes', () => {
  it('prints help with examples', async () => {
    const help = await packice(['node', 'start', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--detach');
    expect(help.stdout).toContain('EXAMPLES');
  });

  it("lists the node's own flags in `node start --help`, from the node app's flag table", async () => {
    const help = await packice(['node', 'start', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('NODE FLAGS');
    for (const [name, flag] of Object.entries(NODE_FLAGS)) {
      expect(help.stdout).toContain(`--${name}`);
      if (name !== 'socket' && name !== 'pidfile') expect(help.stdout).toContain(flag.description.slice(0, 30));
    }
  });

  it('uds + mem with the defaults: start --detach, use, status, stop; no socket or process left', async () => {
    const startedNode = (await json(['node', 'start', '--detach'])) as { pid: number; socket: string; pidfile: string };
    started.push(startedNode.pid);
    expect(startedNode.socket).toBe(join(dir, 'runtime', 'packice', 'node.sock'));
    await roundTrip([]);
    await expect(json(['node', 'status'])).resolves.toMatchObject({
      transport: 'uds',
      storage: 'mem',
      pid: startedNode.pid,
    });
    await expect(json(['node', 'stop'])).resolves.toEqual({ pid: startedNode.pid, stopped: true });
    expect(processAlive(startedNode.pid)).toBe(false);
    expect(existsSync(startedNode.socket)).toBe(false);
    expect(existsSync(startedNode.pidfile)).toBe(false);
    const gone = await packice(['stats']);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toContain('UNAVAILABLE');
  }, 120_000);

  it('http + fs, and both transports at once on one node', async () => {
    const socket = join(dir, 'both', 'node.sock');
    const node = (await json([
      'node',
      'start',
      '--detach',
      '--impl',
      'fs',
      '--dir',
      join(dir, 'store'),
      '--transport',
      'uds,http',
      '--port',
      '0',
      '--socket',
      socket,
    ])) as {
      pid: number;
      url: string;
      tokenFile: string;
    };
    started.push(node.pid);
    // No token given anywhere: the node generated one, and the CLI finds it through the node's
    // record in the runtime directory from the URL alone, though the socket lives elsewhere.
    expect(node.tokenFile).toBe(join(dir, 'both', `node-${node.pid}.token`));
    await roundTrip(['--node', node.url]);
    await roundTrip(['--node', socket]);
    await expect(json(['node', 'status', '--node', node.url])).resolves.toMatchObject({
      transport: 'http',
      storage: 'fs',
      pid: node.pid,
      urls: [node.url],
      tokenFile: node.tokenFile,
    });
    const wrong = await packice(['stats', '--node', node.url, '--token', 'not-the-token']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('UNAUTHORIZED');
    expect(wrong.stderr).toContain('--token or PACKICE_TOKEN');
    await expect(json(['node', 'stop', '--node', socket])).resolves.toMatchObject({ stopped: true });
    expect(processAlive(node.pid)).toBe(false);
    expect(existsSync(socket)).toBe(false);
  }, 180_000);

  it('passes node flags through to the node app, which refuses bad ones with a coded error', async () => {
    const socket = join(dir, 'bad', 'node.sock');
    const bad = await packice(['node', 'start', '--detach', '--socket', socket, '--capacity', 'lots']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('BAD_REQUEST');
    expect(bad.stderr).toContain('capacity');
    const unknown = await packice(['node', 'start', '--detach', '--socket', socket, '--no-such-flag', 'x']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("Unknown option '--no-such-flag'");
    expect(existsSync(socket)).toBe(false);
    const http = await packice(['node', 'stop', '--node', 'http://127.0.0.1:9']);
    expect([http.code, http.stderr]).toEqual([1, expect.stringContaining('--pidfile')]);
  }, 60_000);

  it('never signals a process that merely has the pid a stale pidfile names', async () => {
    const bystander = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    started.push(bystander.pid as number);
    const pidfile = join(dir, 'stale', 'node.pid');
    mkdirSync(join(dir, 'stale'), { recursive: true });
    writeFileSync(pidfile, `${bystander.pid}\n`);
    const stop = await packice(['node', 'stop', '--pidfile', pidfile]);
    expect([stop.code, stop.stderr]).toEqual([2, expect.stringContaining('no running node holds')]);
    expect(processAlive(bystander.pid as number)).toBe(true);
    const exited = once(bystander, 'exit');
    bystander.kill('SIGKILL');
    await exited;
  }, 30_000);

  it('runs in the foreground; `node stop` from elsewhere shuts it down gracefully', async () => {
    const socket = join(dir, 'fg', 'node.sock');
    const child = spawn(process.execPath, [run, 'node', 'start', '--socket', socket], {
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(child.pid as number);
    let out = '';
    await new Promise<void>((resolve) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('listening')) resolve();
      });
    });
    const nodePid = Number(readFileSync(join(dir, 'fg', 'node.pid'), 'utf8'));
    started.push(nodePid);
    await expect(json(['stats', '--node', socket])).resolves.toMatchObject({ objects: 0 });
    const exited = once(child, 'exit');
    await expect(json(['node', 'stop', '--socket', socket])).resolves.toMatchObject({ stopped: true });
    expect((await exited)[0]).toBe(0);
    expect(processAlive(nodePid)).toBe(false);
    expect(existsSync(socket)).toBe(false);
  }, 60_000);

  it('watch prints each event as it happens; lease ls --watch keeps the lease table current; Ctrl-C ends both', async () => {
    const socket = join(dir, 'watched', 'node.sock');
    const node = (await json(['node', 'start', '--detach', '--socket', socket])) as { pid: number };
    started.push(node.pid);
    const events = streaming(['watch', '--node', socket, '--json']);
    const text = streaming(['watch', '--node', socket, '--prefix', 'w-']);
    const leases = streaming(['lease', 'ls', '--watch', '--json', '--interval', '100', '--node', socket]);
    await leases.waitFor('the empty table', (line) => line === '[]');
    // The watches subscribe in the background: seal objects until both have shown one.
    const file = join(dir, 'watched', 'frame.bin');
    writeFileSync(file, Buffer.alloc(2048, 1));
    const ready = Date.now() + 15_000;
    for (let i = 0; !(events.lines.length > 0 && text.lines.length > 0); i++) {
      if (Date.now() > ready) throw new Error('the watches never showed an event');
      expect((await packice(['put', file, '--id', `w-ready-${i}`, '--node', socket])).code).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    expect((await packice(['put', file, '--id', 'w-frame', '--node', socket])).code).toBe(0);
    const sealed = JSON.parse(await events.waitFor('the seal', (l) => l.includes('"w-frame"')));
    expect(sealed).toMatchObject({ event: 'sealed', objectId: 'w-frame', size: 2048, seq: expect.any(Number) });
    expect(await text.waitFor('the seal', (l) => l.includes('w-frame'))).toMatch(/#\d+\s+sealed\s+w-frame\s+2\.0 KiB$/);

    const client = await connect(socket);
    const lease = await client.acquire({ intent: 'read', objectId: 'w-frame' });
    const shown = await leases.waitFor('the read lease', (l) => l.includes(lease.leaseId));
    expect(JSON.parse(shown)).toEqual([expect.objectContaining({ leaseId: lease.leaseId, access: 'read' })]);
    const count = leases.lines.length;
    await lease.release();
    await leases.waitFor('the table empty again', (l) => l === '[]', count);
    await client.close();

    expect((await packice(['object', 'rm', 'w-frame', '--node', socket])).code).toBe(0);
    await events.waitFor('the delete', (l) => l.includes('"deleted"'));
    expect(await Promise.all([events.stop(), text.stop(), leases.stop()])).toEqual([0, 0, 0]);
    await expect(json(['node', 'stop', '--node', socket])).resolves.toMatchObject({ stopped: true });
  }, 60_000);
});
