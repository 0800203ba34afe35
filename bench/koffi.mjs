// Benchmark of @mmapkit/ffi-koffi against @mmapkit/native-napi (or plain fs when the native
// backend does not load), measured in the same run.
// Build first: npx turbo run build --filter=@mmapkit/ffi-koffi --filter=@mmapkit/native-napi
// Run: node --expose-gc bench/koffi.mjs [--size-mib 1024] [--rounds 7]
import { closeSync, existsSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mapFile } from '@mmapkit/core';
import { backend as koffi } from '@mmapkit/ffi-koffi';
import { ensureDataFile, seededGenerator } from './lib/data.mjs';
import { describeRecord, median, recordTarget } from './lib/targets.mjs';

const { values } = parseArgs({ options: { 'size-mib': { type: 'string', default: '1024' }, rounds: { type: 'string', default: '7' } } });
const mebibyte = 2 ** 20;
const fileLength = Number(values['size-mib']) * mebibyte;
const rounds = Number(values.rounds);
const dataDirectory = join(dirname(fileURLToPath(import.meta.url)), '.data');
const bigPath = join(dataDirectory, `koffi-${fileLength}.bin`);
// Per-call costs use a 4 KiB file on tmpfs where there is one: msync there does no disk
// I/O, so the time is the call itself and not the disk (which varies by 10x here).
const smallDirectory = existsSync('/dev/shm') ? '/dev/shm' : dataDirectory;
const smallPath = join(smallDirectory, `mmapkit-bench-koffi-${process.pid}.bin`);

let native;
let nativeReason;
try {
  native = (await import('@mmapkit/native-napi')).backend;
  native.probe();
} catch (error) {
  native = undefined;
  nativeReason = error instanceof Error ? error.message : String(error);
}

function ensureDataFiles() {
  ensureDataFile(bigPath, fileLength);
  writeFileSync(smallPath, new Uint8Array(4096).fill(1));
}

/** One timed run of `work`: milliseconds and its result. */
async function timed(work) {
  await settle();
  const start = performance.now();
  const result = await work();
  return { milliseconds: performance.now() - start, result };
}

/** Collects garbage and lets finalizers run (needs --expose-gc to collect). */
async function settle() {
  globalThis.gc?.();
  await new Promise((resolve) => setImmediate(resolve));
}


const rows = [];
/**
 * Measures the baseline and koffi in alternating rounds (after one warm-up each), so that
 * load from anything else on the machine falls on both alike; records medians and the ratio.
 */
async function compare(name, iterations, koffiWork, baselineWork, unit = 'µs/call', roundCount = rounds) {
  await baselineWork();
  await koffiWork();
  const baselineTimes = [];
  const koffiTimes = [];
  let baselineResult;
  let koffiResult;
  for (let round = 0; round < roundCount; round++) {
    const order = round % 2 === 0 ? ['baseline', 'koffi'] : ['koffi', 'baseline'];
    for (const which of order) {
      const run = await timed(which === 'baseline' ? baselineWork : koffiWork);
      if (which === 'baseline') {
        baselineTimes.push(run.milliseconds);
        baselineResult = run.result;
      } else {
        koffiTimes.push(run.milliseconds);
        koffiResult = run.result;
      }
    }
  }
  const baseline = median(baselineTimes);
  const ours = median(koffiTimes);
  const scale = unit === 'µs/call' ? 1000 / iterations : 1;
  const digits = unit === 'ms' ? 1 : 3;
  rows.push({
    benchmark: name,
    [native ? 'native-napi' : 'fs']: `${(baseline * scale).toFixed(digits)} ${unit}`,
    'ffi-koffi': `${(ours * scale).toFixed(digits)} ${unit}`,
    ratio: `${(ours / baseline).toFixed(2)}x${baselineResult === koffiResult ? '' : ' (RESULTS DIFFER)'}`,
  });
  return koffiTimes.map((time, round) => time / baselineTimes[round]);
}

const targets = [];
/** Records a koffi-vs-native target (issue #4) from the per-round ratios `compare` returns. */
function target(name, goal, perRound) {
  targets.push(recordTarget({ issue: 4, target: `ffi-koffi vs native-napi: ${name}`, goal, ratios: perRound }));
}

ensureDataFiles();
const calls = 20_000;
const smallFd = openSync(smallPath, 'r+');

