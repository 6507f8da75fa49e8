// Prints what this process has open, as {fd: target}: a child spawned by a client must inherit
// none of the client's PackIce descriptors.
const { readdirSync, readlinkSync } = require('node:fs');
const open = {};
for (const fd of readdirSync('/proc/self/fd')) {
  try {
    open[fd] = readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    // the directory's own descriptor, gone by now
  }
}
process.stdout.write(JSON.stringify(open));
