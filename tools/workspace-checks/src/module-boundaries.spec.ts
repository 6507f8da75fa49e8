import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';
import { join } from 'node:path';

const root = join(__dirname, '../../..');
// The root config is handed over as an object: ESLint's own loader uses a dynamic import(),
// which Jest's CommonJS runtime cannot run.
const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  overrideConfig: require(join(root, 'eslint.config.cjs')),
});

/** Lints `code` as if it were the file `path` (relative to the repo root); returns the boundary errors. */
async function boundaryErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

describe('module boundaries (docs/design.md, "Allowed imports")', () => {
  it.each([
    ['core -> transport-uds', 'libs/core/src/forbidden.ts', '@packice/transport-uds'],
    ['core -> native', 'libs/core/src/forbidden.ts', '@packice/native'],
    ['native -> core', 'libs/native/src/forbidden.ts', '@packice/core'],
    ['storage-mem -> transport-http', 'libs/storage-mem/src/forbidden.ts', '@packice/transport-http'],
    ['storage-fs -> storage-mem', 'libs/storage-fs/src/forbidden.ts', '@packice/storage-mem'],
    ['transport-uds -> client', 'libs/transport-uds/src/forbidden.ts', '@packice/client'],
    ['client -> storage-fs', 'libs/client/src/forbidden.ts', '@packice/storage-fs'],
    ['app -> app', 'apps/packice-node/src/forbidden.ts', '@packice/cli'],
    ['node app -> client', 'apps/packice-node/src/forbidden.ts', '@packice/client'],
    ['core -> protocol', 'libs/core/src/forbidden.ts', '@packice/protocol'],
    ['core -> cluster', 'libs/core/src/forbidden.ts', '@packice/cluster'],
    ['protocol -> cluster', 'libs/protocol/src/forbidden.ts', '@packice/cluster'],
    ['cluster -> protocol', 'libs/cluster/src/forbidden.ts', '@packice/protocol'],
    ['storage-mem -> protocol', 'libs/storage-mem/src/forbidden.ts', '@packice/protocol'],
    ['storage-fs -> cluster', 'libs/storage-fs/src/forbidden.ts', '@packice/cluster'],
    ['catalog-redis -> protocol', 'libs/catalog-redis/src/forbidden.ts', '@packice/protocol'],
    ['transport-uds -> cluster', 'libs/transport-uds/src/forbidden.ts', '@packice/cluster'],
    ['CLI -> core', 'apps/packice-cli/src/forbidden.ts', '@packice/core'],
    ['CLI -> node app code', 'apps/packice-cli/src/forbidden.ts', '@packice/node-app'],
    ['node-process -> protocol', 'libs/node-process/src/forbidden.ts', '@packice/protocol'],
  ])('forbids %s', async (_name, path, target) => {
    const errors = await boundaryErrors(path, `import { x } from '${target}';\nexport const y = x;\n`);
    expect(errors).toHaveLength(1);
    // Where the target already depends on the source, the rule reports the cycle first; where the
    // source already resolves the target lazily (the CLI, the node app's executable), that.
    expect(errors[0]).toMatch(
      /can only depend on libs tagged with|cannot depend on any libs|Circular dependency|imports of lazy-loaded libraries/,
    );
  });

  it.each([
    ['storage-mem -> core, native', 'libs/storage-mem/src/allowed.ts', ['@packice/core', '@packice/native']],
    ['storage-fs tests -> cluster', 'libs/storage-fs/src/allowed.spec.ts', ['@packice/cluster']],
    ['protocol -> core', 'libs/protocol/src/allowed.ts', ['@packice/core']],
    ['cluster -> core', 'libs/cluster/src/allowed.ts', ['@packice/core']],
    ['catalog-redis -> cluster, core', 'libs/catalog-redis/src/allowed.ts', ['@packice/cluster', '@packice/core']],
    [
      'transport-http -> protocol, core, native',
      'libs/transport-http/src/allowed.ts',
      ['@packice/protocol', '@packice/core', '@packice/native'],
    ],
    [
      'client -> protocol, core, native, storage-mem, transports',
      'libs/client/src/allowed.ts',
      [
        '@packice/protocol',
        '@packice/core',
        '@packice/native',
        '@packice/storage-mem',
        '@packice/transport-uds',
        '@packice/transport-http',
      ],
    ],
    [
      'node app -> core, protocol, cluster, storages, transports, catalog, node-process',
      'apps/packice-node/src/allowed.ts',
      [
        '@packice/core',
        '@packice/protocol',
        '@packice/cluster',
        '@packice/catalog-redis',
        '@packice/node-process',
        '@packice/storage-fs',
        '@packice/storage-mem',
        '@packice/transport-uds',
        '@packice/transport-http',
      ],
    ],
    ['node app tests -> client', 'apps/packice-node/src/allowed.spec.ts', ['@packice/client']],
    [
      "CLI -> client, node-process, the node app's package.json",
      'apps/packice-cli/src/allowed.ts',
      ['@packice/client', '@packice/node-process', '@packice/node-app/package.json'],
    ],
  ])('allows %s', async (_name, path, targets) => {
    const code = targets.map((t, i) => `import { x as x${i} } from '${t}';\nexport const y${i} = x${i};\n`).join('');
    await expect(boundaryErrors(path, code)).resolves.toEqual([]);
  });

  it('forbids reaching into another lib by relative path', async () => {
    const errors = await boundaryErrors(
      'libs/client/src/deep.ts',
      "import { x } from '../../core/src/create-peer';\nexport const y = x;\n",
    );
    expect(errors).toHaveLength(1);
  });
});
