/**
 * @packice/transport-http: the HTTP binding (issue 6). Only the package exists so far: it is linked into the
 * workspace and resolvable through its exports map; nothing else is exported yet.
 */
export const packageName = '@packice/transport-http';
