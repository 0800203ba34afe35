// Benchmark of @mmapkit/fallback-fs against plain fs.readSync/fs.writeSync, measured in the
// same run. Build first: npx turbo run build --filter=@mmapkit/fallback-fs
// Run: node bench/fallback-fs.mjs [--size-mib 1024] [--rounds 3]
import { closeSync, fdatasyncSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mapFile } from '@mmapkit/core';
import { backend } from '@mmapkit/fallback-fs';
import { ensureDataFile, seededGenerator } from './lib/data.mjs';

const { values } = parseArgs({ options: { 'size-mib': { type: 'string', default: '1024' }, rounds: { type: 'string', default: '3' } } });
const mebibyte = 2 ** 20;
const fileLength = Number(values['size-mib']) * mebibyte;
const rounds = Number(values.rounds);
const randomReads = 100_000;
const pageSize = backend.pageSize;
const dataDirectory = join(dirname(fileURLToPath(import.meta.url)), '.data');
const path = join(dataDirectory, `fallback-fs-${fileLength}.bin`);


function ioCounters() {
  const text = readFileSync('/proc/self/io', 'latin1');
  const value = (name) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { readBytes: value('rchar'), writtenBytes: value('wchar') };
}

/** Runs `work` `rounds` times; returns the median time in ms and the last result. */
function measure(work) {
  const times = [];
  let result;
  for (let round = 0; round < rounds; round++) {
    globalThis.gc?.();
    const start = performance.now();
    result = work();
    times.push(performance.now() - start);
  }
  times.sort((left, right) => left - right);
  return { milliseconds: times[Math.floor(times.length / 2)], result };
}

const rows = [];
function report(section, name, milliseconds, baselineMilliseconds, extra = '') {
  rows.push({ section, name, ms: milliseconds.toFixed(1), 'vs fs': baselineMilliseconds === undefined ? 'baseline' : `${(milliseconds / baselineMilliseconds).toFixed(2)}x`, note: extra });
}

ensureDataFile(path, fileLength);
const chunk = mebibyte;

// 1. Sequential read: every byte made available, one byte per page touched.
const sequentialFs = measure(() => {
  const fd = openSync(path, 'r');
  const buffer = new Uint8Array(chunk);
  let sum = 0;
  for (let offset = 0; offset < fileLength; offset += chunk) {
    readSync(fd, buffer, 0, chunk, offset);
    for (let index = 0; index < chunk; index += pageSize) sum += buffer[index];
  }
  closeSync(fd);
  return sum;
});
report('sequential read', 'fs.readSync, 1 MiB chunks', sequentialFs.milliseconds);
const sequentialFreshBuffer = measure(() => {
  // What any copy into newly allocated memory costs: the operating system commits (faults
  // in and zeroes) every page on first touch. The fs backend cannot avoid this.
  const fd = openSync(path, 'r');
  const buffer = new ArrayBuffer(fileLength);
  let sum = 0;
  for (let offset = 0; offset < fileLength; offset += chunk) {
    const view = new Uint8Array(buffer, offset, chunk);
    readSync(fd, view, 0, chunk, offset);
    for (let index = 0; index < chunk; index += pageSize) sum += view[index];
  }
  closeSync(fd);
  return sum;
});
report('sequential read', 'fs.readSync into a fresh 1 GiB ArrayBuffer', sequentialFreshBuffer.milliseconds, sequentialFs.milliseconds);
const sequentialViews = measure(() => {
  const mapping = mapFile(backend, { path });
  let sum = 0;
  for (let offset = 0; offset < fileLength; offset += chunk) {
    const view = mapping.view(offset, chunk);
    for (let index = 0; index < chunk; index += pageSize) sum += view[index];
  }
  mapping.close();
  return sum;
});
report('sequential read', 'fallback-fs, view() per 1 MiB', sequentialViews.milliseconds, sequentialFs.milliseconds, sequentialViews.result === sequentialFs.result ? 'same sum' : 'SUM DIFFERS');
const sequentialWhole = measure(() => {
  const mapping = mapFile(backend, { path });
  const bytes = mapping.bytes;
  let sum = 0;
  for (let index = 0; index < fileLength; index += pageSize) sum += bytes[index];
  mapping.close();
  return sum;
});
report('sequential read', 'fallback-fs, one view of the whole file', sequentialWhole.milliseconds, sequentialFs.milliseconds, sequentialWhole.result === sequentialFs.result ? 'same sum' : 'SUM DIFFERS');
const sequentialReadWrite = measure(() => {
  const mapping = mapFile(backend, { path, protection: 'read-write' });
  const bytes = mapping.bytes;
  let sum = 0;
  for (let index = 0; index < fileLength; index += pageSize) sum += bytes[index];
  mapping.close();
  return sum;
});
report('sequential read', 'fallback-fs read-write (keeps a snapshot)', sequentialReadWrite.milliseconds, sequentialFs.milliseconds);

