import { defaultSocketPath } from '@packice/transport-uds';
import { dirname, join } from 'node:path';

/** The node app's executable (the CLI runs the node as its own process, never in-process). */
export function nodeAppMain(): string {
  // DESIGN: "The CLI manages node processes (spawns the node app)": only the executable's path is
  // resolved here, no code of the node app is imported.
  // eslint-disable-next-line @nx/enforce-module-boundaries
  return join(dirname(require.resolve('@packice/node-app/package.json')), 'dist', 'main.js');
}

/** Where `node start --detach` keeps its pidfile and log by default: beside the default socket. */
export function defaultRunDir(socket?: string): string {
  return dirname(socket ?? defaultSocketPath());
}

export const defaultPidfile = (socket?: string): string => join(defaultRunDir(socket), 'node.pid');
export const defaultLogfile = (socket?: string): string => join(defaultRunDir(socket), 'node.log');
