/**
 * @packice/client: one API over every PackIce target. `connect(target)` gives a Client; its
 * `acquire()` gives Leases that read, write, map (zero-copy) and seal objects.
 */
export { Client } from './client';
export type { AcquireOptions } from './client';
export { connect } from './connect';
export type { ConnectOptions } from './connect';
export { Lease } from './lease';
export type { ReleaseOptions } from './lease';
export type { BlobFile } from './stream-blob-file';
