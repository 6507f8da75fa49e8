import { PackIceError, runtimeDirectory } from '@packice/core';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a node with HTTP records about itself in the user's runtime directory (`node-<pid>.json`,
 * 0600), so that its own user's tools find its token from its URL alone, as Jupyter's
 * `jpserver-<pid>.json` does. Removed when the node stops.
 */
export interface NodeRecord {
  pid: number;
  /** The node's HTTP base URLs, e.g. `http://127.0.0.1:7070`. */
  urls: string[];
  /** The 0600 file holding the node's bearer token; `null` for a node without one (`--no-auth`). */
  token_file: string | null;
  /** The node's socket, when it serves UDS too. */
  socket: string | null;
  /** A PEM file of the CA that signed the node's certificate, when it serves HTTPS and one is known. */
  ca: string | null;
}

/** What a client needs from a node's record to reach it: its token and CA, when known. */
export interface NodeCredentials {
  token?: string;
  /** PEM text of the CA. */
  ca?: string;
  /** The record it came from. */
  record: string;
}

const RECORD = /^node-(\d+)\.json$/;

/** A new bearer token: 256 random bits, base64url. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Writes `content` to `path` with mode 0600, whole or not at all (a temp file renamed into place). */
function writePrivate(path: string, content: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, content, { mode: 0o600, flag: 'w' });
  renameSync(temp, path);
}

/**
 * Writes a node's token to `node-<pid>.token` in `dir` (made 0700 if missing), mode 0600.
 * Returns the file's path.
 */
export function writeTokenFile(dir: string, token: string, pid = process.pid): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `node-${pid}.token`);
  writePrivate(path, `${token}\n`);
  return path;
}

/**
 * Records a node in the runtime directory; returns the record's path. Records that nodes killed
 * before they could remove them left behind (their process is gone) are removed first, with
 * their token files.
 */
export function writeNodeRecord(record: NodeRecord, env: NodeJS.ProcessEnv = process.env): string {
  const dir = runtimeDirectory(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  sweepStaleRecords(dir);
  const path = join(dir, `node-${record.pid}.json`);
  writePrivate(path, `${JSON.stringify(record, null, 2)}\n`);
  return path;
}

/** Removes a file this node wrote (a record or a token file); a missing one is fine. */
export function removeNodeFile(path: string): void {
  rmSync(path, { force: true });
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const WILDCARD = new Set(['0.0.0.0', '[::]']);

/** Whether a record URL names the node `target` reaches (loopback names and wildcard binds match). */
function sameNode(recorded: URL, target: URL): boolean {
  if (recorded.protocol !== target.protocol || recorded.port !== target.port) return false;
  if (recorded.hostname === target.hostname) return true;
  if (WILDCARD.has(recorded.hostname)) return true;
  return LOOPBACK.has(recorded.hostname) && LOOPBACK.has(target.hostname);
}

function sweepStaleRecords(dir: string): void {
  for (const name of readdirSync(dir)) {
    const pid = Number(RECORD.exec(name)?.[1] ?? NaN);
    if (!Number.isSafeInteger(pid) || alive(pid)) continue;
    const path = join(dir, name);
    try {
      const { token_file: tokenFile } = JSON.parse(readFileSync(path, 'utf8')) as Partial<NodeRecord>;
      if (typeof tokenFile === 'string' && tokenFile.endsWith(`node-${pid}.token`)) removeNodeFile(tokenFile);
    } catch {
      // unreadable or half-written: the record goes anyway
    }
    removeNodeFile(path);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The record of the running node that `target` (an `http(s)://` URL or a socket path) reaches,
 * among those this user can read in the runtime directory; `null` when none. Records of dead
 * processes are skipped.
 */
export function findNodeRecord(
  target: string,
  env: NodeJS.ProcessEnv = process.env,
): { path: string; record: NodeRecord } | null {
  const url = /^https?:\/\//.test(target) && URL.canParse(target) ? new URL(target) : null;
  const dir = runtimeDirectory(env);
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => RECORD.test(name));
  } catch {
    return null;
  }
  for (const name of names) {
    const path = join(dir, name);
    let record: NodeRecord;
    try {
      record = JSON.parse(readFileSync(path, 'utf8')) as NodeRecord;
    } catch {
      continue;
    }
    if (!Array.isArray(record.urls) || !alive(record.pid)) continue;
    const matches = url
      ? record.urls.some((u) => URL.canParse(u) && sameNode(new URL(u), url))
      : record.socket !== null && record.socket === target;
    if (matches) return { path, record };
  }
  return null;
}

/**
 * The token (and CA) of the running node at `url`, from its record (see {@link findNodeRecord});
 * `null` when there is none or this user cannot read what it names.
 */
export function findNodeCredentials(url: string, env: NodeJS.ProcessEnv = process.env): NodeCredentials | null {
  if (!URL.canParse(url)) throw new PackIceError('BAD_REQUEST', `not a URL: ${url}`);
  const found = findNodeRecord(url, env);
  if (!found) return null;
  const { record, path } = found;
  try {
    const token = record.token_file ? readFileSync(record.token_file, 'utf8').trim() : undefined;
    const ca = record.ca ? readFileSync(record.ca, 'utf8') : undefined;
    return { token, ca, record: path };
  } catch {
    return null;
  }
}
