// Adds up Jest's results of every project (each folder with a jest.config.cjs) and prints
// "N passed, N failed". A project whose results are missing (its tests did not run) fails the count.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const projects = ['apps', 'libs', 'tools']
  .flatMap((group) => fs.readdirSync(path.join(root, group)).map((name) => path.join(group, name)))
  .filter((dir) => fs.existsSync(path.join(root, dir, 'jest.config.cjs')));

let passed = 0;
let failed = 0;
let complete = projects.length > 0;
for (const dir of projects) {
  const file = path.join(root, dir, 'test-results', 'jest-results.json');
  if (!fs.existsSync(file)) {
    console.error(`${dir}: no Jest results (its tests did not run)`);
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
