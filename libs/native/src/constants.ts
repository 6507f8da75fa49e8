/** Linux constants (x86_64 and aarch64 agree on these). */
export const MFD_CLOEXEC = 0x1;
export const MFD_ALLOW_SEALING = 0x2;
export const F_DUPFD_CLOEXEC = 1030;
export const F_ADD_SEALS = 1033;
export const F_GET_SEALS = 1034;
export const F_SEAL_SEAL = 0x1;
export const F_SEAL_SHRINK = 0x2;
export const F_SEAL_GROW = 0x4;
export const F_SEAL_WRITE = 0x8;
/** The seals that make a memfd's bytes immutable. */
export const F_SEAL_IMMUTABLE = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
export const PROT_READ = 0x1;
export const PROT_WRITE = 0x2;
export const MAP_SHARED = 0x1;
export const MAP_FIXED = 0x10;
export const MAP_POPULATE = 0x8000;
