import type { ObjectInfo } from '@packice/client';
import { formatBytes, NodeCommand, table } from '../../node-command';

export default class ObjectLs extends NodeCommand<typeof ObjectLs> {
  static override description = 'List the objects of a node.';
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json'];

  async run(): Promise<ObjectInfo[]> {
    const objects = await this.withClient((client) => client.listObjects());
    table(
      (line) => this.log(line),
      objects.map((o) => ({
        object: o.objectId,
        state: o.state,
        size: formatBytes(o.size),
        blobs: o.blobs.length,
        created: new Date(o.createdAt).toISOString(),
      })),
      ['object', 'state', 'size', 'blobs', 'created'],
    );
    return objects;
  }
}
