import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSocketPath } from '@packice/transport-uds';
import { redactUrl, resolveConfig as check, type NodeSettings } from './config';
import { gatherSettings } from './main';

/** Layers file, environment and flags as the executable does, then checks the settings. */
const resolveConfig = (flags: NodeSettings, env: NodeJS.ProcessEnv) =>
  check(gatherSettings(flags as Record<string, string>, env), env);

const dir = mkdtempSync(join(tmpdir(), 'packice-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveConfig', () => {
  it('defaults to UDS + memory, a per-user socket, HTTP on 127.0.0.1, no capacity', () => {
    expect(resolveConfig({}, {}).smallObjectMaxBytes).toBe(4_096);
    expect(resolveConfig({ smallObjects: '16KiB' }, {}).smallObjectMaxBytes).toBe(16_384);
    expect(resolveConfig({ smallObjects: '0' }, {}).smallObjectMaxBytes).toBe(0);
    expect(resolveConfig({ smallObjects: 'off' }, {}).smallObjectMaxBytes).toBe(0);
    const config = resolveConfig({}, { XDG_RUNTIME_DIR: '/run/user/1000' });
    expect(config).toMatchObject({
      storage: 'mem',
      transports: ['uds'],
      socket: '/run/user/1000/packice/node.sock',
      socketMode: 0o600,
      host: '127.0.0.1',
      capacityBytes: null,
      defaultTtlMs: 60_000,
      token: null,
      logLevel: 'info',
    });
    expect(defaultSocketPath({})).toBe(join(tmpdir(), `packice-${process.getuid?.()}`, 'node.sock'));
  });

  it('takes the config file, then PACKICE_* variables, then flags (later wins)', () => {
    const file = join(dir, 'node.json');
    writeFileSync(file, JSON.stringify({ capacity: '1GiB', port: 9000, logLevel: 'warn', transport: ['uds', 'http'] }));
    const config = resolveConfig(
      { config: file, port: '9100', impl: 'fs', dir },
      { PACKICE_CAPACITY: '512MiB', PACKICE_TOKEN: 'long-enough-token' },
    );
    expect(config).toMatchObject({
      storage: 'fs',
      dir,
      capacityBytes: 512 * 2 ** 20,
      port: 9100,
      logLevel: 'warn',
      transports: ['uds', 'http'],
      token: 'long-enough-token',
    });
  });

  it.each([
    [{ storage: 'disk' }, 'storage must be mem, fs or s3'],
    [{ storage: 'fs' }, 'needs a directory'],
    [{ storage: 's3' }, 's3 storage needs a bucket'],
    [{ storage: 's3', s3Bucket: 'b', s3Checksums: 'never' }, 's3 checksums must be'],
    [{ storage: 's3', s3Bucket: 'b', s3Cache: 'lots' }, 's3 cache'],
    [{ transport: 'tcp' }, 'transport must be'],
    [{ port: '70000' }, 'port must be'],
    [{ capacity: 'big' }, 'capacity'],
    [{ defaultTtl: 'forever' }, 'default TTL'],
    [{ token: 'short' }, 'at least 8'],
    [{ allowUid: 'root' }, 'allow-uid'],
    [{ logLevel: 'loud' }, 'log level'],
    [{ smallObjects: '2MiB' }, 'small objects'],
    [{ config: '/nonexistent/packice.json' }, 'config file'],
  ])('refuses %j with a clear BAD_REQUEST', (flags, message) => {
    expect(() => resolveConfig(flags, {})).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST', message: expect.stringContaining(message) }),
    );
  });
});

describe('scale-out settings', () => {
  it('takes --redis, --cluster and --node-id, checks them, and never logs a password', () => {
    const config = resolveConfig({ redis: 'redis://:s3cret@10.0.0.5:6380/2', cluster: 'frames', nodeId: 'host-a' }, {});
    expect(config).toMatchObject({ redis: 'redis://:s3cret@10.0.0.5:6380/2', cluster: 'frames', nodeId: 'host-a' });
    expect(resolveConfig({}, {}).nodeId).toMatch(/^.+:\d+$/);
    expect(resolveConfig({}, { PACKICE_REDIS: 'unix:///run/redis.sock' }).redis).toBe('unix:///run/redis.sock');
    expect(() => resolveConfig({ redis: 'http://x' }, {})).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => resolveConfig({ redis: 'redis://x', cluster: 'a b' }, {})).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST' }),
    );
    expect(redactUrl('redis://:s3cret@10.0.0.5:6380/2')).toBe('redis://:***@10.0.0.5:6380/2');
    expect(redactUrl('unix:///run/redis.sock')).toBe('unix:///run/redis.sock');
  });
});
