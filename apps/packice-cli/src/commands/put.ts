import { Args, Flags } from '@oclif/core';
import { createReadStream } from 'node:fs';
import { formatBytes, NodeCommand } from '../node-command';

export default class Put extends NodeCommand<typeof Put> {
  static override description = 'Store a file (or standard input with -) as a sealed object, streamed.';
  static override examples = ['<%= config.bin %> <%= command.id %> data.bin --id data --meta type=application/octet-stream', 'cat data.bin | <%= config.bin %> <%= command.id %> -'];
  static override args = { file: Args.string({ description: 'file to store, or - for standard input', required: true }) };
  static override flags = {
    id: Flags.string({ description: 'object id (default: a new UUID)' }),
    meta: Flags.string({ description: 'metadata key=value (repeatable)', multiple: true }),
  };

  async run(): Promise<Record<string, unknown>> {
    const meta: Record<string, string> = {};
    for (const pair of this.flags.meta ?? []) {
      const at = pair.indexOf('=');
      if (at <= 0) this.error(`--meta takes key=value, not ${pair}`, { exit: 1 });
      meta[pair.slice(0, at)] = pair.slice(at + 1);
    }
    const source = this.args.file === '-' ? process.stdin : createReadStream(this.args.file);
    const object = await this.withClient((client) => client.put(source, { objectId: this.flags.id, meta }));
    this.log(`${object.objectId}  ${formatBytes(object.size)}  sealed`);
    return object as unknown as Record<string, unknown>;
  }
}
