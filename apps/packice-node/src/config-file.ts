import { PackIceError } from '@packice/core';
import { readFileSync } from 'node:fs';
import type { NodeSettings } from './config';

/** Reads a JSON config file of settings (keys as the settings, e.g. `{"capacity": "1GiB"}`). `BAD_REQUEST`. */
export function readConfigFile(path: string): NodeSettings {
  let settings: unknown;
  try {
    settings = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new PackIceError('BAD_REQUEST', `config file ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings))
    throw new PackIceError('BAD_REQUEST', `config file ${path} must hold a JSON object`);
  return settings as NodeSettings;
}
