import { Command, Flags, type Interfaces } from '@oclif/core';
import { connect, defaultSocketPath, isPackIceError, type Client } from '@packice/client';
import { readFileSync } from 'node:fs';

/** Exit codes: 0 ok, 1 usage/other, 2 not found, 3 node unreachable, 4 conflict/state, 5 capacity. */
const EXIT: Record<string, number> = {
  NOT_FOUND: 2,
  LEASE_NOT_FOUND: 2,
  UNAVAILABLE: 3,
  ALREADY_EXISTS: 4,
  NOT_SEALED: 4,
  ALREADY_SEALED: 4,
  WRONG_ACCESS: 4,
  TIMEOUT: 4,
  OUT_OF_CAPACITY: 5,
};

const SUGGESTIONS: Record<string, string> = {
  UNAVAILABLE: 'Start a node with `packice node start --detach`, or point --node (or PACKICE_NODE) at one.',
  NOT_FOUND: 'List objects with `packice object ls`.',
  UNAUTHORIZED:
    "Pass the node's token with --token or PACKICE_TOKEN (the node's own user needs neither: the node records it).",
  OUT_OF_CAPACITY: 'Free room with `packice object rm ID`, or restart the node with a larger --capacity.',
  TIMEOUT: 'Wait longer with --timeout.',
};

/** A command that talks to a node: `--node TARGET` (socket path or http URL; env PACKICE_NODE). */
export abstract class NodeCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true;
  static override baseFlags = {
    node: Flags.string({
      description: 'node to talk to: a socket path or an http:// URL',
      env: 'PACKICE_NODE',
      default: async () => defaultSocketPath(),
      helpGroup: 'GLOBAL',
    }),
    token: Flags.string({
      description: "HTTP bearer token (default: the node's own record, for the node's user)",
      env: 'PACKICE_TOKEN',
      helpGroup: 'GLOBAL',
    }),
    ca: Flags.file({
      description: 'PEM CA file to trust for an https:// node',
      env: 'PACKICE_CA',
      exists: true,
      helpGroup: 'GLOBAL',
    }),
  };

  protected flags!: Interfaces.InferredFlags<(typeof NodeCommand)['baseFlags'] & T['flags']>;
  protected args!: Interfaces.InferredArgs<T['args']>;

  override async init(): Promise<void> {
    await super.init();
    const { flags, args } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof NodeCommand).baseFlags,
      args: this.ctor.args,
      enableJsonFlag: this.ctor.enableJsonFlag,
      strict: this.ctor.strict,
    });
    this.flags = flags as typeof this.flags;
    this.args = args as typeof this.args;
  }

  /** A client of the chosen node; closed after `fn`. */
  protected async withClient<R>(fn: (client: Client) => Promise<R>): Promise<R> {
    const client = await connect(this.flags.node, {
      token: this.flags.token,
      ca: this.flags.ca === undefined ? undefined : readFileSync(this.flags.ca),
    });
    try {
      return await fn(client);
    } finally {
      await client.close();
    }
  }

  protected override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    if (isPackIceError(err)) {
      this.error(`${err.code}: ${err.message}`, {
        exit: EXIT[err.code] ?? 1,
        suggestions: SUGGESTIONS[err.code] ? [SUGGESTIONS[err.code]] : undefined,
      });
    }
    return super.catch(err);
  }
}

/** "in 42s", "expired". */
export function expiresIn(at: number): string {
  const s = Math.round((at - Date.now()) / 1000);
  return s > 0 ? `in ${s}s` : 'expired';
}

/** 1536 -> "1.5 KiB". */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return 'none';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Prints rows as an aligned text table. */
export function table(log: (line: string) => void, rows: Record<string, string | number>[], columns: string[]): void {
  if (rows.length === 0) {
    log('(none)');
    return;
  }
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  log(line(columns.map((c) => c.toUpperCase())));
  for (const row of rows) log(line(columns.map((c) => String(row[c] ?? ''))));
}
