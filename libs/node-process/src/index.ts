/**
 * @packice/node-process: what the `packice` CLI and the node app share about a node process:
 * the node's flag table (parsed by the node, shown and passed on by `packice node start`), the
 * report a node sends its parent when it is ready, its pidfile (written and locked by the node,
 * read by the CLI) and the run files beside its socket.
 */
export { NODE_FLAGS, nodeHelp, parseNodeArgs, settingsFromEnv } from './node-flags';
export type { NodeFlag, NodeFlagSetting, NodeFlagSettings } from './node-flags';
export type { NodeReport } from './node-report';
export { acquirePidfile, heldPidfile } from './pidfile';
export type { Pidfile } from './pidfile';
export { defaultLogfile, defaultPidfile } from './run-files';
