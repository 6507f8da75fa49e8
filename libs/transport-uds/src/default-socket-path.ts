import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where a node listens by default, and where clients look for it: `$XDG_RUNTIME_DIR/packice/node.sock`,
 * else `<temp dir>/packice-<uid>/node.sock` (a per-user directory, made 0700 by the node).
 */
export function defaultSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  const runtime = env.XDG_RUNTIME_DIR;
  const base = runtime ? join(runtime, 'packice') : join(tmpdir(), `packice-${process.getuid?.() ?? 'user'}`);
  return join(base, 'node.sock');
}
