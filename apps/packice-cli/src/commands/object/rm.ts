import { Args } from '@oclif/core';
import { NodeCommand } from '../../node-command';

export default class ObjectRm extends NodeCommand<typeof ObjectRm> {
  static override description = 'Delete an object: now, or when its last lease ends.';
  static override examples = ['<%= config.bin %> <%= command.id %> my-object'];
  static override args = { id: Args.string({ description: 'object id', required: true }) };

  async run(): Promise<Record<string, unknown>> {
    const result = await this.withClient((client) => client.delete(this.args.id));
    this.log(result.deleted ? `deleted ${this.args.id}` : `${this.args.id} will be deleted when its last lease ends`);
    return { objectId: this.args.id, ...result };
  }
}
