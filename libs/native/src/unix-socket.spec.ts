import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { closeSync, mkdtempSync, readdirSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memfdCreate } from './memfd';
import { watchFd } from './fd-watcher';
import { MESSAGE_CHUNK_BYTES, receiveMessage, sendMessage, type ReceivedMessage } from './socket-messages';
import { sendText, TEXT_MESSAGE_MAX_CHARS } from './socket-messages';
import { acceptConnection, connectUnix, listenUnix, peerCredentials } from './unix-socket';

const dir = mkdtempSync(join(tmpdir(), 'packice-native-sock-'));
const opened: number[] = [];
const track = (fd: number): number => (opened.push(fd), fd);

afterEach(() => {
  for (const fd of opened.splice(0)) {
    try {
      closeSync(fd);
    } catch {
      // closed by the test
    }
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pair(name: string): { server: number; client: number; listener: number } {
  const path = join(dir, name);
  const listener = track(listenUnix(path));
  const client = track(connectUnix(path));
  const server = track(acceptConnection(listener) as number);
  return { server, client, listener };
}

async function receive(fd: number): Promise<ReceivedMessage> {
  return new Promise((resolve, reject) => {
    const watcher = watchFd(fd, { readable: true }, (_ev, error) => {
      watcher.close();
      if (error) return reject(error);
      const got = receiveMessage(fd);
      if (got) resolve(got);
      else reject(new Error('readable, yet nothing to receive'));
    });
  });
}

describe('unix sockets', () => {
  it('connects, accepts, and knows the peer credentials', () => {
    const { server, listener } = pair('creds.sock');
    expect(peerCredentials(server)).toEqual({ pid: process.pid, uid: process.getuid?.(), gid: process.getgid?.() });
    expect(acceptConnection(listener)).toBeNull();
  });

  it('refuses a path that exists, a path too long, and a socket nobody listens on', () => {
    pair('busy.sock');
    expect(() => listenUnix(join(dir, 'busy.sock'))).toThrow(expect.objectContaining({ code: 'EADDRINUSE' }));
    expect(() => listenUnix(join(dir, 'x'.repeat(120)))).toThrow(expect.objectContaining({ code: 'ENAMETOOLONG' }));
    expect(() => connectUnix(join(dir, 'missing.sock'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('passes descriptors with SCM_RIGHTS: the receiver gets its own, working copies', async () => {
    const { server, client } = pair('fds.sock');
    const a = track(memfdCreate('a'));
    const b = track(memfdCreate('b'));
    writeSync(a, 'first');
    writeSync(b, 'second');
    expect(sendMessage(server, Buffer.from('{"fds":2}\n'), 0, [a, b])).toBe(10);
    const got = await receive(client);
    got.fds.forEach(track);
    expect(got.data.toString()).toBe('{"fds":2}\n');
    expect(got.fds).toHaveLength(2);
    expect(got.fds).not.toContain(a);
    const text = (fd: number): string => {
      const buf = Buffer.alloc(6);
      return buf.subarray(0, readSync(fd, buf, 0, 6, 0)).toString();
    };
    expect(got.fds.map(text)).toEqual(['first', 'second']);
  });

  it('reports the end of the stream and EAGAIN as null', async () => {
    const { server, client } = pair('end.sock');
    expect(receiveMessage(client)).toBeNull();
    closeSync(server);
    const got = await receive(client);
    expect(got).toEqual({ data: Buffer.alloc(0), fds: [], end: true });
  });

  it('sends in chunks and returns null once the socket buffer is full', () => {
    const { client } = pair('full.sock');
    const big = Buffer.alloc(4 * MESSAGE_CHUNK_BYTES, 1);
    let sent = 0;
    for (;;) {
      const result = sendMessage(client, big, sent % big.length);
      if (result === null) break;
      sent += result;
    }
    expect(sent).toBeGreaterThan(0);
    expect(sendMessage(client, big)).toBeNull();
  });

  it('sends text as UTF-8 straight from the string, with descriptors, and tells a partial send', async () => {
    const { server, client } = pair('text.sock');
    const memfd = track(memfdCreate('t'));
    expect(sendText(server, '{"é":"ü"}\n', [memfd])).toEqual({ sent: 12, bytes: 12 });
    const got = await receive(client);
    got.fds.forEach(track);
    expect(got.data.toString('utf8')).toBe('{"é":"ü"}\n');
    expect(got.fds).toHaveLength(1);
    // Larger than the socket's send buffer (wmem_default, 208 KiB unless tuned): it goes in part.
    const text = '€'.repeat(TEXT_MESSAGE_MAX_CHARS);
    const result = sendText(server, text);
    expect(result?.bytes).toBe(3 * TEXT_MESSAGE_MAX_CHARS);
    expect(result?.sent).toBeGreaterThan(0);
    expect(result?.sent).toBeLessThanOrEqual(3 * TEXT_MESSAGE_MAX_CHARS);
    const arrived: Buffer[] = [];
    for (let got = receiveMessage(client); got !== null; got = receiveMessage(client)) arrived.push(got.data);
    expect(Buffer.concat(arrived)).toEqual(Buffer.from(text).subarray(0, result?.sent));
  });

  it('refuses empty or over-long text and a full socket answers null', () => {
    const { client } = pair('text-bad.sock');
    expect(() => sendText(client, '')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => sendText(client, 'x'.repeat(TEXT_MESSAGE_MAX_CHARS + 1))).toThrow(
      expect.objectContaining({ code: 'EINVAL' }),
    );
    const big = Buffer.alloc(MESSAGE_CHUNK_BYTES, 1);
    for (let n = sendMessage(client, big); n !== null; n = sendMessage(client, big));
    expect(sendText(client, 'late\n')).toBeNull();
  });

  it('throws EPIPE, not SIGPIPE, when the peer is gone', () => {
    const { server, client } = pair('pipe.sock');
    closeSync(server);
    expect(() => sendMessage(client, Buffer.from('x'))).toThrow(expect.objectContaining({ code: 'EPIPE' }));
  });

  it('does not leak descriptors over many messages', async () => {
    const { server, client } = pair('leak.sock');
    const memfd = track(memfdCreate('leak'));
    const before = readdirSync('/proc/self/fd').length;
    for (let i = 0; i < 200; i++) {
      sendMessage(server, Buffer.from('m'), 0, [memfd]);
      const got = await receive(client);
      got.fds.forEach((fd) => closeSync(fd));
    }
    expect(readdirSync('/proc/self/fd').length).toBe(before);
  });
});
