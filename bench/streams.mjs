// Benchmarks of @mmapkit/streams against node:fs streams, readline and `wc -l`, measured in the
// same process (the 16 GiB RSS run in a child of its own, so that its peak is its own).
//
//   npx turbo run build --filter=@mmapkit/streams... && node --expose-gc bench/streams.mjs [name...]
//
// Names: checksum, lines, count, sparse, write (default: all). Environment: STREAMS_BENCH_ROUNDS
// (default 3) rounds; in each round every contender runs once, in the same order, and the ratio is
// taken within the round; the summary is the median ratio with its min–max over rounds.
// BENCH_RESULTS=<file> appends one JSON line per target (issue 15).
//
// Data (kept in bench/.data between runs): a 1 GiB seeded binary file, a 1 GiB seeded text file
// (lines of 1–150 bytes), a 16 GiB sparse file (no disk space) and a 1 GiB file written per round.
// The read benchmarks read the files once before timing, so the page cache holds them.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, createReadStream as fsCreateReadStream, createWriteStream as fsCreateWriteStream, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ensureDataFile, seededGenerator } from './lib/data.mjs';
import { createReadStream, createWriteStream, lines, scanLines } from '../packages/streams/dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const dataFolder = join(here, '.data');
const gibibyte = 2 ** 30;
const mebibyte = 2 ** 20;
const rounds = Number(process.env.STREAMS_BENCH_ROUNDS ?? 3);
const wanted = process.argv.slice(2);
const issue = 15;

// ---- measurement and reporting ------------------------------------------------------------

