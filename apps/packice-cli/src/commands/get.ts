import { Args, Flags } from '@oclif/core';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { NodeCommand } from '../node-command';

export default class Get extends NodeCommand<typeof Get> {
  static override description = 'Write an object (blob 0) to a file or standard output, waiting for its seal if asked.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> data -o data.bin',
    '<%= config.bin %> <%= command.id %> data --timeout 30000 > data.bin',
  ];
  static override args = { id: Args.string({ description: 'object id', required: true }) };
  static override flags = {
    output: Flags.string({ char: 'o', description: 'file to write (default standard output)' }),
    timeout: Flags.integer({ description: 'wait this many ms for the object to be sealed', default: 0 }),
  };

  async run(): Promise<Record<string, unknown>> {
    return this.withClient(async (client) => {
      await using lease = await client.acquire({
        intent: 'read',
        objectId: this.args.id,
        timeoutMs: this.flags.timeout,
      });
      const view = await lease.map();
      const out = this.flags.output ? createWriteStream(this.flags.output) : process.stdout;
      if (!out.write(view)) await once(out, 'drain');
      if (this.flags.output) {
        out.end();
        await once(out, 'finish');
      }
      return { objectId: this.args.id, size: view.length, output: this.flags.output ?? null };
    });
  }
}
