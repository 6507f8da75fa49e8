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

describe('module boundaries (DESIGN.md, "Allowed imports")', () => {
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
  ])('forbids %s', async (_name, path, target) => {
    const errors = await boundaryErrors(path, `import { x } from '${target}';\nexport const y = x;\n`);
    expect(errors).toHaveLength(1);
    // Where the target already depends on the source, the rule reports the cycle first.
    expect(errors[0]).toMatch(/can only depend on libs tagged with|cannot depend on any libs|Circular dependency/);
  });

  it.each([
    ['storage-mem -> core, native', 'libs/storage-mem/src/allowed.ts', ['@packice/core', '@packice/native']],
    ['transport-http -> core, native', 'libs/transport-http/src/allowed.ts', ['@packice/core', '@packice/native']],
    [
      'client -> core, native, storage-mem, transports',
      'libs/client/src/allowed.ts',
      ['@packice/core', '@packice/native', '@packice/storage-mem', '@packice/transport-uds', '@packice/transport-http'],
    ],
    [
      'node app -> core, storages, transports',
      'apps/packice-node/src/allowed.ts',
      [
        '@packice/core',
        '@packice/storage-fs',
        '@packice/storage-mem',
        '@packice/transport-uds',
        '@packice/transport-http',
      ],
    ],
    ['node app tests -> client', 'apps/packice-node/src/allowed.spec.ts', ['@packice/client']],
    ['CLI -> client, transports', 'apps/packice-cli/src/allowed.ts', ['@packice/client', '@packice/transport-uds']],
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
