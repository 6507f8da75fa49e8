import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const workspace = resolve(__dirname, '../../..');
const LIBS = ['core', 'protocol', 'native', 'storage-mem', 'transport-uds', 'transport-http', 'client'];
const dir = mkdtempSync(join(tmpdir(), 'packice-pack-'));
const socket = join(dir, 'node.sock');
let node: ChildProcess;

const PRODUCER = `import { connect } from '@packice/client';

async function main(): Promise<void> {
  const client = await connect(process.argv[2]);
  const lease = await client.acquire({ intent: 'create', objectId: 'seed-example' });
  const file = await lease.open('w');
  await file.write('Zero-Copy Data!');
  await file.close();
  await lease.seal();
  await lease.release();
  await client.close();
}

void main();
`;

const CONSUMER = `import { connect } from '@packice/client';

async function main(): Promise<void> {
  await using client = await connect(process.argv[2]);
  await using lease = await client.acquire({ intent: 'read', objectId: 'seed-example', timeoutMs: 10_000 });
  const view = await lease.map(); // zero-copy: a Buffer over the shared memory
  console.log(view.toString());
}

void main();
`;

beforeAll(async () => {
  node = fork(join(__dirname, '__fixtures__/node.cjs'), [socket], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [],
  });
  await once(node, 'message');
});

afterAll(async () => {
  const exited = once(node, 'exit');
  node.kill('SIGTERM');
  await exited;
  rmSync(dir, { recursive: true, force: true });
});

describe('the published packages', () => {
  it('install from npm pack tarballs into a project outside the workspace and run the seed example in TypeScript', () => {
    const tarballs = join(dir, 'tarballs');
    mkdirSync(tarballs);
    for (const lib of LIBS) {
      execFileSync('npm', ['pack', '--silent', '--pack-destination', tarballs], {
        cwd: join(workspace, 'libs', lib),
        stdio: 'pipe',
      });
    }
    const files = Object.fromEntries(
      readdirSync(tarballs).map((f) => [
        `@packice/${f.replace(/^packice-(.*)-\d+\.\d+\.\d+\.tgz$/, '$1')}`,
        `file:${join(tarballs, f)}`,
      ]),
    );
    expect(Object.keys(files).sort()).toEqual(LIBS.map((l) => `@packice/${l}`).sort());

    const scratch = join(dir, 'scratch');
    mkdirSync(scratch);
    // overrides: the libs' own dependencies on each other come from the tarballs too, never the registry.
    const typesNode = (
      JSON.parse(readFileSync(join(workspace, 'node_modules/@types/node/package.json'), 'utf8')) as { version: string }
    ).version;
    writeFileSync(
      join(scratch, 'package.json'),
      JSON.stringify({
        name: 'scratch',
        private: true,
        dependencies: { ...files, '@types/node': typesNode },
        overrides: files,
      }),
    );
    writeFileSync(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          lib: ['es2023', 'esnext.disposable'],
          strict: true,
          types: ['node'],
          outDir: 'out',
          skipLibCheck: false,
        },
      }),
    );
    writeFileSync(join(scratch, 'producer.ts'), PRODUCER);
    writeFileSync(join(scratch, 'consumer.ts'), CONSUMER);
    execFileSync(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
      { cwd: scratch, stdio: 'pipe' },
    );
    // The scratch project type-checks against the packages' published .d.ts files.
    try {
      execFileSync(join(workspace, 'node_modules/.bin/tsc'), ['-p', scratch], { cwd: scratch, encoding: 'utf8' });
    } catch (err) {
      throw new Error(`the scratch project does not type-check:\n${(err as { stdout?: string }).stdout}`, {
        cause: err,
      });
    }

    execFileSync('node', [join(scratch, 'out/producer.js'), socket], { cwd: scratch, stdio: 'pipe' });
    const printed = execFileSync('node', [join(scratch, 'out/consumer.js'), socket], {
      cwd: scratch,
      encoding: 'utf8',
    });
    expect(printed.trim()).toBe('Zero-Copy Data!');
  }, 180_000);
});
