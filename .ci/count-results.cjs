// Adds up Jest's results of every project (each folder with a jest.config.cjs) and pytest's of every
// Python project (each clients/* folder with a pyproject.toml: its JUnit XML) and prints
// "N passed, N failed". A project whose results are missing (its tests did not run) fails the count;
// a skipped Python test counts as failed.
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
const pythonProjects = fs.existsSync(path.join(root, 'clients'))
  ? fs
      .readdirSync(path.join(root, 'clients'))
      .map((name) => path.join('clients', name))
      .filter((dir) => fs.existsSync(path.join(root, dir, 'pyproject.toml')))
  : [];
for (const dir of pythonProjects) {
  const file = path.join(root, dir, 'test-results', 'pytest-results.xml');
  if (!fs.existsSync(file)) {
    console.error(`${dir}: no pytest results (its tests did not run)`);
    complete = false;
    continue;
  }
  // pytest writes one <testsuite> with the totals as attributes.
  const suite = /<testsuite\b[^>]*>/.exec(fs.readFileSync(file, 'utf8'))?.[0] ?? '';
  const count = (name) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(suite)?.[1] ?? NaN);
  const [tests, errors, failures, skipped] = ['tests', 'errors', 'failures', 'skipped'].map(count);
  if (![tests, errors, failures, skipped].every(Number.isSafeInteger)) {
    console.error(`${dir}: unreadable pytest results`);
    complete = false;
    continue;
  }
  passed += tests - errors - failures - skipped;
  failed += errors + failures + skipped;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(complete && failed === 0 && passed > 0 ? 0 : 1);
