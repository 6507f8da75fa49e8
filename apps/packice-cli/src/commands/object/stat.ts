import type { ObjectInfo } from '@packice/client';
import { Args } from '@oclif/core';
import { formatBytes, NodeCommand } from '../../node-command';

export default class ObjectStat extends NodeCommand<typeof ObjectStat> {
  static override description = 'Show one object: state, size, blobs, meta, times.';
  static override examples = ['<%= config.bin %> <%= command.id %> my-object'];
  static override args = { id: Args.string({ description: 'object id', required: true }) };

  async run(): Promise<ObjectInfo> {
    const object = await this.withClient((client) => client.stat(this.args.id));
    this.log(`object   ${object.objectId} (${object.state})`);
    this.log(
      `size     ${formatBytes(object.size)} in ${object.blobs.length} blob(s): ${object.blobs.map((b) => b.size).join(', ')}`,
    );
    for (const [key, value] of Object.entries(object.meta)) this.log(`meta     ${key}=${value}`);
    this.log(`created  ${new Date(object.createdAt).toISOString()}`);
    if (object.sealedAt) this.log(`sealed   ${new Date(object.sealedAt).toISOString()}`);
    return object;
  }
}
