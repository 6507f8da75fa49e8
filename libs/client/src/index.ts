/**
 * @packice/client: connect() and the Lease wrapper (issue 7). Only the package exists so far: it is linked into the
 * workspace and resolvable through its exports map; nothing else is exported yet.
 */
export const packageName = '@packice/client';
