// Benchmarks of @mmapkit/native-napi against baselines measured in the same run: fs.readSync,
// an in-memory Buffer, fs.createReadStream, and a C mmap+munmap loop built with `cc -O2`.
// The variants of each comparison run round-robin (one round of each, repeated), and the
// ratios are medians of per-round ratios, so drifting load on the machine hits all alike.
// Build first: npx turbo run build --filter=@mmapkit/native-napi
// Run: node bench/native.mjs [--size-mib 1024] [--reads 1000000] [--rounds 7]
import { execFileSync } from 'node:child_process';
import { closeSync, createReadStream, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mapAnonymous, mapFile } from '@mmapkit/core';
import { backend } from '../packages/native-napi/dist/index.js';
import { ensureDataFile, seededGenerator } from './lib/data.mjs';
import { describeRecord, median, recordTarget } from './lib/targets.mjs';

const { values } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '1024' },
    reads: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '7' },
  },
});
const mebibyte = 2 ** 20;
const fileLength = Number(values['size-mib']) * mebibyte;
const readCount = Number(values.reads);
const rounds = Number(values.rounds);
const benchDirectory = dirname(fileURLToPath(import.meta.url));
const dataDirectory = join(benchDirectory, '.data');
const bigPath = join(dataDirectory, `native-${fileLength}.bin`);


/**
 * Runs every variant once to warm up, then `rounds` rounds of each in turn. Returns, per
 * variant, the median time in ms, the per-round times and the last result.
 */
async function compare(variants) {
  const times = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  const results = {};
  for (const work of Object.values(variants)) await work();
  for (let round = 0; round < rounds; round++) {
    for (const [name, work] of Object.entries(variants)) {
      const start = performance.now();
      results[name] = await work();
      times[name].push(performance.now() - start);
    }
  }
  const distinct = new Set(Object.values(results));
  if (distinct.size !== 1) throw new Error(`variants disagree: ${JSON.stringify(results)}`);
  return Object.fromEntries(Object.keys(variants).map((name) => [name, { milliseconds: median(times[name]), times: times[name] }]));
}

/** Per-round ratios `slow / fast` (how many times faster `fast` is in each round). */
function ratios(slow, fast) {
  return slow.times.map((time, round) => time / fast.times[round]);
}

/** Median over rounds of `slow / fast`. */
function ratio(slow, fast) {
  return median(ratios(slow, fast));
}

const targets = [];
function target(issue, name, goal, perRound) {
  targets.push(recordTarget({ issue, target: name, goal, ratios: perRound }));
}

/** A fresh copy of a function, so each variant has its own type feedback in V8. */
function copyOf(code) {
  return new Function(`return (${code.toString()});`)();
}

const rows = [];
function row(name, milliseconds, note = '') {
  rows.push({ name, time: milliseconds >= 100 ? `${milliseconds.toFixed(0)} ms` : `${milliseconds.toFixed(2)} ms`, note });
}

/**
 * How much of the file's mappings in this process the kernel maps with 2 MiB entries (Linux:
 * `FilePmdMapped` in /proc/self/smaps): page-cache pages in 2 MiB folios read faster at random
 * than 4 KiB pages, so the random-read ratio depends on it (see bench/README.md).
 */
function pmdMappedShare(path) {
  try {
    const areas = readFileSync('/proc/self/smaps', 'utf8').split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/).filter((area) => area.includes(path));
    const field = (area, name) => Number(new RegExp(`\\n${name}:\\s+(\\d+)`).exec(area)?.[1] ?? 0);
    const resident = areas.reduce((total, area) => total + field(area, 'Rss'), 0);
    const huge = areas.reduce((total, area) => total + field(area, 'FilePmdMapped'), 0);
    return `${huge} of ${resident} KiB resident (FilePmdMapped)`;
  } catch {
    return 'unknown (no /proc/self/smaps)';
  }
}

ensureDataFile(bigPath, fileLength);
// Warm the page cache: every variant reads a cached file.
{
  const fd = openSync(bigPath, 'r');
  const chunk = Buffer.allocUnsafe(mebibyte);
  for (let offset = 0; offset < fileLength; offset += mebibyte) readSync(fd, chunk, 0, mebibyte, offset);
  closeSync(fd);
}
const size = `${fileLength / mebibyte} MiB`;

