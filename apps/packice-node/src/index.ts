/**
 * The PackIce node app: configuration (flags, `PACKICE_*` environment, JSON file) assembled into a
 * Peer with its storage and transports. The executable is `dist/main.js`.
 */
export { nodeDefaults, resolveConfig } from './config';
export type { NodeConfig, NodeSettings } from './config';
export { createNode } from './create-node';
export type { PackIceNode } from './create-node';
export { gatherSettings, main } from './main';
export { parseDuration, parseSize } from './units';
