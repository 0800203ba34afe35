// Benchmarks of @mmapkit/native-napi against baselines measured in the same run: fs.readSync,
// an in-memory Buffer, fs.createReadStream, and a C mmap+munmap loop built with `cc -O2`.
// Build first: npx turbo run build --filter=@mmapkit/native-napi
// Run: node bench/native.mjs [--size-mib 1024] [--reads 1000000] [--rounds 5]
import { execFileSync } from 'node:child_process';
import { closeSync, createReadStream, existsSync, fdatasyncSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mapAnonymous, mapFile } from '@mmapkit/core';
import { backend } from '../packages/native-napi/dist/index.js';

const { values } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '1024' },
    reads: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '5' },
  },
});
const mebibyte = 2 ** 20;
const fileLength = Number(values['size-mib']) * mebibyte;
const readCount = Number(values.reads);
const rounds = Number(values.rounds);
const benchDirectory = dirname(fileURLToPath(import.meta.url));
const dataDirectory = join(benchDirectory, '.data');
const bigPath = join(dataDirectory, `native-${fileLength}.bin`);

/** Deterministic generator (xorshift32), never unseeded randomness. */
function seededGenerator(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

function ensureDataFile() {
  mkdirSync(dataDirectory, { recursive: true });
  if (existsSync(bigPath) && statSync(bigPath).size === fileLength) return;
  const next = seededGenerator(12345);
  const block = new Uint32Array(mebibyte / 4).map(() => next());
  const fd = openSync(bigPath, 'w');
  for (let offset = 0; offset < fileLength; offset += mebibyte) writeSync(fd, new Uint8Array(block.buffer), 0, mebibyte, offset);
  fdatasyncSync(fd);
  closeSync(fd);
}

/** Runs `work` `rounds` times after one warm-up; the median time in ms and the last result. */
async function measure(work) {
  await work();
  const times = [];
  let result;
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    result = await work();
    times.push(performance.now() - start);
  }
  times.sort((left, right) => left - right);
  return { milliseconds: times[Math.floor(times.length / 2)], result };
}

/** The same checksum for every source: 32-bit words where aligned, bytes otherwise. */
function checksum(bytes, sum = 0) {
  if (bytes.byteOffset % 4 === 0 && bytes.byteLength % 4 === 0) {
    const words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    for (let index = 0; index < words.length; index++) sum = (sum + words[index]) | 0;
    return sum;
  }
  for (let index = 0; index < bytes.length; index++) sum = (sum + bytes[index]) | 0;
  return sum;
}

function format(milliseconds) {
  return milliseconds >= 100 ? `${milliseconds.toFixed(0)} ms` : `${milliseconds.toFixed(2)} ms`;
}

const rows = [];
function row(name, milliseconds, note = '') {
  rows.push({ name, time: format(milliseconds), note });
}

ensureDataFile();
// Warm the page cache: every variant reads a cached file.
{
  const fd = openSync(bigPath, 'r');
  const chunk = Buffer.allocUnsafe(mebibyte);
  for (let offset = 0; offset < fileLength; offset += mebibyte) readSync(fd, chunk, 0, mebibyte, offset);
  closeSync(fd);
}

// 1. Random 8-byte reads at the same seeded offsets.
const next = seededGenerator(42);
const offsets = new Float64Array(readCount);
for (let index = 0; index < readCount; index++) offsets[index] = (next() % (fileLength / 8)) * 8;

const mapping = mapFile(backend, { path: bigPath });
await mapping.prefetch();
const mappedData = mapping.dataView();
const inMemory = Buffer.alloc(fileLength);
{
  const fd = openSync(bigPath, 'r');
  for (let offset = 0; offset < fileLength; offset += mebibyte) readSync(fd, inMemory, offset, mebibyte, offset);
  closeSync(fd);
}
const memoryData = new DataView(inMemory.buffer, inMemory.byteOffset, inMemory.byteLength);
function randomReads(view) {
  let sum = 0;
  for (let index = 0; index < readCount; index++) sum += view.getFloat64(offsets[index], true) > 0 ? 1 : 0;
  return sum;
}
const randomReadsOf = () => new Function('view', 'offsets', 'readCount', `return (${randomReads.toString()})(view);`);
const mappedRandomReads = randomReadsOf();
const memoryRandomReads = randomReadsOf();
const mappedReads = await measure(() => mappedRandomReads(mappedData, offsets, readCount));
const memoryReads = await measure(() => memoryRandomReads(memoryData, offsets, readCount));
const readSyncReads = await measure(() => {
  const fd = openSync(bigPath, 'r');
  const eight = Buffer.alloc(8);
  const view = new DataView(eight.buffer, eight.byteOffset, 8);
  let sum = 0;
  for (let index = 0; index < readCount; index++) {
    readSync(fd, eight, 0, 8, offsets[index]);
    sum += view.getFloat64(0, true) > 0 ? 1 : 0;
  }
  closeSync(fd);
  return sum;
});
if (mappedReads.result !== memoryReads.result || mappedReads.result !== readSyncReads.result) throw new Error('random reads disagree');
mapping.close();
row(`${readCount} random 8-byte reads: mapping`, mappedReads.milliseconds);
row(`${readCount} random 8-byte reads: in-memory Buffer`, memoryReads.milliseconds, `mapping / Buffer = ${(mappedReads.milliseconds / memoryReads.milliseconds).toFixed(3)}x the time`);
row(`${readCount} random 8-byte reads: fs.readSync`, readSyncReads.milliseconds, `mapping is ${(readSyncReads.milliseconds / mappedReads.milliseconds).toFixed(1)}x faster`);

