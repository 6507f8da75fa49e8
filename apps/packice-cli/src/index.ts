/**
 * The `packice` CLI (oclif). The commands live in src/commands (the file path is the command id);
 * this entry exports the base command and helpers they share.
 */
export { expiresIn, formatBytes, NodeCommand, table } from './node-command';
export { nodeAppMain } from './node-app';
