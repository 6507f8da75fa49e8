import { runtimeDirectory } from '@packice/core';
import { join } from 'node:path';

/**
 * Where a node listens by default, and where clients look for it: `node.sock` in the user's
 * runtime directory (`$XDG_RUNTIME_DIR/packice/node.sock`, else `<temp dir>/packice-<uid>/node.sock`,
 * made 0700 by the node).
 */
export function defaultSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(runtimeDirectory(env), 'node.sock');
}
