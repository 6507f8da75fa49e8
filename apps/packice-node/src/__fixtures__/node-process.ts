import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NodeReport } from '@packice/node-process';

/** The built node app (tests run real node processes, on dist). */
export const NODE_MAIN = join(__dirname, '../../dist/main.js');

/** A node app process started for a test. */
export interface NodeProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly report: Extract<NodeReport, { type: 'ready' }>;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
}

const started = new Set<ChildProcess>();

/** Node flags for one node on `socket` and on HTTP at a free port. */
export function bothBindings(socket: string): string[] {
  return ['--socket', socket, '--transport', 'uds,http', '--port', '0'];
}

/**
 * Starts the node app with `args` (logs silent unless `--log-level` is given); resolves once it
 * reports it listens, rejects with the node's code and message if it fails.
 */
export async function startNodeProcess(
  flags: string[],
  options: { shell?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<NodeProcess> {
  const args = flags.includes('--log-level') ? flags : [...flags, '--log-level', 'silent'];
  const spawnOptions = {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'] as ('ignore' | 'inherit' | 'ipc')[],
    env: { ...process.env, ...options.env },
  };
  const child = options.shell
    ? spawn(
        'sh',
        ['-c', `${options.shell} && exec "${process.execPath}" "${NODE_MAIN}" "$@"`, 'sh', ...args],
        spawnOptions,
      )
    : spawn(process.execPath, [NODE_MAIN, ...args], spawnOptions);
  started.add(child);
  child.once('exit', () => started.delete(child));
  const report = await new Promise<NodeReport>((resolve, reject) => {
    child.once('message', (message: NodeReport) => resolve(message));
    child.once('exit', (code, signal) => reject(new Error(`node exited (${code ?? signal}) before it was ready`)));
  });
  if (report.type !== 'ready') throw new Error(`node failed: ${report.code}: ${report.message}`);
  if (child.connected) child.disconnect();
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
  return {
    child,
    pid: child.pid as number,
    report,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Kills every node process a test left running (call from afterAll). */
export async function killNodeProcesses(): Promise<void> {
  await Promise.all(
    [...started].map(async (child) => {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }),
  );
}

const isSlab = (pid: number, fd: string): boolean => {
  try {
    return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('/memfd:packice:slab:');
  } catch {
    return false; // closed meanwhile
  }
};

/**
 * Descriptors a process has open, its small-object slabs apart: those are the node's own memory
 * (a size class keeps its last slab when empty), counted by {@link slabCount}.
 */
export function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).filter((fd) => !isSlab(pid, fd)).length;
}

/** Slab memfds a node holds (small objects, many to a descriptor). */
export function slabCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).filter((fd) => isSlab(pid, fd)).length;
}

/** Resident memory of a process, in bytes. */
export function rssBytes(pid: number): number {
  const pages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
  return pages * 4096;
}

/** Resident memory of a process outside shared memory (`RssAnon`: its heap, stacks, code), in bytes. */
export function anonBytes(pid: number): number {
  const kib = /^RssAnon:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(kib?.[1] ?? 0) * 1024;
}

/** Polls `probe` until it returns something other than `null`, or fails after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | null> | T | null,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** How many times longer the suites run: `PACKICE_SOAK=10 npx nx test @packice/node-app` soaks by hand. */
export const SOAK = Math.max(1, Number(process.env.PACKICE_SOAK ?? 1) || 1);
