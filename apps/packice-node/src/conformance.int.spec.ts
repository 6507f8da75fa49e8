import { afterAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { killNodeProcesses, startNodeProcess } from './__fixtures__/node-process';

// An old client in another language: tools/conformance/uds_conformance.py, written from
// docs/protocol.md with Python's standard library only, against the node app itself. It announces
// no features, so every answer must be what version 1 promised (a sealed descriptor per blob).

const SCRIPT = join(__dirname, '../../../tools/conformance/uds_conformance.py');
const dir = mkdtempSync(join(tmpdir(), 'packice-conformance-'));

afterAll(async () => {
  await killNodeProcesses();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(['mem', 'fs'])('a Python raw-protocol client (standard library) against a %s node', (storage) => {
  it('passes every conformance check', async () => {
    const socket = join(dir, `${storage}.sock`);
    const storageFlags = storage === 'fs' ? ['--storage', 'fs', '--dir', join(dir, 'objects')] : [];
    const node = await startNodeProcess(['--socket', socket, ...storageFlags]);
    const run = await promisify(execFile)('python3', [SCRIPT, socket], {
      env: { ...process.env, PACKICE_STORAGE: storage },
      timeout: 60_000,
    }).catch((err: { stdout: string; stderr: string; code: number }) => err);
    // unittest reports on stderr: one line per check, then "Ran N tests" and "OK".
    expect(run.stderr).toMatch(/^Ran [1-9]\d* tests? in /m);
    expect(run.stderr).toMatch(/^OK$/m);
    expect(run.stderr).not.toMatch(/FAIL|ERROR/);
    expect(await node.stop()).toBe(0);
  }, 90_000);
});
