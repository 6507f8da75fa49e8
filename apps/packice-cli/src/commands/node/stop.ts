import { Command, Flags } from '@oclif/core';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultPidfile, processAlive } from '../../node-app';

export default class NodeStop extends Command {
  static override description = 'Stop a node started with --detach: SIGTERM, then wait for it to finish its work and exit.';
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --pidfile ./node.pid'];
  static override enableJsonFlag = true;
  static override flags = {
    pidfile: Flags.string({ description: 'pidfile of the node (default beside the default socket)' }),
    socket: Flags.string({ description: 'the node socket, to find its pidfile beside it' }),
  };

  async run(): Promise<{ pid: number; stopped: boolean }> {
    const { flags } = await this.parse(NodeStop);
    const pidfile = flags.pidfile ?? defaultPidfile(flags.socket);
    let pid: number;
    try {
      pid = Number(readFileSync(pidfile, 'utf8').trim());
    } catch {
      this.error(`NOT_FOUND: no pidfile at ${pidfile}`, { exit: 2, suggestions: ['Is a node running? `packice node status`'] });
    }
    if (!processAlive(pid)) this.error(`NOT_FOUND: process ${pid} from ${pidfile} is not running`, { exit: 2 });
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 15_000;
    while (processAlive(pid)) {
      if (Date.now() > deadline) this.error(`node ${pid} did not stop within 15 s`, { exit: 1 });
      await sleep(25);
    }
    this.log(`packice node ${pid} stopped`);
    return { pid, stopped: true };
  }
}
