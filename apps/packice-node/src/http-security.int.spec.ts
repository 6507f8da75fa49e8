import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from '@packice/client';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { killNodeProcesses, startNodeProcess } from './__fixtures__/node-process';
import { writeTestCertificate } from './__fixtures__/test-certificate';

// docs/security.md's HTTP rows. Each node records itself in a runtime directory of this suite's
// own (XDG_RUNTIME_DIR), which the clients of this process look in too.

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'packice-http-security-'));
chmodSync(dir, 0o755); // another user runs the probe from here
const runtime = join(dir, 'runtime');
const env = { XDG_RUNTIME_DIR: runtime, PACKICE_TOKEN: '' };
const NODE_MAIN = join(__dirname, '../dist/main.js');
const probe = join(__dirname, '__fixtures__', 'peer-probe.cjs');
const NOBODY = 65534;
const saved = { runtime: process.env.XDG_RUNTIME_DIR, token: process.env.PACKICE_TOKEN };

beforeAll(() => {
  process.env.XDG_RUNTIME_DIR = runtime;
  delete process.env.PACKICE_TOKEN;
});

afterAll(async () => {
  await killNodeProcesses();
  if (saved.runtime === undefined) delete process.env.XDG_RUNTIME_DIR;
  else process.env.XDG_RUNTIME_DIR = saved.runtime;
  if (saved.token !== undefined) process.env.PACKICE_TOKEN = saved.token;
  rmSync(dir, { recursive: true, force: true });
});

const httpNode = (name: string, extra: string[] = []): string[] => [
  ...['--socket', join(dir, name, 'node.sock'), '--transport', 'uds,http', '--port', '0', ...extra],
];

/** Runs the node app expecting it to refuse to start: its exit code and what it printed. */
async function refused(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [NODE_MAIN, ...args, '--log-level', 'silent'], {
      env: { ...process.env, ...env },
      timeout: 15_000,
    });
  } catch (err) {
    const { code, stderr } = err as { code: number; stderr: string };
    return { code, stderr };
  }
  throw new Error('the node started');
}