function seconds(action) {
  const started = process.hrtime.bigint();
  const value = action();
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

async function secondsAsync(action) {
  const started = process.hrtime.bigint();
  const value = await action();
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

function median(values) {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const round2 = (value) => Math.round(value * 100) / 100;

/**
 * Prints a target's summary and appends it to $BENCH_RESULTS. `higherIsBetter`: whether
 * `measured` must be at least `threshold` (ratios) or at most (peak RSS).
 * (Same JSON shape as the shared record helper planned for bench/lib.)
 */
function record(target, goal, samples, threshold, higherIsBetter = true) {
  const measured = round2(median(samples));
  const min = round2(Math.min(...samples));
  const max = round2(Math.max(...samples));
  const pass = higherIsBetter ? measured >= threshold : measured <= threshold;
  console.log(`  => ${target}: ${measured} (min ${min}, max ${max}) goal ${goal}: ${pass ? 'PASS' : 'FAIL'}`);
  if (process.env.BENCH_RESULTS) appendFileSync(process.env.BENCH_RESULTS, `${JSON.stringify({ issue, target, goal, measured, min, max, pass })}\n`);
}

const gbPerSecond = (bytes, time) => `${(bytes / time / 1e9).toFixed(2)} GB/s`;

function collectGarbage() {
  globalThis.gc?.();
}

// ---- data ---------------------------------------------------------------------------------

/** A 1 GiB text file of seeded lines (1–150 bytes of ASCII, `\n` endings). */
function ensureTextFile(path, length) {
  mkdirSync(dirname(path), { recursive: true });
  if (existsSync(path) && statSync(path).size === length) return;
  const next = seededGenerator(4242);
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(4 * mebibyte);
  for (let offset = 0; offset < length; ) {
    let fill = 0;
    while (fill < block.length) {
      const lineLength = 1 + (next() % 150);
      for (let index = 0; index < lineLength && fill < block.length; index++) block[fill++] = 0x61 + (next() % 26);
      if (fill < block.length) block[fill++] = 0x0a;
    }
    const count = Math.min(block.length, length - offset);
    writeSync(fd, block, 0, count, offset);
    offset += count;
  }
  closeSync(fd);
}

/** Reads a file once so that the page cache holds it. */
function warmCache(path) {
  execFileSync('cat', [path], { stdio: ['ignore', 'ignore', 'inherit'] });
}

// ---- workloads ----------------------------------------------------------------------------

/**
 * Adds the bytes of `chunk` to `sums` (4 accumulators). The bulk is read 4 bytes at a time
 * through a Uint32Array: 4 int32 lane accumulators each hold two 16-bit partial sums (bytes 0
 * and 2, or 1 and 3, of every other word) and are flushed into `sums` every 256 words, before a
 * lane could overflow. A plain byte loop runs at about 1.5 GB/s here, which would hide what the
 * streams themselves cost; this one at about 4.5 GB/s. Unaligned head and tail bytes one by one.
 */
function checksum(chunk, sums) {
  const head = Math.min(chunk.length, (4 - (chunk.byteOffset % 4)) % 4);
  for (let index = 0; index < head; index++) sums[0] += chunk[index];
  const wordCount = (chunk.length - head) >>> 2;
  const words = new Uint32Array(chunk.buffer, chunk.byteOffset + head, wordCount);
  let a = sums[0];
  let b = sums[1];
  let c = sums[2];
  let d = sums[3];
  for (let index = 0; index < wordCount; ) {
    const stop = Math.min(wordCount, index + 256);
    let evenLow = 0;
    let evenHigh = 0;
    let oddLow = 0;
    let oddHigh = 0;
    for (; index + 1 < stop; index += 2) {
      const even = words[index];
      const odd = words[index + 1];
      evenLow = (evenLow + (even & 0xff00ff)) | 0;
      evenHigh = (evenHigh + ((even >>> 8) & 0xff00ff)) | 0;
      oddLow = (oddLow + (odd & 0xff00ff)) | 0;
      oddHigh = (oddHigh + ((odd >>> 8) & 0xff00ff)) | 0;
    }
    for (; index < stop; index++) {
      const word = words[index];
      evenLow = (evenLow + (word & 0xff00ff)) | 0;
      evenHigh = (evenHigh + ((word >>> 8) & 0xff00ff)) | 0;
    }
    a += (evenLow & 0xffff) + (oddLow & 0xffff);
    b += (evenHigh & 0xffff) + (oddHigh & 0xffff);
    c += (evenLow >>> 16) + (oddLow >>> 16);
    d += (evenHigh >>> 16) + (oddHigh >>> 16);
  }
  for (let index = head + wordCount * 4; index < chunk.length; index++) a += chunk[index];
  sums[0] = a;
  sums[1] = b;
  sums[2] = c;
  sums[3] = d;
}

async function checksumOf(stream) {
  const sums = [0, 0, 0, 0];
  for await (const chunk of stream) checksum(chunk, sums);
  return sums[0] + sums[1] + sums[2] + sums[3];
}

function countNewlines(chunk) {
  let count = 0;
  for (let found = chunk.indexOf(10); found !== -1; found = chunk.indexOf(10, found + 1)) count++;
  return count;
}

// ---- benchmarks ---------------------------------------------------------------------------

async function benchChecksum() {
  const path = join(dataFolder, 'streams-1g.bin');
  ensureDataFile(path, gibibyte, 515);
  warmCache(path);
  console.log('checksum of a cached 1 GiB file (bytes summed in 4 accumulators)');
  const versusDefault = [];
  const versusMebibyte = [];
  // One untimed pass of each, so that every contender meets an already optimized checksum().
  await checksumOf(fsCreateReadStream(path));
  await checksumOf(createReadStream(path));
  for (let round = 0; round < rounds; round++) {
    collectGarbage();
    const fsDefault = await secondsAsync(() => checksumOf(fsCreateReadStream(path)));
    collectGarbage();
    const fsMebibyte = await secondsAsync(() => checksumOf(fsCreateReadStream(path, { highWaterMark: mebibyte })));
    collectGarbage();
    const mapped = await secondsAsync(() => checksumOf(createReadStream(path)));
    if (mapped.value !== fsDefault.value || mapped.value !== fsMebibyte.value) throw new Error('checksums differ');
    versusDefault.push(fsDefault.seconds / mapped.seconds);
    versusMebibyte.push(fsMebibyte.seconds / mapped.seconds);
    console.log(
      `  round ${round + 1}: fs default ${gbPerSecond(gibibyte, fsDefault.seconds)}, fs 1 MiB ${gbPerSecond(gibibyte, fsMebibyte.seconds)}, ` +
        `mapped ${gbPerSecond(gibibyte, mapped.seconds)} (x${round2(versusDefault.at(-1))} / x${round2(versusMebibyte.at(-1))})`,
    );
  }
  record('checksum 1 GiB: mapped createReadStream vs fs.createReadStream default', '≥ 4x', versusDefault, 4);
  record('checksum 1 GiB: mapped createReadStream vs fs.createReadStream 1 MiB', '≥ 1.5x', versusMebibyte, 1.5);
}

async function benchLines() {
  const path = join(dataFolder, 'streams-1g.txt');
  ensureTextFile(path, gibibyte);
  warmCache(path);
  console.log('lines of a cached 1 GiB text file as strings');
  const ratios = [];
  for (let round = 0; round < rounds; round++) {
    collectGarbage();
    const viaReadline = await secondsAsync(async () => {
      let count = 0;
      let characters = 0;
      for await (const line of createInterface({ input: fsCreateReadStream(path, { highWaterMark: mebibyte }), crlfDelay: Infinity })) {
        count++;
        characters += line.length;
      }
      return `${count}/${characters}`;
    });
    collectGarbage();
    const viaLines = seconds(() => {
      let count = 0;
      let characters = 0;
      for (const line of lines(path)) {
        count++;
        characters += line.length;
      }
      return `${count}/${characters}`;
    });
    if (viaLines.value !== viaReadline.value) throw new Error(`line counts differ: ${viaLines.value} ${viaReadline.value}`);
    ratios.push(viaReadline.seconds / viaLines.seconds);
    console.log(`  round ${round + 1}: readline ${viaReadline.seconds.toFixed(2)} s, lines() ${viaLines.seconds.toFixed(2)} s (x${round2(ratios.at(-1))}), lines/characters ${viaLines.value}`);
  }
  record('lines 1 GiB as strings: lines() vs readline', '≥ 4x', ratios, 4);
}

async function benchCount() {
  const path = join(dataFolder, 'streams-1g.txt');
  ensureTextFile(path, gibibyte);
  warmCache(path);
  console.log('counting the lines of a cached 1 GiB text file');
  const versusIndexOf = [];
  const versusWc = [];
  for (let round = 0; round < rounds; round++) {
    collectGarbage();
    const viaIndexOf = await secondsAsync(async () => {
      let count = 0;
      for await (const chunk of fsCreateReadStream(path, { highWaterMark: mebibyte })) count += countNewlines(chunk);
      return count;
    });
    collectGarbage();
    const viaScan = seconds(() => scanLines(path, () => undefined));
    const viaWc = seconds(() => Number(execFileSync('wc', ['-l', path], { encoding: 'utf8' }).trim().split(/\s+/)[0]));
    // The file ends with a newline-less piece only if its last byte is not '\n'.
    const lastIsNewline = readFileSync(path, { encoding: null, flag: 'r' }).at(-1) === 10;
    if (viaScan.value !== viaIndexOf.value + (lastIsNewline ? 0 : 1) || viaWc.value !== viaIndexOf.value) throw new Error(`counts differ: ${viaScan.value} ${viaIndexOf.value} ${viaWc.value}`);
    versusIndexOf.push(viaIndexOf.seconds / viaScan.seconds);
    versusWc.push(viaWc.seconds / viaScan.seconds);
    console.log(
      `  round ${round + 1}: createReadStream(1 MiB)+indexOf ${viaIndexOf.seconds.toFixed(3)} s, scanLines ${viaScan.seconds.toFixed(3)} s (x${round2(versusIndexOf.at(-1))}), ` +
        `wc -l ${viaWc.seconds.toFixed(3)} s (scanLines at x${round2(versusWc.at(-1))} of wc's speed)`,
    );
  }
  record('count lines 1 GiB: scanLines vs createReadStream(1 MiB)+indexOf', '≥ 1.3x', versusIndexOf, 1.3);
  record('count lines 1 GiB: scanLines vs wc -l (speed ratio, report only)', 'report', versusWc, 0);
}

/** Streams a 16 GiB sparse file end to end in a child process (touching every page) and reports its peak RSS. */
function benchSparse() {
  const path = join(dataFolder, 'streams-16g-sparse.bin');
  mkdirSync(dataFolder, { recursive: true });
  const fd = openSync(path, 'w');
  ftruncateSync(fd, 16 * gibibyte);
  writeSync(fd, Buffer.from('end'), 0, 3, 16 * gibibyte - 3);
  closeSync(fd);
  console.log('streaming a 16 GiB sparse file end to end (every page touched), peak RSS of the process');
  const script = `
    import { createReadStream } from ${JSON.stringify(new URL('../packages/streams/dist/index.js', import.meta.url).href)};
    const backend = process.argv[1];
    const faultGuard = process.argv[3] === 'unguarded' ? { faultGuard: false } : {};
    const started = process.hrtime.bigint();
    let bytes = 0, sum = 0;
    for await (const chunk of createReadStream(process.argv[2], { backend, ...faultGuard })) {
      for (let index = 0; index < chunk.length; index += 4096) sum += chunk[index];
      sum += chunk[chunk.length - 1];
      bytes += chunk.length;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(JSON.stringify({ bytes, sum, seconds, peakRss: process.resourceUsage().maxRSS * 1024 }));`;
  const peaks = [];
  for (const [backend, guard] of [['native-napi', 'default'], ['native-napi', 'unguarded'], ['ffi-koffi', 'default'], ['fallback-fs', 'default']]) {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script, backend, path, guard], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`sparse run on ${backend} failed: ${run.stderr}`);
    const report = JSON.parse(run.stdout.trim().split('\n').at(-1));
    // The only bytes that are not zero are 'end' at the very end; the sum sees its last 'd' (0x64).
    if (report.bytes !== 16 * gibibyte || report.sum !== 0x64) throw new Error(`sparse run on ${backend} read ${report.bytes} bytes, sum ${report.sum}`);
    const peakMebibytes = report.peakRss / mebibyte;
    peaks.push(peakMebibytes);
    console.log(`  ${backend}${guard === 'unguarded' ? ' (faultGuard: false)' : ''}: ${report.seconds.toFixed(1)} s (${gbPerSecond(report.bytes, report.seconds)}), peak RSS ${peakMebibytes.toFixed(0)} MiB`);
    if (backend === 'native-napi' && guard === 'default') record('stream 16 GiB sparse file: peak RSS MiB (native-napi)', '< 512 MiB', [peakMebibytes], 512, false);
  }
  record('stream 16 GiB sparse file: peak RSS MiB (worst backend)', '< 512 MiB', [Math.max(...peaks)], 512, false);
  rmSync(path);
}

async function writeAll(stream, totalBytes) {
  const next = seededGenerator(99);
  const blocks = Array.from({ length: 16 }, () => {
    const block = Buffer.allocUnsafe(mebibyte);
    const words = new Uint32Array(block.buffer, block.byteOffset, mebibyte / 4);
    for (let index = 0; index < words.length; index++) words[index] = next();
    return block;
  });
  for (let written = 0, index = 0; written < totalBytes; written += mebibyte, index++) {
    if (!stream.write(blocks[index % blocks.length])) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
  if (!stream.closed) await once(stream, 'close');
}

async function benchWrite() {
  const path = join(dataFolder, 'streams-write-1g.bin');
  mkdirSync(dataFolder, { recursive: true });
  console.log('writing 1 GiB in 1 MiB writes (neither stream fsyncs; the file is removed between runs)');
  const ratios = [];
  const unguardedRatios = [];
  for (let round = 0; round < rounds; round++) {
    rmSync(path, { force: true });
    collectGarbage();
    const viaFs = await secondsAsync(() => writeAll(fsCreateWriteStream(path), gibibyte));
    if (statSync(path).size !== gibibyte) throw new Error('fs wrote the wrong size');
    rmSync(path, { force: true });
    collectGarbage();
    const viaMapping = await secondsAsync(() => writeAll(createWriteStream(path, { fsync: false }), gibibyte));
    if (statSync(path).size !== gibibyte) throw new Error('the mapped stream wrote the wrong size');
    rmSync(path, { force: true });
    collectGarbage();
    const unguarded = await secondsAsync(() => writeAll(createWriteStream(path, { fsync: false, faultGuard: false }), gibibyte));
    if (statSync(path).size !== gibibyte) throw new Error('the mapped stream wrote the wrong size');
    rmSync(path, { force: true });
    ratios.push(viaFs.seconds / viaMapping.seconds);
    unguardedRatios.push(viaFs.seconds / unguarded.seconds);
    console.log(
      `  round ${round + 1}: fs.createWriteStream ${gbPerSecond(gibibyte, viaFs.seconds)}, mapped createWriteStream ${gbPerSecond(gibibyte, viaMapping.seconds)} (x${round2(ratios.at(-1))}), ` +
        `mapped without the fault guard ${gbPerSecond(gibibyte, unguarded.seconds)} (x${round2(unguardedRatios.at(-1))})`,
    );
  }
  record('write 1 GiB: mapped createWriteStream vs fs.createWriteStream', '≥ 1.2x', ratios, 1.2);
  record('write 1 GiB: mapped createWriteStream faultGuard:false vs fs.createWriteStream', '≥ 1.2x', unguardedRatios, 1.2);
}

const benchmarks = { checksum: benchChecksum, lines: benchLines, count: benchCount, sparse: benchSparse, write: benchWrite };
console.log(`@mmapkit/streams benchmarks, ${rounds} rounds, Node ${process.version}`);
for (const [name, run] of Object.entries(benchmarks)) {
  if (wanted.length === 0 || wanted.includes(name)) await run();
}
