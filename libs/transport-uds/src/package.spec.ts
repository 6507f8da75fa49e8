import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageName } from './index';

describe('@packice/transport-uds package', () => {
  it('is linked into the workspace and resolves to this source through its exports map', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')) as { name: string };
    expect(manifest.name).toBe(packageName);
    expect(require.resolve(packageName)).toBe(join(__dirname, 'index.ts'));
  });
});
