import { dirname, join } from 'node:path';

/**
 * The node app's executable. The CLI runs a node as a process of its own, never in-process: only
 * the executable's path is resolved here (the one import of the node app that eslint.config.cjs
 * allows), no code of the node app is loaded.
 */
export function nodeAppMain(): string {
  return join(dirname(require.resolve('@packice/node-app/package.json')), 'dist', 'main.js');
}
