import { Command, Flags } from '@oclif/core';
import { defaultSocketPath } from '@packice/client';
import { defaultLogfile, defaultPidfile, NODE_FLAGS, type NodeReport } from '@packice/node-process';
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { nodeAppMain } from '../../node-app';

const READY_TIMEOUT_MS = 15_000;
const OWN_VALUE_FLAGS = new Set(['--socket', '--pidfile', '--log']);

// The node's own flags, from its flag table, for --help only: they are passed on as they are and
// the node app checks them (this command never parses them).
const nodeFlags = Object.fromEntries(
  Object.entries(NODE_FLAGS)
    .filter(([name]) => !OWN_VALUE_FLAGS.has(`--${name}`))
    .map(([name, flag]) => [
      name,
      (flag.boolean ? Flags.boolean : Flags.string)({
        description: `${flag.description}${flag.env ? ` [env ${flag.env}]` : ''}`,
        helpGroup: 'NODE',
      }),
    ]),
);
const OWN_SWITCHES = new Set(['--detach', '--json', '--help']);

/** This command's own arguments, and the rest (the node's flags, passed on as they are). */
export function splitArgs(argv: readonly string[]): { own: string[]; node: string[] } {
  const own: string[] = [];
  const node: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const name = arg.split('=', 1)[0];
    if (OWN_SWITCHES.has(name)) own.push(arg);
    else if (OWN_VALUE_FLAGS.has(name))
      own.push(...(arg.includes('=') ? [arg] : [arg, argv[++i]]).filter((a) => a !== undefined));
    else node.push(arg);
  }
  return { own, node };
}

/** Resolves with the node's report, or a `failed` one when it exits or stays silent too long. */
function awaitReport(child: ChildProcess): Promise<NodeReport> {
  return new Promise((resolve) => {
    const done = (report: NodeReport): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(report);
    };
    const onMessage = (message: NodeReport): void => done(message);
    const onExit = (code: number | null): void =>
      done({
        type: 'failed',
        pid: child.pid ?? 0,
        code: 'INTERNAL',
        message: `the node exited (${code}) before it was ready`,
      });
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      done({
        type: 'failed',
        pid: child.pid ?? 0,
        code: 'TIMEOUT',
        message: `the node was not ready in ${READY_TIMEOUT_MS / 1000} s`,
      });
    }, READY_TIMEOUT_MS);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export default class NodeStart extends Command {
  static override description = [
    'Start a PackIce node: in the foreground, or with --detach in the background.',
    'Every other flag goes to the node itself (NODE FLAGS below), which checks them.',
  ].join('\n');
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --detach',
    '<%= config.bin %> <%= command.id %> --detach --storage fs --dir ./store --transport uds,http --port 7070 --capacity 2GiB',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    ...nodeFlags,
    socket: Flags.string({
      description: 'socket path (default $XDG_RUNTIME_DIR/packice/node.sock)',
      env: 'PACKICE_SOCKET',
    }),
    pidfile: Flags.string({ description: 'pidfile (default beside the socket)' }),
    detach: Flags.boolean({ description: 'run in the background; return once the node is listening' }),
    log: Flags.string({ description: 'log file with --detach (default beside the socket)' }),
  };

  async run(): Promise<Record<string, unknown>> {
    const { own, node } = splitArgs(this.argv);
    const { flags } = await this.parse(NodeStart, own);
    const socket = resolve(flags.socket ?? defaultSocketPath());
    const pidfile = resolve(flags.pidfile ?? defaultPidfile(socket));
    // A pidfile in the foreground too, so `packice node stop` works from another terminal.
    const args = [...node, '--socket', socket, '--pidfile', pidfile];
    mkdirSync(dirname(socket), { recursive: true, mode: 0o700 });
    if (!flags.detach) return this.#foreground(args);

    const logfile = resolve(flags.log ?? defaultLogfile(socket));
    const out = openSync(logfile, 'a');
    const child = spawn(process.execPath, [nodeAppMain(), ...args], {
      detached: true,
      stdio: ['ignore', out, out, 'ipc'],
    });
    closeSync(out);
    const report = await awaitReport(child);
    if (child.connected) child.disconnect();
    child.unref();
    if (report.type === 'failed')
      this.error(`${report.code}: ${report.message}`, { exit: 1, suggestions: [`see ${logfile}`] });
    const where = `${report.socket ? ` on ${report.socket}` : ''}${report.url ? ` at ${report.url}` : ''}`;
    this.log(`packice node ${report.pid} listening${where}`);
    if (report.tokenFile) this.log(`HTTP token in ${report.tokenFile} (your own tools find it by the URL)`);
    this.log(`log: ${logfile}; stop it with: packice node stop${flags.socket ? ` --socket ${socket}` : ''}`);
    return {
      pid: report.pid,
      socket: report.socket,
      url: report.url,
      storage: report.storage,
      pidfile,
      log: logfile,
      tokenFile: report.tokenFile ?? null,
    };
  }

  async #foreground(args: string[]): Promise<Record<string, unknown>> {
    const child = spawn(process.execPath, [nodeAppMain(), ...args], {
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    });
    const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const report = await awaitReport(child);
    if (child.connected) child.disconnect();
    const code = await exited;
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
    if (code) this.exit(code);
    return { pid: report.pid, exitCode: code ?? 0 };
  }
}
