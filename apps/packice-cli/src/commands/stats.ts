import type { PeerStats } from '@packice/client';
import { formatBytes, NodeCommand } from '../node-command';

export default class Stats extends NodeCommand<typeof Stats> {
  static override description = "Show a node's counters.";
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json'];

  async run(): Promise<PeerStats> {
    const stats = await this.withClient((client) => client.stats());
    this.log(
      `objects ${stats.objects}  leases ${stats.leases}  bytes ${formatBytes(stats.bytes)}  capacity ${formatBytes(stats.capacity)}  evictions ${stats.evictions}  uptime ${Math.round(stats.uptimeMs / 1000)}s`,
    );
    return stats;
  }
}
