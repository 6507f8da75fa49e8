// Shared Jest settings: SWC transpiles TypeScript; the custom export condition makes sibling
// libs resolve to their sources, so tests need no prior build of the libs they import.
const fs = require('node:fs');
const path = require('node:path');

const swcrc = JSON.parse(fs.readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));

module.exports = {
  testEnvironment: 'node',
  testEnvironmentOptions: {
    customExportConditions: ['@packice/source', 'node', 'require', 'default'],
  },
  transform: {
    '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  // A guard against hangs, not a speed check: Nx runs several suites at once on 2 cores in CI,
  // where fsync-heavy and multi-process tests take several times longer than alone.
  testTimeout: 30_000,
  coverageReporters: ['text-summary'],
  reporters: ['default', path.join(__dirname, 'tools/jest/results-reporter.cjs')],
};
