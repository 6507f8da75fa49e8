import { Flags, ux } from '@oclif/core';
import type { Client, LeaseInfo } from '@packice/client';
import { expiresIn, NodeCommand, table } from '../../node-command';

export default class LeaseLs extends NodeCommand<typeof LeaseLs> {
  static override description = 'List the leases a node holds: id, object, access, holder, expiry.';
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --object my-object --json',
    '<%= config.bin %> <%= command.id %> --watch',
  ];
  static override flags = {
    object: Flags.string({ description: 'only leases of this object' }),
    watch: Flags.boolean({
      description:
        'keep the table current until Ctrl-C: redrawn when a lease comes, goes or nears expiry (--json: one array per change)',
    }),
    interval: Flags.integer({
      description: 'with --watch: how often to ask the node (ms); node events (expiries, deletes) refresh at once',
      default: 1000,
      min: 100,
    }),
  };

  async run(): Promise<LeaseInfo[] | undefined> {
    if (this.flags.watch) {
      await this.withClient((client) => this.#watch(client));
      return undefined;
    }
    const leases = await this.withClient((client) => this.#list(client));
    this.#print(leases);
    return leases;
  }

  #list(client: Client, signal?: AbortSignal): Promise<LeaseInfo[]> {
    return client.listLeases(this.flags.object ? { objectId: this.flags.object } : {}, { signal });
  }

  #print(leases: LeaseInfo[]): void {
    table(
      (line) => this.log(line),
      leases.map((l) => ({
        lease: l.leaseId,
        object: l.objectId,
        access: l.access,
        holder:
          (l.holder.transport === 'uds'
            ? `uds pid ${l.holder.pid} uid ${l.holder.uid}`
            : l.holder.transport === 'http'
              ? `http ${l.holder.remote}`
              : 'direct') + (l.holder.node ? ` on ${l.holder.node}` : ''),
        expires: expiresIn(l.expiresAt),
      })),
      ['lease', 'object', 'access', 'holder', 'expires'],
    );
  }

  /**
   * Leases come and go without events (only expiries are events), so the node is asked every
   * interval, and at once when an event of the node comes; output is written only on a change.
   */
  async #watch(client: Client): Promise<void> {
    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const idle = (): void => undefined;
    let wake = idle;
    let changed: boolean;
    const events = (async () => {
      for await (const event of client.watch({ prefix: this.flags.object, signal: stop.signal })) {
        void event;
        changed = true;
        wake();
      }
    })();
    events.catch(() => stop.abort());
    const screen = process.stdout.isTTY && !this.jsonEnabled();
    let last = '';
    try {
      while (!stop.signal.aborted) {
        changed = false;
        const leases = await this.#list(client, stop.signal);
        // What is shown changes with the leases, and with each second of a lease's expiry.
        const shown = JSON.stringify(leases.map((l) => [l.leaseId, l.access, expiresIn(l.expiresAt)]));
        if (shown !== last) {
          last = shown;
          if (this.jsonEnabled()) ux.stdout(JSON.stringify(leases));
          else {
            if (screen) process.stdout.write('\x1b[H\x1b[2J');
            this.log(`${new Date().toISOString().slice(11, 19)}  ${leases.length} lease(s)`);
            this.#print(leases);
            if (!screen) this.log('');
          }
        }
        if (changed) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, this.flags.interval);
          function done(): void {
            clearTimeout(timer);
            stop.signal.removeEventListener('abort', done);
            resolve();
          }
          wake = done;
          stop.signal.addEventListener('abort', done, { once: true });
        });
        wake = idle;
      }
    } catch (err) {
      if (!stop.signal.aborted) throw err;
    } finally {
      stop.abort();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await events.catch((err: unknown) => {
        if (!isAbort(err, stop.signal)) throw err;
      });
    }
  }
}

const isAbort = (err: unknown, signal: AbortSignal): boolean => signal.aborted && err === signal.reason;
