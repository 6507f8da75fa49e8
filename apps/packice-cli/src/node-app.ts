import { defaultSocketPath } from '@packice/transport-uds';
import { basename, dirname, join } from 'node:path';

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

// Named after the socket (`a.sock` -> `a.pid`, `a.log`), so nodes whose sockets share a directory
// do not share a pidfile.
const besideSocket = (socket: string | undefined, extension: string): string => {
  const path = socket ?? defaultSocketPath();
  return join(dirname(path), `${basename(path, '.sock')}${extension}`);
};

/** `<socket name>.pid` beside the socket: `node.pid` for the default `node.sock`. */
export const defaultPidfile = (socket?: string): string => besideSocket(socket, '.pid');
/** `<socket name>.log` beside the socket: `node.log` for the default `node.sock`. */
export const defaultLogfile = (socket?: string): string => besideSocket(socket, '.log');
