import { isPackIceError } from '@packice/core';
import { raiseFileLimit } from '@packice/native';
import { nodeHelp, parseNodeArgs, settingsFromEnv, type NodeFlagSettings } from '@packice/node-process';
import pino from 'pino';
import { redactUrl, resolveConfig, type NodeConfig, type NodeSettings } from './config';
import { isLoopbackHost } from './setting-parsers';
import { readConfigFile } from './config-file';
import { createNode } from './create-node';
import { failedReport, reportToParent } from './ready-report';
import { setFlagsFromString } from 'node:v8';

// A node may hold 100,000s of small objects: V8 then grows its heap to about three times what is
// live before it collects. Sized for memory, the heap stays near what the objects need (measured:
// 100,000 1 KiB objects, then half replaced, 98 -> 116 MiB outside shared memory instead of
// 190 -> 305 MiB); request rates stayed within run-to-run noise.
setFlagsFromString('--optimize-for-size');

/**
 * The settings of a node from its three sources, later ones winning: the JSON config file
 * (`--config` or `PACKICE_CONFIG`), then `PACKICE_*` variables, then flags.
 */
export function gatherSettings(flags: NodeFlagSettings, env: NodeJS.ProcessEnv = process.env): NodeSettings {
  const fromEnv = settingsFromEnv(env);
  const file = flags.config ?? fromEnv.config;
  return { ...(file === undefined ? {} : readConfigFile(file)), ...fromEnv, ...flags };
}

/** What an operator should hear at start about choices that weaken the HTTP binding. */
function securityWarnings(config: NodeConfig): string[] {
  if (!config.transports.includes('http')) return [];
  const warnings: string[] = [];
  if (config.noAuth)
    warnings.push(
      `HTTP without a token (--no-auth): every local user who can reach ${config.host} may use every object`,
    );
  if (config.tls === null && !isLoopbackHost(config.host))
    warnings.push(`plain HTTP on ${config.host} (--allow-plain-http): the token and every object travel in clear`);
  return warnings;
}

/** The `packice-node` executable: flags, environment and config file -> a running node. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  const { help, settings } = parseNodeArgs(argv);
  if (help) {
    process.stdout.write(nodeHelp());
    return 0;
  }
  const config = resolveConfig(gatherSettings(settings));
  const log = pino({ level: config.logLevel, base: { pid: process.pid } });
  // Each object holds a descriptor: take all the system lets this process have.
  const fds = raiseFileLimit();
  const node = createNode(config);
  await node.start();
  log.info(
    {
      socket: node.socket,
      url: node.url,
      metrics: node.metricsUrl,
      storage: config.storage,
      capacity: config.capacityBytes,
      fdsLimit: fds.soft,
      ...(config.redis ? { redis: redactUrl(config.redis), cluster: config.cluster, nodeId: config.nodeId } : {}),
    },
    `packice node listening${node.socket ? ` on ${node.socket}` : ''}${node.url ? ` at ${node.url}` : ''}`,
  );
  for (const warning of securityWarnings(config)) log.warn(warning);
  // Signal handlers before the ready report: a parent may send SIGTERM the moment it hears it.
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      log.info({ signal }, 'shutting down');
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void node.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await reportToParent({
    type: 'ready',
    pid: process.pid,
    socket: node.socket,
    url: node.url,
    storage: config.storage,
    pidfile: config.pidfile,
    metrics: node.metricsUrl,
    tokenFile: node.tokenFile,
    record: node.record,
  });
  await stopped;
  log.info('stopped');
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    async (err: unknown) => {
      const error = err instanceof Error ? err : new Error(String(err));
      const code = isPackIceError(err) ? err.code : ((err as { code?: string }).code ?? 'ERROR');
      process.stderr.write(`packice node: ${code}: ${error.message}\n`);
      await reportToParent(failedReport(error));
      process.exit(1);
    },
  );
}
