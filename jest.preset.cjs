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
  coverageReporters: ['text-summary'],
  reporters: ['default', path.join(__dirname, 'tools/jest/results-reporter.cjs')],
};