describe('HTTP secure by default', () => {
  it('generates a token: 401 without it, a 0600 token file and record, clients of this user need no token; gone at stop', async () => {
    const node = await startNodeProcess(httpNode('generated'), { env });
    const { url, tokenFile, record } = node.report as { url: string; tokenFile: string; record: string };
    expect(tokenFile).toBe(join(dir, 'generated', `node-${node.pid}.token`));
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(statSync(tokenFile).uid).toBe(process.getuid?.());
    expect(readFileSync(tokenFile, 'utf8').trim()).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits
    expect(record).toBe(join(runtime, 'packice', `node-${node.pid}.json`));
    expect(statSync(record).mode & 0o777).toBe(0o600);
    expect(statSync(join(runtime, 'packice')).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(record, 'utf8'))).toEqual({
      pid: node.pid,
      urls: [url],
      token_file: tokenFile,
      socket: join(dir, 'generated', 'node.sock'),
      ca: null,
    });

    expect((await fetch(`${url}/v1/objects`)).status).toBe(401);
    expect((await fetch(`${url}/v1/health`)).status).toBe(200);
    const token = readFileSync(tokenFile, 'utf8').trim();
    const listed = await fetch(`${url}/v1/objects`, { headers: { authorization: `Bearer ${token}` } });
    expect(listed.status).toBe(200);

    // This user's client finds the token by the URL alone.
    const client = await connect(url);
    await client.put('found by the record', { objectId: 'rec' });
    expect((await client.get('rec')).toString()).toBe('found by the record');
    await client.close();

    // Another user cannot read the runtime directory, so it has no token: UNAUTHORIZED, with a hint.
    const { stdout } = await run(process.execPath, [probe, url], {
      uid: NOBODY,
      gid: NOBODY,
      env: { ...process.env, ...env },
    });
    const answer = JSON.parse(stdout) as { code: string; message: string };
    expect(answer.code).toBe('UNAUTHORIZED');
    expect(answer.message).toContain('PACKICE_TOKEN');

    expect(await node.stop()).toBe(0);
    expect(existsSync(tokenFile)).toBe(false);
    expect(existsSync(record)).toBe(false);
  });

  it('a record left by a killed node is skipped, and swept with its token file by the next node', async () => {
    const dead = await startNodeProcess(httpNode('killed'), { env });
    const { record, tokenFile, url } = dead.report as { record: string; tokenFile: string; url: string };
    await dead.kill();
    expect(existsSync(record)).toBe(true);
    await expect(connect(url, { timeoutMs: 1_000 })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    const next = await startNodeProcess(httpNode('next'), { env });
    expect(existsSync(record)).toBe(false);
    expect(existsSync(tokenFile)).toBe(false);
    expect(readdirSync(join(runtime, 'packice')).filter((f) => f.endsWith('.json'))).toEqual([`node-${next.pid}.json`]);
    expect(await next.stop()).toBe(0);
  });

  it('refuses plain HTTP beyond loopback, and --no-auth beyond loopback, naming the options', async () => {
    const wide = await refused(httpNode('wide', ['--host', '0.0.0.0']));
    expect(wide.code).toBe(1);
    expect(wide.stderr).toContain('BAD_REQUEST');
    expect(wide.stderr).toContain('--tls-cert');
    expect(wide.stderr).toContain('--allow-plain-http');
    const open = await refused(httpNode('open', ['--host', '0.0.0.0', '--no-auth', '--allow-plain-http']));
    expect(open.stderr).toContain('--no-auth is allowed on loopback addresses only');
    const both = await refused(httpNode('both', ['--no-auth', '--token', 'a-token-of-mine']));
    expect(both.stderr).toContain('contradict');
    const cluster = await refused(httpNode('cluster', ['--redis', 'redis://127.0.0.1:1']));
    expect(cluster.stderr).toContain('--token');
  });

  it('--allow-plain-http and --no-auth start with a warning; --no-auth serves without a token', async () => {
    for (const [name, flags, warning] of [
      ['plain', ['--host', '0.0.0.0', '--allow-plain-http'], 'plain HTTP on 0.0.0.0'],
      ['noauth', ['--no-auth'], 'HTTP without a token'],
    ] as const) {
      const child = spawn(process.execPath, [NODE_MAIN, ...httpNode(name, [...flags]), '--log-level', 'warn'], {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      });
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const [report] = (await once(child, 'message')) as [{ url: string; tokenFile: string | null }];
      const deadline = Date.now() + 10_000;
      while (!out.includes(warning) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(out).toContain(warning);
      const status = (await fetch(`${report.url.replace('0.0.0.0', '127.0.0.1')}/v1/objects`)).status;
      expect(status).toBe(name === 'noauth' ? 200 : 401);
      if (name === 'noauth') expect(report.tokenFile).toBeNull();
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      expect((await exited)[0]).toBe(0);
    }
  });

  it('serves HTTPS with --tls-cert/--tls-key: put/get with the CA, refused without it', async () => {
    const certs = mkdtempSync(join(dir, 'certs-'));
    const { certFile, keyFile, cert } = await writeTestCertificate(certs);
    const node = await startNodeProcess(httpNode('tls', ['--tls-cert', certFile, '--tls-key', keyFile]), { env });
    const url = node.report.url as string;
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const client = await connect(url, { ca: cert });
    const bytes = Buffer.alloc(300_000, 7);
    await client.put(bytes, { objectId: 'over-tls' });
    expect((await client.get('over-tls')).equals(bytes)).toBe(true);
    await client.close();
    await expect(connect(url)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    // PACKICE_CA names the file instead.
    process.env.PACKICE_CA = certFile;
    try {
      const viaEnv = await connect(url);
      expect((await viaEnv.get('over-tls')).length).toBe(bytes.length);
      await viaEnv.close();
    } finally {
      delete process.env.PACKICE_CA;
    }
    expect(await node.stop()).toBe(0);
  });
});
