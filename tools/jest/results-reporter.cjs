// Writes Jest's own aggregated results (the object `jest --json` prints) to
// <project>/test-results/jest-results.json, a declared output of the test target, so Nx restores
// it with cached runs too. .ci/run adds these files up into its "N passed, N failed" line.
const fs = require('node:fs');
const path = require('node:path');

class ResultsReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const dir = path.join(this.rootDir, 'test-results');
    fs.mkdirSync(dir, { recursive: true });
    const { testResults, ...totals } = results;
    const files = testResults.map((r) => ({
      file: path.relative(this.rootDir, r.testFilePath),
      passed: r.numPassingTests,
      failed: r.numFailingTests,
      failureMessage: r.failureMessage ?? null,
    }));
    fs.writeFileSync(path.join(dir, 'jest-results.json'), JSON.stringify({ ...totals, files }, null, 2));
  }
}

module.exports = ResultsReporter;
