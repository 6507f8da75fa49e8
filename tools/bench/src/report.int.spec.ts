import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The page `npm run bench` writes, rendered from made-up figures in a real Node process (vega and
// vega-lite are ES modules, which Jest's CommonJS runtime cannot load). The figures are not
// PackIce's: this checks the tables, the ratios and the charts, not the speed.
const dir = mkdtempSync(join(tmpdir(), 'packice-bench-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GiB = 2 ** 30;
const methods = { 'uds-map': 'PackIce UDS, map() (zero-copy)', plain: 'plain Unix socket (net), bytes sent' };
const results = {
  date: '2026-12-02T10:00:00Z',
  quick: true,
  seconds: 80,
  machine: { cpus: 2, cpu: 'Test CPU', memory: '24 GiB', node: '20.20.2', os: 'Linux 6.1' },
  handoff: {
    methods,
    rows: [1024, GiB].flatMap((bytes) => [
      { method: 'uds-map', label: methods['uds-map'], bytes, ms: 0.5, best: 0.4, tries: 5 },
      { method: 'plain', label: methods.plain, bytes, ms: bytes === GiB ? 2000 : 0.2, best: 0.2, tries: 1 },
    ]),
  },
  operations: {
    ops: {},
    rows: [1, 4, 16].flatMap((clients) => [
      { op: 'echo', transport: 'net', clients, opsPerSecond: 10_000 },
      ...['ping', 'read', 'batch', 'create'].flatMap((op) =>
        ['uds', 'http', 'in-process'].map((transport) => ({ op, transport, clients, opsPerSecond: 2_500 })),
      ),
    ]),
  },
  http: {
    rows: [1, 8].flatMap((connections) => [
      { what: 'hello', connections, requestsPerSecond: 8_000, p50: 0 },
      { what: 'pair', connections, requestsPerSecond: 6_000, pairsPerSecond: 3_000, p50: 0 },
    ]),
  },
  create: {
    labels: {},
    rows: ['baseline', 'storage', 'client'].map((how) => ({
      how,
      label: `way ${how}`,
      bytes: GiB,
      ms: how === 'baseline' ? 400 : 500,
      gibPerSecond: 2,
      runs: 1,
    })),
  },
  small: {
    measures: {},
    rounds: 2,
    seconds: 1,
    // PackIce at half its baseline in round 0 and at the baseline in round 1 (median: the higher).
    rows: [0, 1].flatMap((round) =>
      [
        ['echo-read', 1, 1024, 10_000],
        ['read', 1, 1024, round === 0 ? 5_000 : 10_000],
        ['echo-read', 16, 1024, 20_000],
        ['read', 16, 1024, 10_000],
        ['echo-put', 1, 1024, 10_000],
        ['put', 1, 1024, 4_000],
        ['redis-get', 1, 1024, 8_000],
        ['redis-set', 1, 1024, 8_000],
        ['read', 1, 65_536, 6_000],
        ['redis-get', 1, 65_536, 3_000],
        ['fs-put', 1, 1024, 500],
      ].map(([measure, clients, bytes, opsPerSecond]) => ({ measure, clients, bytes, opsPerSecond, round })),
    ),
    many: { count: 100_000, fds: 49, slabs: 25, perObjectBytes: 2_000, identical: 100_000, fillSeconds: 9.5 },
  },
  python: {
    rounds: 3,
    seconds: 1,
    // Read cycles at 0.5x, 0.7x and 0.9x of the echo: the median ratio is 0.7x.
    rows: [0.5, 0.7, 0.9].flatMap((share, round) => [
      { measure: 'echo-read', round, bytes: 1024, opsPerSecond: 10_000 },
      { measure: 'read', round, bytes: 1024, opsPerSecond: 10_000 * share },
    ]),
    gib: { bytes: GiB, handoffMs: 0.2, copyMs: 3_000 },
  },
  s3: {
    bytes: 256 * 2 ** 20,
    tries: 3,
    sealMs: 1000,
    uploadMs: 800,
    coldMs: 500,
    downloadMs: 500,
    warmMs: 2,
    memoryMs: 1,
  },
  extra: [{ title: 'Events (node app)', output: 'a table' }],
  targets: [
    { target: '1 GiB handoff', ratio: 4000, goal: 1000, met: true, packice: '0.50 ms', baseline: '2,000 ms' },
    { target: 'read cycles', ratio: 0.25, goal: 0.7, met: false, packice: '2,500/s', baseline: '10,000/s' },
  ],
};

describe('the bench page', () => {
  it('renders tables with ratios to each baseline, and both charts as SVG', () => {
    const from = join(dir, 'in.json');
    writeFileSync(from, JSON.stringify(results));
    execFileSync(process.execPath, [join(__dirname, '../report/write.cjs'), from, join(dir, 'out')]);
    const page = readFileSync(join(dir, 'out/README.md'), 'utf8');
    expect(page).toContain('2026-12-02T10:00:00Z · 2 x Test CPU · 24 GiB · Node 20.20.2');
    expect(page).toContain('| read cycles | 0.25x | 2,500/s | 10,000/s | **no** |');
    expect(page).toContain('| PackIce UDS, map() (zero-copy) | 0.500 ms (0.40x) | 0.500 ms (4,000x) |');
    expect(page).toContain('| read / uds | 2,500 (0.25x) | 2,500 (0.25x) | 2,500 (0.25x) |');
    expect(page).toContain('| read acquire + release | 1 | 6,000 | 3,000 | 0 | 0.75x |');
    expect(page).toContain('| 1 GiB | way storage | 500 | 2.00 | 0.80x |');
    expect(page).toContain('![handoff time vs object size](handoff.svg)');
    expect(page).toContain('| 1 KiB read cycle, 1 client, vs the net echo | 10,000 | 10,000 | 1.00x | 0.8x |');
    expect(page).toContain('| 64 KiB read cycle vs Redis GET | 6,000 | 3,000 | 2.00x | 1x |');
    expect(page).toContain('| 1 KiB put(), fs storage, vs the net echo | 500 | 10,000 | 0.05x |  |');
    expect(page).toContain('49 open descriptors (25 of them slabs), 1.95 KiB of node memory per object');
    expect(page).toContain('| 1 KiB read cycle (acquire + map() + release), 1 client | 7,000/s | 10,000/s | 0.70x |');
    expect(page).toContain('| 1 GiB handoff (acquire + map()) | 0.200 ms | 3,000 ms | 15,000x |');
    expect(page).toContain(
      '| seal (the upload: parts of 8 MiB, 4 at once, then the manifest) | 1,000 ms | SDK Upload 800 ms | 0.80x |',
    );
    expect(page).toContain(
      '| warm read (acquire + map() of the cached memfd) | 2.00 ms | memory storage 1.00 ms | 0.50x |',
    );
    for (const [file, words] of [
      ['handoff.svg', ['object size', 'milliseconds (log)', 'plain Unix socket (net), bytes sent']],
      ['operations.svg', ['operations/s (log)', '16 clients', 'in-process']],
      ['small-objects.svg', ['times the baseline rate', '1 KiB put() vs Redis SET']],
    ] as const) {
      const svg = readFileSync(join(dir, 'out', file), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      for (const word of words) expect(svg).toContain(word);
    }
    expect(JSON.parse(readFileSync(join(dir, 'out/results.json'), 'utf8'))).toEqual(results);
  });
});
