import { Flags } from '@oclif/core';
import type { WatchEvent } from '@packice/client';
import { formatBytes, NodeCommand } from '../node-command';

export default class Watch extends NodeCommand<typeof Watch> {
  static override description =
    'Print the node’s events as they happen (sealed, deleted, evicted, aborted, lease_expired), one line each, until Ctrl-C.';
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --prefix frame- --replay',
    '<%= config.bin %> <%= command.id %> --json | jq .objectId',
  ];
  // Events stream one JSON line each with --json; there is no single result to print at the end.
  static override enableJsonFlag = false;
  static override flags = {
    prefix: Flags.string({ description: 'only objects whose id starts with this' }),
    replay: Flags.boolean({ description: 'first a sealed event for every object already sealed' }),
    json: Flags.boolean({ description: 'one JSON object per line' }),
  };

  async run(): Promise<void> {
    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      await this.withClient(async (client) => {
        try {
          for await (const event of client.watch({
            prefix: this.flags.prefix,
            replay: this.flags.replay,
            signal: stop.signal,
          })) {
            this.log(this.flags.json ? JSON.stringify(event) : describe(event));
          }
        } catch (err) {
          if (!stop.signal.aborted) throw err;
        }
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}

function describe(event: WatchEvent): string {
  const time = new Date(event.at).toISOString().slice(11, 23);
  if (event.event === 'overflow') return `${time}  overflow  ${event.dropped} events dropped`;
  const size = event.size !== undefined ? `  ${formatBytes(event.size)}` : '';
  const extra = event.leaseId ? `  lease ${event.leaseId}` : event.replay ? '  (replay)' : '';
  return `${time}  #${event.seq}  ${event.event.padEnd(13)} ${event.objectId}${size}${extra}`;
}
