// SVG charts of a results.json, rendered by vega-lite + vega in Node (no browser, no canvas).
import * as vega from 'vega';
import * as vl from 'vega-lite';

const FONT = 'Helvetica, Arial, sans-serif';
const config = {
  font: FONT,
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, labelLimit: 320 },
};

async function svgOf(spec) {
  const view = new vega.View(vega.parse(vl.compile({ ...spec, config }).spec), { renderer: 'none' });
  return view.toSVG();
}

/** Handoff time vs object size, log-log, one line per way. */
export function handoffChart(results) {
  const values = results.handoff.rows.map((r) => ({ way: r.label, bytes: r.bytes, ms: r.ms }));
  return svgOf({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Handoff: second process asks -> holds a readable view (median)', anchor: 'start' },
    width: 560,
    height: 340,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: {
        field: 'bytes',
        type: 'quantitative',
        scale: { type: 'log', base: 2 },
        title: 'object size',
        axis: {
          values: [...new Set(values.map((v) => v.bytes))],
          labelExpr:
            "datum.value >= 1073741824 ? datum.value / 1073741824 + ' GiB' : datum.value >= 1048576 ? datum.value / 1048576 + ' MiB' : datum.value / 1024 + ' KiB'",
        },
      },
      y: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'milliseconds (log)' },
      color: { field: 'way', type: 'nominal', title: null, legend: { orient: 'bottom', columns: 2, labelLimit: 400 } },
    },
  });
}

/** Operations per second by operation and transport, one panel per client count. */
export function operationsChart(results) {
  const names = {
    ping: 'ping',
    read: 'read cycle',
    batch: 'batch read',
    create: 'create cycle',
    echo: 'net echo floor',
  };
  const values = results.operations.rows.map((r) => ({
    op: names[r.op],
    transport: r.transport,
    clients: `${r.clients} client${r.clients > 1 ? 's' : ''}`,
    opsPerSecond: Math.round(r.opsPerSecond),
  }));
  return svgOf({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Operations per second (log scale), by concurrent clients', anchor: 'start' },
    data: { values },
    facet: {
      column: { field: 'clients', type: 'nominal', title: null, sort: ['1 client', '4 clients', '16 clients'] },
    },
    spec: {
      width: 230,
      height: 260,
      mark: 'bar',
      encoding: {
        x: { field: 'op', type: 'nominal', title: null, sort: Object.values(names), axis: { labelAngle: -35 } },
        xOffset: { field: 'transport', sort: ['uds', 'http', 'in-process', 'net'] },
        // Bars on a log scale need a floor to start from: 100/s, below every figure here.
        y: {
          field: 'opsPerSecond',
          type: 'quantitative',
          scale: { type: 'log', domainMin: 100 },
          stack: null,
          title: 'operations/s (log)',
        },
        y2: { datum: 100 },
        color: {
          field: 'transport',
          type: 'nominal',
          sort: ['uds', 'http', 'in-process', 'net'],
          legend: { orient: 'bottom' },
        },
        tooltip: [{ field: 'opsPerSecond' }],
      },
    },
  });
}

/** Small objects: each comparison's median ratio to its baseline, with its target marked. */
export function smallObjectsChart(results, pairs, medianRatio) {
  const values = pairs.flatMap(([what, measure, base, goal]) => {
    const found = medianRatio(results.small, measure, base);
    return found ? [{ what, ratio: Number(found.ratio.toFixed(3)), goal: goal ?? null }] : [];
  });
  return svgOf({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Small objects: PackIce / baseline, median of rounds (target ticked)', anchor: 'start' },
    width: 460,
    height: { step: 26 },
    data: { values },
    encoding: { y: { field: 'what', type: 'nominal', title: null, sort: null, axis: { labelLimit: 380 } } },
    layer: [
      {
        mark: 'bar',
        encoding: {
          x: { field: 'ratio', type: 'quantitative', title: 'times the baseline rate' },
          color: {
            condition: { test: 'datum.goal !== null && datum.ratio < datum.goal', value: '#d62728' },
            value: '#1f77b4',
          },
          tooltip: [{ field: 'ratio' }, { field: 'goal' }],
        },
      },
      {
        transform: [{ filter: 'datum.goal !== null' }],
        mark: { type: 'tick', color: 'black', thickness: 2 },
        encoding: { x: { field: 'goal', type: 'quantitative' } },
      },
    ],
  });
}
