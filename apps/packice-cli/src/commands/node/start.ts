import { Command, Flags } from '@oclif/core';
import { defaultSocketPath } from '@packice/transport-uds';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultLogfile, defaultPidfile, nodeAppMain } from '../../node-app';

const NODE_FLAGS = ['storage', 'impl', 'dir', 'transport', 'socket', 'host', 'port', 'capacity', 'default-ttl', 'token', 'allow-uid', 'log-level', 'config'] as const;

export default class NodeStart extends Command {
  static override description = 'Start a PackIce node: in the foreground, or with --detach in the background.';
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --detach',
    '<%= config.bin %> <%= command.id %> --impl fs --dir ./store --transport uds,http --port 7070 --capacity 2GiB',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    storage: Flags.string({ description: 'storage: mem (memfd) or fs', options: ['mem', 'fs'] }),
    impl: Flags.string({ description: 'alias of --storage', options: ['mem', 'fs'] }),
    dir: Flags.string({ description: 'directory of fs storage' }),
    transport: Flags.string({ description: 'uds, http, or uds,http' }),
    socket: Flags.string({ description: 'socket path (default $XDG_RUNTIME_DIR/packice/node.sock)' }),
    host: Flags.string({ description: 'HTTP address (default 127.0.0.1)' }),
    port: Flags.string({ description: 'HTTP port (default 7070; 0 picks one)' }),
    capacity: Flags.string({ description: 'capacity, e.g. 512MiB or 2GiB' }),
    'default-ttl': Flags.string({ description: 'lease TTL when a request names none, e.g. 30s, 5m' }),
    token: Flags.string({ description: 'HTTP bearer token', env: 'PACKICE_TOKEN' }),
    'allow-uid': Flags.string({ description: 'uids allowed on the socket, e.g. 1000,1001' }),
    'log-level': Flags.string({ description: 'fatal, error, warn, info, debug, trace or silent' }),
    config: Flags.string({ description: 'JSON config file' }),
    pidfile: Flags.string({ description: 'pidfile (default beside the socket)' }),
    detach: Flags.boolean({ description: 'run in the background; return once the node answers' }),
    log: Flags.string({ description: 'log file with --detach (default beside the socket)' }),
  };

  async run(): Promise<Record<string, unknown>> {
    const { flags } = await this.parse(NodeStart);
    const args: string[] = [];
    for (const name of NODE_FLAGS) if (flags[name] !== undefined) args.push(`--${name}`, String(flags[name]));
    const socket = resolve(flags.socket ?? defaultSocketPath());
    const pidfile = resolve(flags.pidfile ?? defaultPidfile(socket));
    if (!flags.detach) {
      // A pidfile in the foreground too, so `packice node stop` works from another terminal.
      if (flags.socket === undefined) args.push('--socket', socket);
      args.push('--pidfile', pidfile);
      const child = spawn(process.execPath, [nodeAppMain(), ...args], { stdio: 'inherit' });
      const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
      process.on('SIGINT', forward);
      process.on('SIGTERM', forward);
      const [code] = (await once(child, 'exit')) as [number | null];
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      if (code) this.exit(code);
      return { exitCode: code ?? 0 };
    }
    const logfile = resolve(flags.log ?? defaultLogfile(socket));
    mkdirSync(resolve(socket, '..'), { recursive: true, mode: 0o700 });
    const out = openSync(logfile, 'a');
    if (flags.socket === undefined) args.push('--socket', socket);
    const child = spawn(process.execPath, [nodeAppMain(), ...args, '--pidfile', pidfile], {
      detached: true,
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    let exited: number | null = null;
    child.once('exit', (code) => (exited = code ?? 1));
    const deadline = Date.now() + 15_000;
    for (;;) {
      const ready = readFileSync(logfile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          try {
            return JSON.parse(line) as { pid?: number; msg?: string; socket?: string | null; url?: string | null };
          } catch {
            return null;
          }
        })
        .find((record) => record?.pid === child.pid && record?.msg?.includes('listening'));
      if (ready) {
        child.unref();
        const result = { pid: child.pid, socket: ready.socket ?? null, url: ready.url ?? null, pidfile, log: logfile };
        this.log(`packice node ${child.pid} listening${result.socket ? ` on ${result.socket}` : ''}${result.url ? ` at ${result.url}` : ''}`);
        this.log(`log: ${logfile}; stop it with: packice node stop`);
        return result;
      }
      if (exited !== null || Date.now() > deadline) {
        const tail = readFileSync(logfile, 'utf8').split('\n').slice(-5).join('\n');
        if (exited === null) child.kill('SIGTERM');
        this.error(`the node did not start${exited !== null ? ` (exit ${exited})` : ' in 15 s'}:\n${tail}`, { exit: 1 });
      }
      await sleep(25);
    }
  }
}
