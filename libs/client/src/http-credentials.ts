import { PackIceError } from '@packice/core';
import { findNodeCredentials } from '@packice/transport-http';
import { readFileSync } from 'node:fs';

/** The token and CA for an HTTP target: given, else from the environment, else the node's record. */
export function httpCredentials(
  target: string,
  options: { token?: string; ca?: string | Buffer } = {},
): { token?: string; ca?: string | Buffer } {
  const env = process.env;
  let ca = options.ca;
  if (ca === undefined && env.PACKICE_CA) {
    try {
      ca = readFileSync(env.PACKICE_CA);
    } catch (err) {
      throw new PackIceError('BAD_REQUEST', `PACKICE_CA names no readable file: ${env.PACKICE_CA}`, { cause: err });
    }
  }
  const token = options.token ?? (env.PACKICE_TOKEN || undefined);
  if (token !== undefined && ca !== undefined) return { token, ca };
  const found = findNodeCredentials(target, env);
  return { token: token ?? found?.token, ca: ca ?? found?.ca };
}