// 2. Random 8-byte reads at seeded offsets.
const offsets = (() => {
  const next = seededGenerator(777);
  return Float64Array.from({ length: randomReads }, () => (next() * 2 ** 20 + (next() & 0xfffff)) % (fileLength - 8));
})();
const randomFs = measure(() => {
  const fd = openSync(path, 'r');
  const buffer = new Uint8Array(8);
  let sum = 0;
  for (const offset of offsets) {
    readSync(fd, buffer, 0, 8, offset);
    sum += buffer[0] + buffer[7];
  }
  closeSync(fd);
  return sum;
});
report('1e5 random 8-byte reads', 'fs.readSync of 8 bytes', randomFs.milliseconds);
let coldReadBytes = 0;
const randomCold = measure(() => {
  const mapping = mapFile(backend, { path });
  const before = ioCounters().readBytes;
  let sum = 0;
  for (const offset of offsets) {
    const view = mapping.view(offset, 8);
    sum += view[0] + view[7];
  }
  coldReadBytes = ioCounters().readBytes - before;
  mapping.close();
  return sum;
});
report('1e5 random 8-byte reads', 'fallback-fs cold (fresh mapping, view() each)', randomCold.milliseconds, randomFs.milliseconds, `${(coldReadBytes / mebibyte).toFixed(0)} MiB read on first use`);
{
  const mapping = mapFile(backend, { path });
  const bytes = mapping.bytes;
  const warm = measure(() => {
    let sum = 0;
    for (const offset of offsets) sum += bytes[offset] + bytes[offset + 7];
    return sum;
  });
  report('1e5 random 8-byte reads', 'fallback-fs warm (pages loaded, one view)', warm.milliseconds, randomFs.milliseconds, warm.result === randomFs.result ? 'same sum' : 'SUM DIFFERS');
  const warmViews = measure(() => {
    let sum = 0;
    for (const offset of offsets) {
      const view = mapping.view(offset, 8);
      sum += view[0] + view[7];
    }
    return sum;
  });
  report('1e5 random 8-byte reads', 'fallback-fs warm, view() each', warmViews.milliseconds, randomFs.milliseconds);
  mapping.close();
}

// 3. sync() after changing 1 byte of a fully loaded 1 GiB mapping.
const changedOffset = Math.floor(fileLength / 3);
const wholeWrite = measure(() => {
  const buffer = readFileSync(path);
  buffer[changedOffset] ^= 0xff;
  const fd = openSync(path, 'r+');
  const before = ioCounters().writtenBytes;
  const start = performance.now();
  for (let offset = 0; offset < fileLength; offset += chunk) writeSync(fd, buffer, offset, chunk, offset);
  fdatasyncSync(fd);
  const elapsed = performance.now() - start;
  const written = ioCounters().writtenBytes - before;
  closeSync(fd);
  return { elapsed, written };
});
report('sync after a 1-byte change', 'fs.writeSync of the whole buffer + fdatasync', wholeWrite.result.elapsed, undefined, `${wholeWrite.result.written} bytes written`);
const singleWrite = measure(() => {
  const fd = openSync(path, 'r+');
  const byte = new Uint8Array(1);
  readSync(fd, byte, 0, 1, changedOffset);
  byte[0] ^= 0xff;
  const before = ioCounters().writtenBytes;
  const start = performance.now();
  writeSync(fd, byte, 0, 1, changedOffset);
  fdatasyncSync(fd);
  const elapsed = performance.now() - start;
  const written = ioCounters().writtenBytes - before;
  closeSync(fd);
  return { elapsed, written };
});
report('sync after a 1-byte change', 'fs.writeSync of the 1 byte + fdatasync (ideal)', singleWrite.result.elapsed, wholeWrite.result.elapsed, `${singleWrite.result.written} bytes written`);
const mappedSync = measure(() => {
  const mapping = mapFile(backend, { path, protection: 'read-write' });
  const bytes = mapping.bytes;
  bytes[changedOffset] ^= 0xff;
  const before = ioCounters().writtenBytes;
  const start = performance.now();
  mapping.sync();
  const elapsed = performance.now() - start;
  const written = ioCounters().writtenBytes - before;
  mapping.close();
  return { elapsed, written };
});
report('sync after a 1-byte change', 'fallback-fs sync() (compares 1 GiB, writes the diff)', mappedSync.result.elapsed, wholeWrite.result.elapsed, `${mappedSync.result.written} bytes written`);

console.log(`fallback-fs benchmark: ${fileLength / mebibyte} MiB file (page cache warm), ${rounds} rounds, median; Node ${process.version}, ${process.platform}-${process.arch}`);
console.table(rows);
