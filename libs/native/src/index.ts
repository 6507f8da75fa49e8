/**
 * @packice/native: memfd, seals, mmap and SCM_RIGHTS through koffi (issue 4). Only the package exists so far: it is linked into the
 * workspace and resolvable through its exports map; nothing else is exported yet.
 */
export const packageName = '@packice/native';
