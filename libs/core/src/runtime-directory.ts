import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The per-user directory of PackIce's runtime files (the default socket, the records of running
 * nodes): `$XDG_RUNTIME_DIR/packice`, else `<temp dir>/packice-<uid>`. Whoever creates it makes it 0700.
 */
export function runtimeDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const runtime = env.XDG_RUNTIME_DIR;
  return runtime ? join(runtime, 'packice') : join(tmpdir(), `packice-${process.getuid?.() ?? 'user'}`);
}
