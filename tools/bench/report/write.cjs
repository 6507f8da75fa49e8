// Writes the bench page from results: README.md (tables), handoff.svg, operations.svg and (with
// small-object figures) small-objects.svg, and
// results.json. `node write.cjs <results.json> <dir>` re-renders a saved run without re-measuring.
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { markdown } = require('./markdown.cjs');

/** Writes every file of the page for `results` into `dir`. */
async function writeReport(results, dir) {
  // vega and vega-lite are ES modules only.
  const { handoffChart, operationsChart, smallObjectsChart } = await import('./charts.mjs');
  const { medianRatio, SMALL_PAIRS } = require('./targets.cjs');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'handoff.svg'), await handoffChart(results));
  writeFileSync(join(dir, 'operations.svg'), await operationsChart(results));
  if (results.small)
    writeFileSync(join(dir, 'small-objects.svg'), await smallObjectsChart(results, SMALL_PAIRS, medianRatio));
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(dir, 'README.md'), markdown(results));
}

if (require.main === module) {
  const [from, dir] = process.argv.slice(2);
  writeReport(JSON.parse(readFileSync(from, 'utf8')), dir).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

module.exports = { writeReport };
