import type { ObjectInfo } from '@packice/client';
import { Args, Flags } from '@oclif/core';
import { createReadStream, statSync } from 'node:fs';
import { formatBytes, NodeCommand } from '../node-command';

export default class Put extends NodeCommand<typeof Put> {
  static override description = 'Store a file (or standard input with -) as a sealed object, streamed.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> data.bin --id data --meta type=application/octet-stream',
    'cat data.bin | <%= config.bin %> <%= command.id %> -',
  ];
  static override args = {
    file: Args.string({ description: 'file to store, or - for standard input', required: true }),
  };
  static override flags = {
    id: Flags.string({ description: 'object id (default: a new UUID)' }),
    meta: Flags.string({ description: 'metadata key=value (repeatable)', multiple: true }),
    progress: Flags.boolean({
      description: 'show progress on stderr (default: on a terminal, for files of 8 MiB or more)',
      allowNo: true,
    }),
  };

  async run(): Promise<ObjectInfo> {
    const meta: Record<string, string> = {};
    for (const pair of this.flags.meta ?? []) {
      const at = pair.indexOf('=');
      if (at <= 0) this.error(`--meta takes key=value, not ${pair}`, { exit: 1 });
      meta[pair.slice(0, at)] = pair.slice(at + 1);
    }
    const stdin = this.args.file === '-';
    const total = stdin ? null : statSync(this.args.file).size;
    const show =
      this.flags.progress ?? (process.stderr.isTTY && !this.jsonEnabled() && total !== null && total >= 8 << 20);
    const source = stdin ? process.stdin : createReadStream(this.args.file);
    const object = await this.withClient((client) =>
      client.put(show ? withProgress(source, total) : source, { objectId: this.flags.id, meta }),
    );
    this.log(`${object.objectId}  ${formatBytes(object.size)}  sealed`);
    return object;
  }
}

/** Passes chunks through, drawing `sent / total (pct)` on stderr at most every 100 ms, and a last line at the end. */
async function* withProgress(source: AsyncIterable<Buffer>, total: number | null): AsyncGenerator<Buffer> {
  let sent = 0;
  let drawn = 0;
  const draw = (): void => {
    const pct = total ? ` (${Math.floor((sent / total) * 100)}%)` : '';
    process.stderr.write(`\r${formatBytes(sent)}${total !== null ? ` / ${formatBytes(total)}` : ''}${pct}   `);
  };
  for await (const chunk of source) {
    sent += chunk.length;
    if (Date.now() - drawn > 100) {
      draw();
      drawn = Date.now();
    }
    yield chunk;
  }
  draw();
  process.stderr.write('\n');
}
