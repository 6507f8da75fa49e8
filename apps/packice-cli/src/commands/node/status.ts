import { Flags } from '@oclif/core';
import { defaultSocketPath, findNodeRecord } from '@packice/client';
import { defaultPidfile, heldPidfile } from '@packice/node-process';
import { formatBytes, NodeCommand } from '../../node-command';

export default class NodeStatus extends NodeCommand<typeof NodeStatus> {
  static override description =
    'Show a node: pid, transport, storage, objects, leases, bytes, capacity, descriptors, uptime.';
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --node http://127.0.0.1:7070 --json',
  ];
  static override flags = {
    pidfile: Flags.string({ description: 'pidfile to read the pid from (default beside the default socket)' }),
  };

  async run(): Promise<Record<string, unknown>> {
    const [stats, storage] = await this.withClient((client) => Promise.all([client.stats(), client.storage()]));
    // Only a pidfile whose node still holds its lock names a pid: a stale one names none.
    const pid = heldPidfile(
      this.flags.pidfile ?? defaultPidfile(this.flags.node.startsWith('/') ? this.flags.node : defaultSocketPath()),
    );
    const transport = this.flags.node.startsWith('http') ? 'http' : 'uds';
    // A node with HTTP records itself (URLs, token file) in this user's runtime directory.
    const record = findNodeRecord(this.flags.node)?.record;
    const status = {
      node: this.flags.node,
      transport,
      storage,
      pid: pid ?? record?.pid ?? null,
      urls: record?.urls ?? [],
      tokenFile: record?.token_file ?? null,
      ...stats,
    };
    this.log(`node      ${status.node} (${transport}, ${storage} storage)${status.pid ? `, pid ${status.pid}` : ''}`);
    if (record)
      this.log(
        `http      ${record.urls.join(', ')}${record.token_file ? `, token in ${record.token_file}` : ', no token'}`,
      );
    this.log(`objects   ${stats.objects}, ${formatBytes(stats.bytes)}`);
    this.log(`leases    ${stats.leases}`);
    this.log(`capacity  ${formatBytes(stats.capacity)}, ${stats.evictions} evictions`);
    if (stats.fdsInUse !== undefined) this.log(`fds       ${stats.fdsInUse} of ${stats.fdsLimit} open`);
    this.log(`uptime    ${Math.round(stats.uptimeMs / 1000)}s`);
    return status;
  }
}
