import { describe, expect, it } from '@jest/globals';
import { NODE_FLAGS, nodeHelp, parseNodeArgs } from './node-flags';

describe('the node app flags', () => {
  it('parses every flag into its setting', () => {
    const argv = Object.entries(NODE_FLAGS).flatMap(([name, flag]) =>
      flag.boolean ? [`--${name}`] : [`--${name}`, `value-of-${name}`],
    );
    const { help, settings } = parseNodeArgs(argv);
    expect(help).toBe(false);
    for (const [name, flag] of Object.entries(NODE_FLAGS))
      expect(settings[flag.setting]).toBe(flag.boolean ? 'true' : `value-of-${name}`);
    // A switch takes no value: what follows it is a positional, refused.
    expect(() => parseNodeArgs(['--no-auth', 'yes'])).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(parseNodeArgs([]).settings.noAuth).toBeUndefined();
  });

  it('refuses unknown flags and positionals with BAD_REQUEST, and knows --help', () => {
    expect(() => parseNodeArgs(['--nope', 'x'])).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => parseNodeArgs(['stray'])).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(parseNodeArgs(['--help']).help).toBe(true);
    for (const name of Object.keys(NODE_FLAGS)) expect(nodeHelp()).toContain(`--${name}`);
  });
});
