// Root ESLint config. Module boundaries follow docs/design.md's "Allowed imports" exactly: a
// project's scope tag lists the only scopes it may import, and an empty list forbids every
// internal import. Arrows only point down the layers.
const nx = require('@nx/eslint-plugin');

/** Scopes each scope may import (docs/design.md, "Allowed imports"). */
const allowedImports = {
  'scope:core': [],
  'scope:native': [],
  'scope:protocol': ['scope:core'],
  'scope:cluster': ['scope:core'],
  'scope:storage': ['scope:core', 'scope:native'],
  // S3 storage keeps local blobs in a BlobStore the assembler gives it (memory storage), and maps them to upload.
  'scope:storage-s3': ['scope:core', 'scope:native'],
  'scope:catalog': ['scope:cluster', 'scope:core'],
  'scope:transport': ['scope:protocol', 'scope:core', 'scope:native'],
  'scope:client': ['scope:protocol', 'scope:core', 'scope:native', 'scope:storage-mem', 'scope:transport'],
  'scope:node-process': ['scope:core', 'scope:native'],
  'scope:tools': [],
  'type:app': ['type:lib'],
  // The node app assembles a node from storages, transports and the cluster; clients are not its business.
  'scope:node-app': [
    'scope:core',
    'scope:native',
    'scope:protocol',
    'scope:cluster',
    'scope:storage',
    'scope:storage-s3',
    'scope:transport',
    'scope:catalog',
    'scope:node-process',
  ],
  // The CLI talks to nodes as a user does, through the client, and shares a node process's facts.
  'scope:cli': ['scope:client', 'scope:node-process'],
};

/**
 * Tests may also wire real storages into transports, run shared storage under cluster Peers, and
 * drive a node app with the client (never production code).
 */
const allowedInTests = {
  ...allowedImports,
  'scope:storage': [...allowedImports['scope:storage'], 'scope:cluster'],
  'scope:storage-s3': [...allowedImports['scope:storage-s3'], 'scope:storage-mem'],
  'scope:transport': [...allowedImports['scope:transport'], 'scope:storage'],
  'scope:node-app': [...allowedImports['scope:node-app'], 'scope:client'],
};

const boundaries = (constraints) => [
  'error',
  {
    enforceBuildableLibDependency: true,
    banTransitiveDependencies: true,
    // The CLI runs the node app as a process: it resolves the executable's path from the node
    // app's package.json and loads none of its code (apps never import each other's code).
    allow: ['@packice/node-app/package.json'],
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
        { selector: 'ExportAllDeclaration', message: 'Use explicit named exports (docs/design.md, conventions #8).' },
      ],
    },
  },
  {
    files: ['**/*.cjs', '**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];
