import type { Peer } from '@packice/core';
import { createPeer, PackIceError } from '@packice/core';
import { createMemStorage } from '@packice/storage-mem';
import { createHttpClientTransport, HttpTransport } from '@packice/transport-http';
import { connectUds, createUdsClientTransport } from '@packice/transport-uds';
import { Client } from './client';
import { createDirectTransport } from './direct-transport';
import { httpCredentials } from './http-credentials';

/** Options of {@link connect}. */
export interface ConnectOptions {
  /**
   * HTTP bearer token. Default `PACKICE_TOKEN`, else the token of the node's runtime record when
   * this user can read it (a node with HTTP records itself in the user's runtime directory).
   */
  token?: string;
  /**
   * PEM text of the CA to trust for an `https://` node. Default: the file `PACKICE_CA` names, else
   * the CA the node's runtime record names, else the platform's CAs.
   */
  ca?: string | Buffer;
  /** How long to try reaching a node. */
  timeoutMs?: number;
  /** Capacity of a private or new `memory://` peer, in bytes. */
  capacityBytes?: number;
}

interface SharedPeer {
  peer: Peer;
  clients: number;
}

const shared = new Map<string, SharedPeer>();

function memoryPeer(capacityBytes: number | undefined): Peer {
  return createPeer({
    storage: createMemStorage(),
    capacityBytes: capacityBytes ?? null,
  });
}

function isPeer(value: unknown): value is Peer {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Peer).acquire === 'function' &&
    typeof (value as Peer).seal === 'function'
  );
}

/**
 * Connects to a PackIce peer:
 * - `connect()`: a private in-process peer (memory storage), closed with the client;
 * - `connect('memory://name')`: an in-process peer shared by every client of this process that
 *   uses the same name; it lives while any of them is open;
 * - `connect('/path/node.sock')` or `connect('unix:///path/node.sock')`: a node over UDS;
 * - `connect('http://host:port', { token })` or `https://` (with `ca`): a node over HTTP; without a
 *   token, `PACKICE_TOKEN` or the node's runtime record gives it;
 * - `connect(peer)`: a Peer object, directly.
 * Unknown targets are `BAD_REQUEST`; nodes that cannot be reached are `UNAVAILABLE`.
 */
export async function connect(target?: string | Peer, options: ConnectOptions = {}): Promise<Client> {
  if (target === undefined) {
    const peer = memoryPeer(options.capacityBytes);
    return new Client(createDirectTransport(peer, () => peer.close()));
  }
  if (isPeer(target)) return new Client(createDirectTransport(target));
  if (typeof target !== 'string') throw new PackIceError('BAD_REQUEST', 'connect() takes a target string or a Peer');
  if (target.startsWith('memory://')) {
    const name = target.slice('memory://'.length);
    let entry = shared.get(name);
    if (!entry) shared.set(name, (entry = { peer: memoryPeer(options.capacityBytes), clients: 0 }));
    entry.clients++;
    const held = entry;
    return new Client(
      createDirectTransport(held.peer, async () => {
        if (--held.clients > 0) return;
        shared.delete(name);
        await held.peer.close();
      }),
    );
  }
  if (target.startsWith('http://') || target.startsWith('https://')) {
    const http = new HttpTransport(target, httpCredentials(target, options));
    const signal = AbortSignal.timeout(options.timeoutMs ?? 5_000);
    await http.request('health', {}, { signal }).catch((err: unknown) => {
      throw (err as { name?: string }).name === 'TimeoutError'
        ? new PackIceError('UNAVAILABLE', `no answer from ${target} in time`, { cause: err })
        : err;
    });
    return new Client(createHttpClientTransport(http));
  }
  const path = target.startsWith('unix://') ? target.slice('unix://'.length) : target;
  if (path.startsWith('/') || path.startsWith('./') || path.startsWith('../')) {
    const transport = createUdsClientTransport(await connectUds(path, { timeoutMs: options.timeoutMs }));
    // One round trip: the node's features decide how small puts and reads travel.
    await transport.ready;
    return new Client(transport);
  }
  throw new PackIceError(
    'BAD_REQUEST',
    `unknown target ${JSON.stringify(target)}: use memory://name, http://host:port, unix:///path/node.sock or /path/node.sock`,
  );
}
