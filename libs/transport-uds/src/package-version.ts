import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** This package's version, as `hello` reports it (read at run time: src and dist sit beside package.json). */
export const packageVersion: string = (
  JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version;