// 1. Random 8-byte reads at the same seeded offsets.
{
  const next = seededGenerator(42);
  const offsets = new Float64Array(readCount);
  for (let index = 0; index < readCount; index++) offsets[index] = (next() % (fileLength / 8)) * 8;
  const mapping = mapFile(backend, { path: bigPath });
  await mapping.prefetch();
  const inMemory = Buffer.alloc(fileLength);
  const fd = openSync(bigPath, 'r');
  for (let offset = 0; offset < fileLength; offset += mebibyte) readSync(fd, inMemory, offset, mebibyte, offset);
  function randomReads(view, offsets, count) {
    let sum = 0;
    for (let index = 0; index < count; index++) sum += view.getFloat64(offsets[index], true) > 0 ? 1 : 0;
    return sum;
  }
  // The same bytes in an anonymous mapping: the same access path over anonymous pages, which
  // tells the cost of mmapkit's path apart from the cost of page-cache pages.
  const anonymous = mapAnonymous(backend, { length: fileLength });
  anonymous.bytes.set(inMemory);
  const anonymousReads = copyOf(randomReads);
  const anonymousView = anonymous.dataView();
  const mappedReads = copyOf(randomReads);
  const memoryReads = copyOf(randomReads);
  const mappedView = mapping.dataView();
  const memoryView = new DataView(inMemory.buffer, inMemory.byteOffset, inMemory.byteLength);
  const eight = Buffer.alloc(8);
  const eightView = new DataView(eight.buffer, eight.byteOffset, 8);
  const result = await compare({
    mapping: () => mappedReads(mappedView, offsets, readCount),
    buffer: () => memoryReads(memoryView, offsets, readCount),
    anonymous: () => anonymousReads(anonymousView, offsets, readCount),
    readSync: () => {
      let sum = 0;
      for (let index = 0; index < readCount; index++) {
        readSync(fd, eight, 0, 8, offsets[index]);
        sum += eightView.getFloat64(0, true) > 0 ? 1 : 0;
      }
      return sum;
    },
  });
  const folios = pmdMappedShare(bigPath);
  closeSync(fd);
  mapping.close();
  anonymous.close();
  const label = `${readCount} random 8-byte reads of a ${size} file`;
  rows.push({ name: `${label}: pages of the file mapped as 2 MiB folios`, time: '-', note: folios });
  row(`${label}: mapping`, result.mapping.milliseconds);
  row(`${label}: in-memory Buffer`, result.buffer.milliseconds, `mapping takes ${(1 / ratio(result.buffer, result.mapping)).toFixed(3)}x the Buffer's time`);
  row(`${label}: anonymous mapping, same bytes`, result.anonymous.milliseconds, `takes ${(1 / ratio(result.buffer, result.anonymous)).toFixed(3)}x the Buffer's time`);
  row(`${label}: fs.readSync`, result.readSync.milliseconds, `mapping is ${ratio(result.readSync, result.mapping).toFixed(1)}x faster`);
  target(3, `${readCount} random 8-byte reads, ${size}: mapping vs fs.readSync`, '≥ 20x', ratios(result.readSync, result.mapping));
  target(3, `${readCount} random 8-byte reads, ${size}: mapping time vs in-memory Buffer`, '≤ 1.1x', ratios(result.mapping, result.buffer));
}

// 2. Checksum of the cached file.
{
  // Fair by construction: the same cached file, the same summing code (a fresh copy per
  // variant), the stream with its default 64 KiB chunks. The same checksum for every source, over pieces of at most 16 MiB: in V8 12 (Node 20) a
  // loop over one typed array of 1 GiB ran about 4x slower than over 16 MiB pieces of the
  // same memory, for a Buffer as much as for a mapping.
  const checksumSource = `(() => {
    const piece = 16 * 1024 * 1024;
    // Four independent accumulators, so the sum is bound by memory, not by one add chain.
    function sumWords(words, start) {
      let first = start | 0;
      let second = 0;
      let third = 0;
      let fourth = 0;
      const length = words.length;
      const whole = length - (length % 4);
      let index = 0;
      for (; index < whole; index += 4) {
        first = (first + words[index]) | 0;
        second = (second + words[index + 1]) | 0;
        third = (third + words[index + 2]) | 0;
        fourth = (fourth + words[index + 3]) | 0;
      }
      for (; index < length; index++) first = (first + words[index]) | 0;
      return (first + second + third + fourth) | 0;
    }
    function sumBytes(bytes, start) {
      let total = start | 0;
      const length = bytes.length;
      for (let index = 0; index < length; index++) total = (total + bytes[index]) | 0;
      return total;
    }
    return function checksum(bytes, sum) {
      for (let offset = 0; offset < bytes.byteLength; offset += piece) {
        const length = Math.min(piece, bytes.byteLength - offset);
        const start = bytes.byteOffset + offset;
        sum = start % 4 === 0 && length % 4 === 0 ? sumWords(new Int32Array(bytes.buffer, start, length / 4), sum) : sumBytes(new Uint8Array(bytes.buffer, start, length), sum);
      }
      return sum;
    };
  })()`;
  // Each variant gets its own copy of the code, so no variant's type feedback slows another.
  const checksumCopy = () => new Function(`return ${checksumSource};`)();
  const coldChecksum = checksumCopy();
  const warmChecksum = checksumCopy();
  const readSyncChecksum = checksumCopy();
  const streamChecksum = checksumCopy();
  const warm = mapFile(backend, { path: bigPath });
  const result = await compare({
    mapAndSum: () => {
      const whole = mapFile(backend, { path: bigPath });
      const sum = coldChecksum(whole.bytes, 0);
      whole.close();
      return sum;
    },
    warmMapping: () => warmChecksum(warm.bytes, 0),
    readSync: () => {
      const fd = openSync(bigPath, 'r');
      const chunk = Buffer.allocUnsafe(mebibyte);
      let sum = 0;
      for (let offset = 0; offset < fileLength; offset += mebibyte) {
        const read = readSync(fd, chunk, 0, mebibyte, offset);
        sum = readSyncChecksum(chunk.subarray(0, read), sum);
      }
      closeSync(fd);
      return sum;
    },
    stream: () =>
      new Promise((resolve, reject) => {
        let sum = 0;
        createReadStream(bigPath)
          .on('data', (chunk) => (sum = streamChecksum(chunk, sum)))
          .on('end', () => resolve(sum))
          .on('error', reject);
      }),
  });
  warm.close();
  const label = `checksum of a cached ${size} file`;
  row(`${label}: map + sum + close`, result.mapAndSum.milliseconds, `${ratio(result.stream, result.mapAndSum).toFixed(2)}x the stream's speed, ${ratio(result.readSync, result.mapAndSum).toFixed(2)}x readSync's`);
  row(`${label}: sum through a mapping kept open`, result.warmMapping.milliseconds, `${ratio(result.stream, result.warmMapping).toFixed(2)}x the stream's speed, ${ratio(result.readSync, result.warmMapping).toFixed(2)}x readSync's`);
  row(`${label}: fs.readSync into 1 MiB`, result.readSync.milliseconds);
  row(`${label}: fs.createReadStream`, result.stream.milliseconds);
  target(3, `checksum of a cached ${size} file: fresh map + sum + close vs createReadStream`, '≥ 2x', ratios(result.stream, result.mapAndSum));
  target(3, `checksum of a cached ${size} file: mapping kept open vs createReadStream`, '≥ 2x', ratios(result.stream, result.warmMapping));
}

