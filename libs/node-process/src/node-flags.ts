import { PackIceError } from '@packice/core';
import { parseArgs } from 'node:util';

/** The settings a node's flags and `PACKICE_*` variables set (the node app's `resolveConfig` checks them). */
export type NodeFlagSetting =
  | 'storage'
  | 'impl'
  | 'dir'
  | 's3Bucket'
  | 's3Endpoint'
  | 's3Region'
  | 's3Prefix'
  | 's3PathStyle'
  | 's3Cache'
  | 's3Checksums'
  | 'transport'
  | 'socket'
  | 'host'
  | 'port'
  | 'capacity'
  | 'smallObjects'
  | 'defaultTtl'
  | 'token'
  | 'noAuth'
  | 'allowPlainHttp'
  | 'tlsCert'
  | 'tlsKey'
  | 'tlsCa'
  | 'allowUid'
  | 'pidfile'
  | 'redis'
  | 'cluster'
  | 'nodeId'
  | 'metricsPort'
  | 'logLevel'
  | 'config';

/** Settings as flags and the environment give them: strings, unchecked. */
export type NodeFlagSettings = Partial<Record<NodeFlagSetting, string>>;

/** One flag of the node app. */
export interface NodeFlag {
  /** The setting it sets. */
  setting: NodeFlagSetting;
  description: string;
  /** The environment variable that sets it too, if any. */
  env?: string;
  /** A switch: present or not (its setting is then `"true"`), no value. */
  boolean?: true;
}

/**
 * The node app's flags: the one list. The node app parses its arguments and environment with it;
 * `packice node start` shows it in its help and passes every flag it does not own itself straight
 * to the node app, so the two cannot drift.
 */
export const NODE_FLAGS: Readonly<Record<string, NodeFlag>> = Object.freeze({
  storage: { setting: 'storage', description: 'storage: mem (memfd), fs or s3', env: 'PACKICE_STORAGE' },
  impl: { setting: 'impl', description: 'alias of --storage' },
  dir: { setting: 'dir', description: 'directory of fs storage', env: 'PACKICE_DIR' },
  's3-bucket': { setting: 's3Bucket', description: 's3 storage: the bucket', env: 'PACKICE_S3_BUCKET' },
  's3-endpoint': {
    setting: 's3Endpoint',
    description: 's3 storage: the S3 API URL (MinIO, Ceph, Garage, R2; default AWS)',
    env: 'PACKICE_S3_ENDPOINT',
  },
  's3-region': { setting: 's3Region', description: 's3 storage: the region (default AWS_REGION, else us-east-1)' },
  's3-prefix': {
    setting: 's3Prefix',
    description: 's3 storage: a key prefix for every object',
    env: 'PACKICE_S3_PREFIX',
  },
  's3-path-style': {
    setting: 's3PathStyle',
    description: 's3 storage: path-style URLs (most non-AWS servers)',
    boolean: true,
  },
  's3-cache': {
    setting: 's3Cache',
    description: 's3 storage: bound of the local read cache, e.g. 4GiB (default 1GiB)',
    env: 'PACKICE_S3_CACHE',
  },
  's3-checksums': {
    setting: 's3Checksums',
    description: 's3 storage: when-required (MinIO, Garage, Ceph, R2) or when-supported (the SDK default)',
  },
  transport: { setting: 'transport', description: 'uds, http, or uds,http', env: 'PACKICE_TRANSPORT' },
  socket: {
    setting: 'socket',
    description: 'socket path (default $XDG_RUNTIME_DIR/packice/node.sock)',
    env: 'PACKICE_SOCKET',
  },
  host: { setting: 'host', description: 'HTTP address (default 127.0.0.1)', env: 'PACKICE_HOST' },
  port: { setting: 'port', description: 'HTTP port (default 7070; 0 picks one)', env: 'PACKICE_PORT' },
  capacity: { setting: 'capacity', description: 'capacity, e.g. 512MiB or 2GiB', env: 'PACKICE_CAPACITY' },
  'small-objects': {
    setting: 'smallObjects',
    description: 'memory storage: keep objects up to this size in shared slabs, e.g. 16KiB (default 4KiB; 0: off)',
    env: 'PACKICE_SMALL_OBJECTS',
  },
  'default-ttl': {
    setting: 'defaultTtl',
    description: 'lease TTL when a request names none, e.g. 30s, 5m',
    env: 'PACKICE_DEFAULT_TTL',
  },
  token: {
    setting: 'token',
    description: 'HTTP bearer token, at least 8 characters (default: a generated one, in a 0600 file)',
    env: 'PACKICE_TOKEN',
  },
  'no-auth': {
    setting: 'noAuth',
    description: 'serve HTTP without a token (loopback addresses only; logs a warning)',
    boolean: true,
  },
  'allow-plain-http': {
    setting: 'allowPlainHttp',
    description: 'serve plain HTTP on an address beyond loopback (logs a warning; prefer --tls-cert)',
    boolean: true,
  },
  'tls-cert': { setting: 'tlsCert', description: 'serve HTTPS with this PEM certificate', env: 'PACKICE_TLS_CERT' },
  'tls-key': { setting: 'tlsKey', description: 'the PEM private key of --tls-cert', env: 'PACKICE_TLS_KEY' },
  'tls-ca': {
    setting: 'tlsCa',
    description: "PEM CA to trust for other nodes' HTTPS (and named for this node's clients)",
    env: 'PACKICE_CA',
  },
  'allow-uid': {
    setting: 'allowUid',
    description: 'uids allowed on the socket, e.g. 1000,1001 (default: this user and root)',
  },
  pidfile: { setting: 'pidfile', description: 'write the pid here while running' },
  redis: {
    setting: 'redis',
    description:
      "scale-out: share one object space with the nodes of this Redis (redis://host:port/db or unix:///path); with --storage fs every node shares the --dir; with mem, other nodes read over the owner node's HTTP",
    env: 'PACKICE_REDIS',
  },
  cluster: {
    setting: 'cluster',
    description: 'with --redis: the cluster name, a key prefix (default packice)',
    env: 'PACKICE_CLUSTER',
  },
  'node-id': {
    setting: 'nodeId',
    description: "with --redis: this node's name, shown on its leases (default host:pid)",
    env: 'PACKICE_NODE_ID',
  },
  'metrics-port': {
    setting: 'metricsPort',
    description: 'serve Prometheus metrics on 127.0.0.1:PORT/metrics (HTTP nodes also serve /metrics)',
    env: 'PACKICE_METRICS_PORT',
  },
  'log-level': {
    setting: 'logLevel',
    description: 'fatal, error, warn, info, debug, trace or silent',
    env: 'PACKICE_LOG_LEVEL',
  },
  config: {
    setting: 'config',
    description: 'JSON config file (keys as the settings, e.g. {"capacity": "1GiB"})',
    env: 'PACKICE_CONFIG',
  },
});

