// Runs one test file with the Jest config of the project that holds it (for the editor's
// "Debug the current Jest test file"): node tools/jest/run-file.cjs <file> [jest args]
const fs = require('node:fs');
const path = require('node:path');

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error('usage: run-file.cjs <test file> [jest args]');
  process.exit(2);
}
const absolute = path.resolve(file);
let dir = path.dirname(absolute);
while (!fs.existsSync(path.join(dir, 'jest.config.cjs'))) {
  const parent = path.dirname(dir);
  if (parent === dir) {
    console.error(`no jest.config.cjs above ${file}`);
    process.exit(2);
  }
  dir = parent;
}
process.chdir(dir);
process.argv = [process.argv[0], 'jest', '--runInBand', '--runTestsByPath', absolute, ...rest];
require('jest').run(process.argv.slice(2));
