// Adds up Jest's results of every project with a test target and prints "N passed, N failed".
// A project whose results are missing (its tests did not run) makes the count fail: exit 1.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const nx = path.join(root, 'node_modules', '.bin', 'nx');
const projects = JSON.parse(
  execFileSync(nx, ['show', 'projects', '--with-target', 'test', '--json'], { cwd: root, encoding: 'utf8' }),
);

let passed = 0;
let failed = 0;
let complete = true;
for (const name of projects) {
  const { root: projectRoot } = JSON.parse(
    execFileSync(nx, ['show', 'project', name, '--json'], { cwd: root, encoding: 'utf8' }),
  );
  const file = path.join(root, projectRoot, 'test-results', 'jest-results.json');
  if (!fs.existsSync(file)) {
    console.error(`${name}: no Jest results (its tests did not run)`);
    complete = false;
    continue;
  }
  const results = JSON.parse(fs.readFileSync(file, 'utf8'));
  passed += results.numPassedTests;
  // A suite that fails to load has no failing test of its own: count it as one failure.
  failed += results.numFailedTests + results.numRuntimeErrorTestSuites;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(complete && failed === 0 && passed > 0 ? 0 : 1);
