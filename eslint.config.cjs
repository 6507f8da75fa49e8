// Root ESLint config. Module boundaries follow DESIGN.md's "Allowed imports" exactly: a project's
// scope tag lists the only scopes it may import, and an empty list forbids every internal import.
const nx = require('@nx/eslint-plugin');

/** Scopes each scope may import (DESIGN.md, "Allowed imports"). */
const allowedImports = {
  'scope:core': [],
  'scope:native': [],
  'scope:storage': ['scope:core', 'scope:native'],
  'scope:catalog': ['scope:core'],
  'scope:transport': ['scope:core', 'scope:native'],
  'scope:client': ['scope:core', 'scope:native', 'scope:storage-mem', 'scope:transport'],
  'scope:tools': [],
  'type:app': ['type:lib'],
  // The node app assembles a node from storages and transports; clients are not its business.
  'scope:node-app': ['scope:core', 'scope:native', 'scope:storage', 'scope:transport', 'scope:catalog'],
  'scope:cli': ['type:lib'],
};

/** Tests may also wire real storages into transports, and drive a node app with the client (never production code). */
const allowedInTests = {
  ...allowedImports,
  'scope:transport': ['scope:core', 'scope:native', 'scope:storage'],
  'scope:node-app': [...allowedImports['scope:node-app'], 'scope:client'],
};

const boundaries = (constraints) => [
  'error',
  {
    enforceBuildableLibDependency: true,
    banTransitiveDependencies: true,
    allow: [],
    depConstraints: Object.entries(constraints).map(([sourceTag, tags]) => ({
      sourceTag,
      onlyDependOnLibsWithTags: tags,
    })),
  },
];

const testFiles = ['**/*.spec.ts', '**/__fixtures__/**'];

module.exports = [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: ['**/dist', '**/out-tsc', '**/node_modules', '**/.nx', '**/coverage'],
  },
  {
    files: ['**/*.ts'],
    ignores: testFiles,
    rules: { '@nx/enforce-module-boundaries': boundaries(allowedImports) },
  },
  {
    files: testFiles,
    rules: { '@nx/enforce-module-boundaries': boundaries(allowedInTests) },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'Use explicit named exports (DESIGN.md #8).' },
      ],
    },
  },
  {
    files: ['**/*.cjs', '**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];
