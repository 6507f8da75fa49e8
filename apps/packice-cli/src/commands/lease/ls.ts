import type { Lease } from '@packice/core';
import { Flags } from '@oclif/core';
import { expiresIn, NodeCommand, table } from '../../node-command';

export default class LeaseLs extends NodeCommand<typeof LeaseLs> {
  static override description = 'List the leases a node holds: id, object, access, holder, expiry.';
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --object my-object --json',
  ];
  static override flags = { object: Flags.string({ description: 'only leases of this object' }) };

  async run(): Promise<Lease[]> {
    const leases = await this.withClient((client) =>
      client.listLeases(this.flags.object ? { objectId: this.flags.object } : {}),
    );
    table(
      (line) => this.log(line),
      leases.map((l) => ({
        lease: l.leaseId,
        object: l.objectId,
        access: l.access,
        holder:
          l.holder.transport === 'uds'
            ? `uds pid ${l.holder.pid} uid ${l.holder.uid}`
            : l.holder.transport === 'http'
              ? `http ${l.holder.remote}`
              : 'direct',
        expires: expiresIn(l.expiresAt),
      })),
      ['lease', 'object', 'access', 'holder', 'expires'],
    );
    return leases;
  }
}
