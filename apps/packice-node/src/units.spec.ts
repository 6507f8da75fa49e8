import { describe, expect, it } from '@jest/globals';
import { parseDuration, parseSize } from './units';

describe('parseSize', () => {
  it.each([
    ['1048576', 1_048_576],
    ['512MiB', 512 * 2 ** 20],
    ['2GiB', 2 * 2 ** 30],
    ['1.5GB', 1.5e9],
    ['64k', 64_000],
    [4096, 4096],
  ])('%s -> %d bytes', (input, bytes) => expect(parseSize(input)).toBe(bytes));

  it.each(['', 'lots', '-1', '0', '12 parsecs', '1e3'])('refuses %j', (input) => {
    expect(() => parseSize(input, 'capacity')).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST', message: expect.stringContaining('capacity') }),
    );
  });
});

describe('parseDuration', () => {
  it.each([
    ['60000', 60_000],
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
  ])('%s -> %d ms', (input, ms) => expect(parseDuration(input)).toBe(ms));

  it.each(['soon', '0', '1.5s', '-5s'])('refuses %j', (input) => {
    expect(() => parseDuration(input)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });
});
