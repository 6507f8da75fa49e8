import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findNodeCredentials,
  findNodeRecord,
  generateToken,
  removeNodeFile,
  writeNodeRecord,
  writeTokenFile,
} from './node-records';

const dir = mkdtempSync(join(tmpdir(), 'packice-records-'));
const env = { XDG_RUNTIME_DIR: join(dir, 'runtime') };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('node records', () => {
  it('writes the token 0600 in a 0700 directory, and finds it from the URL (loopback names, wildcard binds)', () => {
    const token = generateToken();
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(generateToken()).not.toBe(token);
    const tokenFile = writeTokenFile(join(dir, 'own'), token);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'own')).mode & 0o777).toBe(0o700);
    const path = writeNodeRecord(
      {
        pid: process.pid,
        urls: ['http://0.0.0.0:7071', 'http://127.0.0.1:7072'],
        token_file: tokenFile,
        socket: '/s.sock',
        ca: null,
      },
      env,
    );
    expect(statSync(path).mode & 0o777).toBe(0o600);
    for (const url of ['http://127.0.0.1:7071', 'http://10.1.2.3:7071', 'http://localhost:7072/v1/objects']) {
      expect(findNodeCredentials(url, env)).toEqual({ token, record: path });
    }
    for (const url of ['http://127.0.0.1:7073', 'https://127.0.0.1:7072', 'http://10.1.2.3:7072']) {
      expect(findNodeCredentials(url, env)).toBeNull();
    }
    expect(findNodeRecord('/s.sock', env)?.path).toBe(path);
    expect(findNodeRecord('/other.sock', env)).toBeNull();
    removeNodeFile(path);
    expect(findNodeCredentials('http://127.0.0.1:7071', env)).toBeNull();
  });

  it('skips records of processes that are gone and sweeps them (with their token files) at the next write', () => {
    const deadPid = 2 ** 22 + 7; // above pid_max's default: no such process
    const tokenFile = writeTokenFile(join(dir, 'dead'), 'dead-token', deadPid);
    const stale = writeNodeRecord(
      { pid: deadPid, urls: ['http://127.0.0.1:7090'], token_file: tokenFile, socket: null, ca: null },
      env,
    );
    writeFileSync(join(dir, 'runtime', 'packice', 'node-1.json.tmp'), 'not a record');
    expect(findNodeCredentials('http://127.0.0.1:7090', env)).toBeNull();
    const mine = writeNodeRecord(
      { pid: process.pid, urls: ['http://127.0.0.1:7091'], token_file: null, socket: null, ca: null },
      env,
    );
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(tokenFile)).toBe(false);
    expect(findNodeCredentials('http://127.0.0.1:7091', env)).toEqual({
      token: undefined,
      ca: undefined,
      record: mine,
    });
    removeNodeFile(mine);
  });

  it('finds nothing when the runtime directory is missing, and refuses what is not a URL', () => {
    expect(findNodeCredentials('http://127.0.0.1:1', { XDG_RUNTIME_DIR: join(dir, 'none') })).toBeNull();
    expect(() => findNodeCredentials('not a url', env)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });
});
