import { Flags } from '@oclif/core';
import { defaultPidfile, heldPidfile } from '@packice/node-process';
import { setTimeout as sleep } from 'node:timers/promises';
import { NodeCommand } from '../../node-command';
import { processRuns } from '../../process-runs';

export default class NodeStop extends NodeCommand<typeof NodeStop> {
  static override description =
    'Stop a node started with `packice node start`: SIGTERM, then wait for it to finish its work and exit. ' +
    'The pid comes from the pidfile beside the node socket (--node, --socket), or from --pidfile.';
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --node /run/user/1000/packice/node.sock',
    '<%= config.bin %> <%= command.id %> --pidfile ./node.pid',
  ];
  static override flags = {
    pidfile: Flags.string({ description: 'pidfile of the node (default beside its socket)' }),
    socket: Flags.string({ description: 'the node socket, to find its pidfile beside it (same as --node PATH)' }),
  };

  async run(): Promise<{ pid: number; stopped: boolean }> {
    const { node, socket, pidfile: given } = this.flags;
    const nodeSocket = socket ?? (node.startsWith('/') ? node : undefined);
    if (given === undefined && nodeSocket === undefined) {
      this.error(`BAD_REQUEST: ${node} is not a socket path, so there is no pidfile beside it`, {
        exit: 1,
        suggestions: ['Pass the pidfile of the node with --pidfile'],
      });
    }
    const pidfile = given ?? defaultPidfile(nodeSocket as string);
    // The lock on the pidfile, not the pid, says a node runs: a dead node (even an unreaped zombie)
    // holds none, and a pid reused by another program is never signalled.
    const pid = heldPidfile(pidfile);
    if (pid === null) {
      this.error(`NOT_FOUND: no running node holds ${pidfile}`, {
        exit: 2,
        suggestions: ['Is a node running? `packice node status`'],
      });
    }
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 15_000;
    while (heldPidfile(pidfile) === pid) {
      if (Date.now() > deadline) this.error(`TIMEOUT: node ${pid} did not stop within 15 s`, { exit: 4 });
      await sleep(25);
    }
    // The node lets go of the lock just before it exits: wait for the exit too (a zombie counts as
    // gone), so the caller never sees it still running.
    while (processRuns(pid) && Date.now() < deadline) await sleep(10);
    this.log(`packice node ${pid} stopped`);
    return { pid, stopped: true };
  }
}