// 2. Checksum of the cached file.
// Each variant gets its own copy of the checksum code, so one variant's type feedback never
// slows another down.
const checksumOf = () => new Function('bytes', 'sum = 0', `return (${checksum.toString()})(bytes, sum);`);
const checksumMappedFunction = checksumOf();
const checksumPopulatedFunction = checksumOf();
const checksumReadSyncFunction = checksumOf();
const checksumStreamFunction = checksumOf();
const checksumMapped = await measure(() => {
  const whole = mapFile(backend, { path: bigPath });
  const sum = checksumMappedFunction(whole.bytes);
  whole.close();
  return sum;
});
const checksumPopulated = await measure(() => {
  const whole = mapFile(backend, { path: bigPath, populate: true });
  const sum = checksumPopulatedFunction(whole.bytes);
  whole.close();
  return sum;
});
const checksumReadSync = await measure(() => {
  const fd = openSync(bigPath, 'r');
  const chunk = Buffer.allocUnsafe(mebibyte);
  let sum = 0;
  for (let offset = 0; offset < fileLength; offset += mebibyte) {
    const read = readSync(fd, chunk, 0, mebibyte, offset);
    sum = checksumReadSyncFunction(chunk.subarray(0, read), sum);
  }
  closeSync(fd);
  return sum;
});
const checksumStream = await measure(
  () =>
    new Promise((resolve, reject) => {
      let sum = 0;
      createReadStream(bigPath)
        .on('data', (chunk) => (sum = checksumStreamFunction(chunk, sum)))
        .on('end', () => resolve(sum))
        .on('error', reject);
    }),
);
if (checksumMapped.result !== checksumPopulated.result || checksumMapped.result !== checksumReadSync.result || checksumMapped.result !== checksumStream.result) throw new Error('checksums disagree');
const size = `${fileLength / mebibyte} MiB`;
row(`checksum of a cached ${size} file: mapping (map + sum + close)`, checksumMapped.milliseconds);
row(`checksum of a cached ${size} file: mapping with populate: true`, checksumPopulated.milliseconds);
row(`checksum of a cached ${size} file: fs.readSync into 1 MiB`, checksumReadSync.milliseconds, `mapping is ${(checksumReadSync.milliseconds / checksumMapped.milliseconds).toFixed(2)}x faster (populate: ${(checksumReadSync.milliseconds / checksumPopulated.milliseconds).toFixed(2)}x)`);
row(`checksum of a cached ${size} file: fs.createReadStream`, checksumStream.milliseconds, `mapping is ${(checksumStream.milliseconds / checksumMapped.milliseconds).toFixed(2)}x faster (populate: ${(checksumStream.milliseconds / checksumPopulated.milliseconds).toFixed(2)}x)`);

// 3. map + close of a 4 KiB region against C mmap + munmap. The machine's mmap cost drifts
// (other load, TLB work), so each round runs C, the front and the backend back to back and
// the ratios are the medians of the per-round ratios.
const pairs = 100000;
const median = (list) => [...list].sort((left, right) => left - right)[Math.floor(list.length / 2)];
const anonymousPage = { fd: undefined, ownsFd: false, path: undefined, offset: 0, length: 4096, protection: 'read-write', sharing: 'private', populate: false, noReserve: false, hugePages: false };
function nanosecondsPerPair(work) {
  const start = performance.now();
  for (let index = 0; index < pairs; index++) work();
  return ((performance.now() - start) * 1e6) / pairs;
}
const buildDirectory = mkdtempSync(join(tmpdir(), 'mmapkit-bench-c-'));
try {
  const binary = join(buildDirectory, 'mmap_munmap');
  execFileSync('cc', ['-O2', '-o', binary, join(benchDirectory, 'c', 'mmap_munmap.c')]);
  const cTimes = [];
  const frontTimes = [];
  const backendTimes = [];
  nanosecondsPerPair(() => mapAnonymous(backend, { length: 4096 }).close());
  nanosecondsPerPair(() => backend.map(anonymousPage).unmap());
  for (let round = 0; round < Math.max(rounds, 5); round++) {
    cTimes.push(Number(execFileSync(binary, [String(pairs)], { encoding: 'utf8' }).trim()));
    frontTimes.push(nanosecondsPerPair(() => mapAnonymous(backend, { length: 4096 }).close()));
    backendTimes.push(nanosecondsPerPair(() => backend.map(anonymousPage).unmap()));
  }
  const frontRatio = median(frontTimes.map((time, round) => time / cTimes[round]));
  const backendRatio = median(backendTimes.map((time, round) => time / cTimes[round]));
  rows.push({ name: '4 KiB map + close: mapAnonymous().close()', time: `${median(frontTimes).toFixed(0)} ns`, note: `${frontRatio.toFixed(2)}x the C pair` });
  rows.push({ name: '4 KiB map + close: backend.map().unmap()', time: `${median(backendTimes).toFixed(0)} ns`, note: `${backendRatio.toFixed(2)}x the C pair` });
  rows.push({ name: '4 KiB map + close: C mmap + munmap (cc -O2)', time: `${median(cTimes).toFixed(0)} ns`, note: 'baseline' });
} catch (error) {
  rows.push({ name: '4 KiB map + close', time: '-', note: `C baseline unavailable: ${error instanceof Error ? error.message : String(error)}` });
} finally {
  rmSync(buildDirectory, { recursive: true, force: true });
}

console.log(`native-napi benchmarks (node ${process.version}, ${rounds} rounds, median)`);
console.table(rows);
