// Benchmark: MemBlob create + write + seal, and reading a sealed object back (mapping vs copy),
// next to a plain fs.writeSync into a memfd. Runs on the built libs: `npm run bench`.
// Prints medians in ms and GiB/s. Nothing here is asserted: numbers go into notes and README.
const { closeSync, writeSync, readSync } = require('node:fs');
const { createMemStorage } = require('@packice/storage-mem');
const { freezeMapping, mapFd, memfdCreate, reopenReadOnly } = require('@packice/native');

const MiB = 1 << 20;
const sizes = [
  { label: '1 MiB', bytes: MiB, runs: 21 },
  { label: '64 MiB', bytes: 64 * MiB, runs: 9 },
  { label: '1 GiB', bytes: 1024 * MiB, runs: 3 },
];

const now = () => Number(process.hrtime.bigint()) / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const gibps = (bytes, ms) => (bytes / 2 ** 30 / (ms / 1000)).toFixed(2);
const gc = typeof global.gc === 'function' ? global.gc : () => undefined;

function touchPages(buf) {
  let sum = 0;
  for (let i = 0; i < buf.length; i += 4096) sum += buf[i];
  return sum;
}

async function main() {
  const storage = createMemStorage();
  const rows = [];
  for (const { label, bytes, runs } of sizes) {
    const src = Buffer.alloc(bytes, 0x5a);
    const t = { plain: [], blobWrite: [], blobMap: [], readCopy: [], mapOnly: [], mapTouch: [] };
    for (let r = 0; r < runs; r++) {
      // Baseline: memfd_create + fs.writeSync, no preallocation, no seal.
      let start = now();
      const fd = memfdCreate('bench-plain');
      for (let done = 0; done < bytes;) done += writeSync(fd, src, done, bytes - done, done);
      t.plain.push(now() - start);
      closeSync(fd);

      // MemBlob: fallocate the hint, blob.write (pwrite), kernel seal.
      start = now();
      let [blob] = await storage.createBlobs(`w${r}`, [bytes]);
      await blob.write(src, 0);
      await blob.seal();
      t.blobWrite.push(now() - start);
      await storage.remove(`w${r}`, [blob]);

      // MemBlob written through a writable mapping (the client's mapWritable path), frozen, sealed.
      start = now();
      [blob] = await storage.createBlobs(`m${r}`, [bytes]);
      const createFd = blob.handle('create').fd;
      const view = mapFd(createFd, bytes, { mode: 'write' });
      src.copy(view);
      const ro = reopenReadOnly(createFd);
      freezeMapping(view, ro);
      closeSync(ro);
      await blob.seal();
      t.blobMap.push(now() - start);

      // Reading the sealed object back.
      const readFd = blob.handle('read').fd;
      start = now();
      const copy = Buffer.allocUnsafe(bytes);
      for (let done = 0; done < bytes;) done += readSync(readFd, copy, done, bytes - done, done);
      t.readCopy.push(now() - start);
      start = now();
      let mapped = mapFd(readFd, bytes);
      t.mapOnly.push(now() - start);
      start = now();
      mapped = mapFd(readFd, bytes);
      touchPages(mapped);
      t.mapTouch.push(now() - start);
      mapped = null;
      await storage.remove(`m${r}`, [blob]);
      gc();
    }
    const row = { size: label };
    for (const [k, xs] of Object.entries(t)) row[k] = `${median(xs).toFixed(2)} ms (${gibps(bytes, median(xs))} GiB/s)`;
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  console.log('\nplain = memfd + fs.writeSync (baseline); blobWrite = MemBlob fallocate + write + seal;');
  console.log('blobMap = MemBlob written through a mapping, frozen, sealed; readCopy = pread into a new Buffer;');
  console.log('mapOnly = mmap + Buffer view; mapTouch = mmap + read one byte of every 4 KiB page.');
  console.table(rows);
  await storage.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
