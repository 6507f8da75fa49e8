/**
 * The PackIce node app: configuration (flags, `PACKICE_*` environment, JSON file) assembled into a
 * Peer with its storage and transports. The executable is `dist/main.js`.
 */
export { nodeDefaults, resolveConfig, settingsFromEnv } from './config';
export type { NodeConfig, NodeSettings } from './config';
export { createNode } from './create-node';
export type { PackIceNode } from './create-node';
export { NODE_FLAGS, nodeHelp, parseNodeArgs } from './flags';
export type { NodeFlag } from './flags';
export { main } from './main';
export type { NodeReport } from './ready-report';
export { parseDuration, parseSize } from './units';