/** Parses the node app's arguments into settings; `help` when `--help` was asked. `BAD_REQUEST` for anything else. */
export function parseNodeArgs(argv: readonly string[]): { help: boolean; settings: NodeFlagSettings } {
  const options = Object.fromEntries(
    Object.entries(NODE_FLAGS).map(([name, flag]) => [
      name,
      { type: flag.boolean ? ('boolean' as const) : ('string' as const) },
    ]),
  );
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], strict: true, options: { ...options, help: { type: 'boolean' } } }));
  } catch (err) {
    throw new PackIceError('BAD_REQUEST', `${(err as Error).message}; see --help`, { cause: err });
  }
  const settings: NodeFlagSettings = {};
  for (const [name, flag] of Object.entries(NODE_FLAGS)) {
    const value = values[name];
    if (typeof value === 'string') settings[flag.setting] = value;
    else if (value === true && flag.boolean) settings[flag.setting] = 'true';
  }
  return { help: values.help === true, settings };
}

/** The `--help` text, from {@link NODE_FLAGS}. */
export function nodeHelp(): string {
  const width = Math.max(...Object.keys(NODE_FLAGS).map((n) => n.length)) + 4;
  const lines = Object.entries(NODE_FLAGS).map(
    ([name, flag]) => `  --${name.padEnd(width - 2)}${flag.description}${flag.env ? ` [env ${flag.env}]` : ''}`,
  );
  return [
    'Usage: packice-node [flags]   (or: packice node start [--detach] [flags])',
    '',
    'Runs a PackIce node. Later sources win: config file, then environment, then flags.',
    '',
    ...lines,
    `  --${'help'.padEnd(width - 2)}show this text`,
    '',
  ].join('\n');
}

/** Settings from `PACKICE_*` environment variables (those {@link NODE_FLAGS} name); empty ones are skipped. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): NodeFlagSettings {
  const settings: NodeFlagSettings = {};
  for (const { setting, env: name } of Object.values(NODE_FLAGS)) {
    const value = name === undefined ? undefined : env[name];
    if (value !== undefined && value !== '') settings[setting] = value;
  }
  return settings;
}
