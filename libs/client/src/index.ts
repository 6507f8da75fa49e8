/**
 * @packice/client: one API over every PackIce target. `connect(target)` gives a Client; its
 * `acquire()` gives Leases that read, write, map (zero-copy) and seal objects.
 */
export { Client } from './client';
export type { AcquireOptions } from './client';
export type { AcquiredLease, BlobAccess, ClientTransport } from './client-transport';
export { connect } from './connect';
export { defaultSocketPath } from './default-socket';
export type { ConnectOptions } from './connect';
export { createDirectTransport } from './direct-transport';
export { Lease } from './lease';
export { StreamBlobFile } from './stream-blob-file';
export type { BlobFile, BlobStreams } from './stream-blob-file';
