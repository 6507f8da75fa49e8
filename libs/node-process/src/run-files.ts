import { basename, dirname, join } from 'node:path';

// Named after the socket (`a.sock` -> `a.pid`, `a.log`), so nodes whose sockets share a directory
// do not share a pidfile.
const besideSocket = (socket: string, extension: string): string =>
  join(dirname(socket), `${basename(socket, '.sock')}${extension}`);

/** `<socket name>.pid` beside the socket: `node.pid` for the default `node.sock`. */
export const defaultPidfile = (socket: string): string => besideSocket(socket, '.pid');

/** `<socket name>.log` beside the socket: `node.log` for the default `node.sock`. */
export const defaultLogfile = (socket: string): string => besideSocket(socket, '.log');
