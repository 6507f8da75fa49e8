import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, errorCodes } from '@packice/core';
import { DATA_PLANE, opNames, OPS } from './wire/op-table';

// docs/protocol.md is what other languages' clients are written from: it must say what the op
// table says, op by op and route by route.
const doc = readFileSync(join(__dirname, '../../../docs/protocol.md'), 'utf8');

/** The table rows of the section under `heading` (up to the next heading). */
function rows(heading: string): string[][] {
  const start = doc.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`docs/protocol.md has no section ${heading}`);
  const rest = doc.slice(start + heading.length + 2);
  const section = rest.slice(0, rest.search(/\n#{2,3} /) >>> 0);
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| ---'))
    .slice(1)
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

/** The backticked names in a cell, `?` kept after optional ones. */
const names = (cell: string): string[] =>
  [...cell.matchAll(/`([a-z_]+)`(\?)?/g)].map(([, name, opt]) => name + (opt ?? ''));
const code = (cell: string): string => /`([^`]+)`/.exec(cell)?.[1] ?? '';

describe('docs/protocol.md against the op table', () => {
  it('lists every UDS op, and only those, with the params and result fields of the table', () => {
    const table = new Map([...rows('### Ops'), ...rows('### Events')].map((cells) => [code(cells[0]), cells]));
    const udsOps = opNames.filter((op) => OPS[op].uds);
    expect([...table.keys()].sort()).toEqual([...udsOps].sort());
    for (const op of udsOps) {
      const [, params, result] = table.get(op) as string[];
      expect({ op, params: names(params), result: names(result) }).toEqual({
        op,
        params: [...OPS[op].params],
        result: [...OPS[op].result],
      });
    }
  });

  it('lists every HTTP route, and only those, with its op and success status', () => {
    const table = rows('### Routes').map(([route, op, status]) => ({
      route: code(route),
      op: code(op),
      status: Number(status),
    }));
    const expected = opNames.flatMap((op) => {
      const http = OPS[op].http;
      return http ? [{ route: `${http.method} ${http.path}`, op, status: http.status }] : [];
    });
    const byRoute = (a: { route: string }, b: { route: string }): number => a.route.localeCompare(b.route);
    expect(table.sort(byRoute)).toEqual(expected.sort(byRoute));
  });

  it('describes both data-plane routes', () => {
    const table = rows('### Data plane').map(([route]) => code(route));
    expect(table).toEqual(Object.values(DATA_PLANE).map((r) => `${r.method} ${r.path}`));
  });

  it('lists every error code with its HTTP status', () => {
    const table = new Map(rows('## Errors').map(([name, status]) => [code(name), Number(status)]));
    for (const name of errorCodes) expect([name, table.get(name)]).toEqual([name, ERROR_CODES[name].status]);
    expect(table.size).toBe(errorCodes.length);
  });
});
