/**
 * @packice/transport-uds: the UDS binding (issue 5). Only the package exists so far: it is linked into the
 * workspace and resolvable through its exports map; nothing else is exported yet.
 */
export const packageName = '@packice/transport-uds';