// 3. map + close of a 4 KiB region against C mmap + munmap (interleaved the same way).
{
  const pairs = 100000;
  const anonymousPage = { fd: undefined, ownsFd: false, path: undefined, offset: 0, length: 4096, protection: 'read-write', sharing: 'private', populate: false, noReserve: false, hugePages: false };
  const buildDirectory = mkdtempSync(join(tmpdir(), 'mmapkit-bench-c-'));
  try {
    const binary = join(buildDirectory, 'mmap_munmap');
    execFileSync('cc', ['-O2', '-o', binary, join(benchDirectory, 'c', 'mmap_munmap.c')]);
    // The C program reports its own nanoseconds per pair (without its start-up): keep those.
    const cTimes = [];
    const result = await compare({
      c: () => {
        cTimes.push(Number(execFileSync(binary, [String(pairs)], { encoding: 'utf8' }).trim()));
        return 0;
      },
      front: () => {
        for (let index = 0; index < pairs; index++) mapAnonymous(backend, { length: 4096 }).close();
        return 0;
      },
      backend: () => {
        for (let index = 0; index < pairs; index++) backend.map(anonymousPage).unmap();
        return 0;
      },
    });
    cTimes.shift(); // the warm-up round
    const perPair = (variant) => variant.times.map((time) => (time * 1e6) / pairs);
    const frontTimes = perPair(result.front);
    const backendTimes = perPair(result.backend);
    const frontRatio = median(frontTimes.map((time, round) => time / cTimes[round]));
    const backendRatio = median(backendTimes.map((time, round) => time / cTimes[round]));
    rows.push({ name: '4 KiB map + close: mapAnonymous().close()', time: `${median(frontTimes).toFixed(0)} ns`, note: `${frontRatio.toFixed(2)}x the C pair` });
    rows.push({ name: '4 KiB map + close: backend.map().unmap()', time: `${median(backendTimes).toFixed(0)} ns`, note: `${backendRatio.toFixed(2)}x the C pair` });
    rows.push({ name: '4 KiB map + close: C mmap + munmap (cc -O2)', time: `${median(cTimes).toFixed(0)} ns`, note: 'baseline' });
    target(3, '4 KiB mapAnonymous().close() vs C mmap + munmap', '≤ 1.5x', frontTimes.map((time, round) => time / cTimes[round]));
  } catch (error) {
    rows.push({ name: '4 KiB map + close', time: '-', note: `C baseline unavailable: ${error instanceof Error ? error.message : String(error)}` });
  } finally {
    rmSync(buildDirectory, { recursive: true, force: true });
  }
}

console.log(`native-napi benchmarks (node ${process.version}, ${rounds} rounds round-robin, medians)`);
console.table(rows);
for (const record of targets) console.log(`target #${record.issue} ${record.target}: ${describeRecord(record)}`);
