import { isPackIceError } from '@packice/core';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { resolveConfig, type NodeSettings } from './config';
import { createNode } from './create-node';

/** The `packice-node` executable: flags, environment and config file -> a running node. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      storage: { type: 'string' },
      impl: { type: 'string' },
      dir: { type: 'string' },
      transport: { type: 'string' },
      socket: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      capacity: { type: 'string' },
      'default-ttl': { type: 'string' },
      token: { type: 'string' },
      'allow-uid': { type: 'string' },
      pidfile: { type: 'string' },
      'log-level': { type: 'string' },
      config: { type: 'string' },
    },
  });
  const flags: NodeSettings = {
    ...values,
    defaultTtl: values['default-ttl'],
    allowUid: values['allow-uid'],
    logLevel: values['log-level'],
  };
  delete (flags as Record<string, unknown>)['default-ttl'];
  delete (flags as Record<string, unknown>)['allow-uid'];
  delete (flags as Record<string, unknown>)['log-level'];
  const config = resolveConfig(flags);
  const log = pino({ level: config.logLevel, base: { pid: process.pid } });
  const node = createNode(config);
  await node.start();
  log.info(
    { socket: node.socket, url: node.url, storage: config.storage, capacity: config.capacityBytes },
    `packice node listening${node.socket ? ` on ${node.socket}` : ''}${node.url ? ` at ${node.url}` : ''}`,
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      log.info({ signal }, 'shutting down');
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void node.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  log.info('stopped');
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      const code = isPackIceError(err) ? err.code : ((err as { code?: string }).code ?? 'ERROR');
      process.stderr.write(`packice node: ${code}: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