if (native) {
  // Per-call costs: only the backend differs; the front (core's Mapping) is the same code.
  const mapClose = (backend) => () => {
    for (let index = 0; index < calls; index++) mapFile(backend, { fd: smallFd }).close();
  };
  target('map + close, 4 KiB', '≤ 1.5x', await compare('map + close, 4 KiB (by fd)', calls, mapClose(koffi), mapClose(native)));
  // With a view: the time includes collecting the views afterwards, where ffi-koffi
  // unmaps the zero pages it left behind them (native-napi detaches instead).
  const mapTouchClose = (backend) => async () => {
    let sum = 0;
    for (let index = 0; index < calls; index++) {
      const mapping = mapFile(backend, { fd: smallFd });
      sum += mapping.bytes[0];
      mapping.close();
    }
    await settle();
    return sum;
  };
  await compare('map + bytes[0] + close, 4 KiB, + GC', calls, mapTouchClose(koffi), mapTouchClose(native));
  const perCall = (backend, call) => {
    const mapping = mapFile(backend, { fd: smallFd, protection: 'read-write' });
    mapping.bytes[0];
    return () => {
      for (let index = 0; index < calls; index++) call(mapping);
    };
  };
  target("advise('willneed')", '≤ 1.5x', await compare("advise('willneed'), 4 KiB", calls, perCall(koffi, (mapping) => mapping.advise('willneed')), perCall(native, (mapping) => mapping.advise('willneed'))));
  target('sync() of a clean 4 KiB range', '≤ 1.5x', await compare('sync() of a clean 4 KiB range', calls, perCall(koffi, (mapping) => mapping.sync()), perCall(native, (mapping) => mapping.sync())));
  await compare('residency(), 4 KiB', calls, perCall(koffi, (mapping) => mapping.residency()), perCall(native, (mapping) => mapping.residency()));
} else {
  rows.push({ benchmark: `per-call costs need the native backend: pending (${nativeReason})` });
}

// Memory access: the same page cache through either backend.
const offsets = (() => {
  const next = seededGenerator(777);
  return Float64Array.from({ length: 1_000_000 }, () => (next() * 2 ** 20 + (next() & 0xfffff)) % (fileLength - 8));
})();
const randomReads = (bytes) => () => {
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let sum = 0;
  for (const offset of offsets) sum += data.getUint32(offset, true) ^ data.getUint32(offset + 4, true);
  return sum;
};
const checksum = (bytes) => () => {
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  let sum = 0;
  for (let index = 0; index < words.length; index++) sum = (sum + words[index]) >>> 0;
  return sum;
};
const koffiMapping = mapFile(koffi, { path: bigPath });
if (native) {
  const nativeMapping = mapFile(native, { path: bigPath });
  // Short and sensitive to other load on the machine: three times the rounds.
  target('1e6 random 8-byte reads', '≤ 1.1x', await compare('1e6 random 8-byte reads (warm)', 1, randomReads(koffiMapping.bytes), randomReads(nativeMapping.bytes), 'ms', rounds * 3));
  target(`checksum of ${fileLength / mebibyte} MiB`, '≤ 1.1x', await compare(`checksum of ${fileLength / mebibyte} MiB (warm)`, 1, checksum(koffiMapping.bytes), checksum(nativeMapping.bytes), 'ms'));
  nativeMapping.close();
} else {
  const fsRandom = () => {
    const buffer = new Uint8Array(8);
    const data = new DataView(buffer.buffer);
    const fd = openSync(bigPath, 'r');
    let sum = 0;
    for (const offset of offsets) {
      readSync(fd, buffer, 0, 8, offset);
      sum += data.getUint32(0, true) ^ data.getUint32(4, true);
    }
    closeSync(fd);
    return sum;
  };
  await compare('1e6 random 8-byte reads (warm)', 1, randomReads(koffiMapping.bytes), fsRandom, 'ms');
}
koffiMapping.close();
closeSync(smallFd);
rmSync(smallPath, { force: true });

console.log(`ffi-koffi vs ${native ? 'native-napi' : 'plain fs (native comparison pending)'}; Node ${process.version}, median of ${rounds} alternating rounds (${rounds * 3} for random reads); 4 KiB file in ${smallDirectory}`);
console.table(rows);
for (const record of targets) console.log(`target #${record.issue} ${record.target}: ${describeRecord(record)}`);
