// Benchmark of @mmapkit/buffer-pool (issue #18), run inside a memory cgroup (v1 or v2) with a
// data file 4x its limit whose page cache is dropped (posix_fadvise DONTNEED) before each phase.
// Each phase runs in its own child process moved into the cgroup; ratios are against
// baselines measured in the same run. Needs root (a writable cgroup); says so and skips otherwise.
// Usage: node bench/buffer-pool.mjs        (BENCH_RESULTS=file appends JSON lines)
//        BENCH_QUICK=1 for shorter phases (the stall phase runs 10 s instead of 30 s)
import { spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, fdatasyncSync, mkdirSync, openSync, readFileSync, readSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ensureDataFile, seededGenerator } from './lib/data.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const mebibyte = 2 ** 20;
const limitBytes = 256 * mebibyte;
const fileBytes = 4 * limitBytes;
const poolBytes = limitBytes / 2;
const pageSize = 4096;
const pageCount = fileBytes / pageSize;
const dataPath = join(here, '.data', 'buffer-pool.bin');
const quick = process.env.BENCH_QUICK === '1';

// ---------- shared helpers ----------

const { default: koffi } = await import('koffi');

function dropPageCache(path) {
  // posix_fadvise(POSIX_FADV_DONTNEED) through koffi (a dependency of ffi-koffi).
  const libc = koffi.load('libc.so.6');
  const fadvise = libc.func('int posix_fadvise(int fd, long offset, long length, int advice)');
  const fd = openSync(path, 'r+');
  fdatasyncSync(fd);
  const result = fadvise(fd, 0, 0, 4);
  closeSync(fd);
  if (result !== 0) throw new Error(`posix_fadvise failed: ${result}`);
}

/** A progress line on stderr with the resident set (BENCH_VERBOSE=1). */
function progress(what) {
  if (process.env.BENCH_VERBOSE === '1') console.error(`${what}: rss ${(residentBytes() / mebibyte).toFixed(0)} MiB`);
}

function residentBytes() {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

function median(values) {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Page numbers drawn uniformly. */
function uniformPages(count, seed) {
  const next = seededGenerator(seed);
  return Uint32Array.from({ length: count }, () => next() % pageCount);
}

/** Page numbers drawn from Zipf(0.9) over a seeded permutation of the pages. */
function zipfPages(count, seed) {
  const cdf = new Float64Array(pageCount);
  let total = 0;
  for (let rank = 0; rank < pageCount; rank++) cdf[rank] = total += 1 / (rank + 1) ** 0.9;
  const next = seededGenerator(seed);
  const permutation = Uint32Array.from({ length: pageCount }, (_, index) => index);
  for (let index = pageCount - 1; index > 0; index--) {
    const other = next() % (index + 1);
    [permutation[index], permutation[other]] = [permutation[other], permutation[index]];
  }
  return Uint32Array.from({ length: count }, () => {
    const target = (next() / 2 ** 32) * total;
    let low = 0;
    let high = pageCount - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (cdf[middle] < target) low = middle + 1;
      else high = middle;
    }
    return permutation[low];
  });
}

/** Hit rate of an ideal LRU of `capacity` pages on `pages`. */
function lruHitRate(pages, capacity) {
  const cache = new Map();
  let hits = 0;
  for (const page of pages) {
    if (cache.has(page)) {
      hits++;
      cache.delete(page);
    } else if (cache.size >= capacity) cache.delete(cache.keys().next().value);
    cache.set(page, true);
  }
  return hits / pages.length;
}

/**
 * fs.readSync into Buffers kept in a JS LRU (a Map), evicted buffers reused. The Buffers are
 * slices of one slab (one large allocation that goes back to the OS when collected; thirty
 * thousand small ones would stay in malloc's heap and push the next round out of the cgroup).
 */
function readSyncLru(fd, capacity) {
  const cache = new Map();
  const slab = Buffer.allocUnsafeSlow(capacity * pageSize);
  let used = 0;
  return (page) => {
    let buffer = cache.get(page);
    if (buffer !== undefined) {
      cache.delete(page);
    } else {
      if (cache.size >= capacity) {
        const oldest = cache.keys().next().value;
        buffer = cache.get(oldest);
        cache.delete(oldest);
      } else buffer = slab.subarray(used * pageSize, ++used * pageSize);
      readSync(fd, buffer, 0, pageSize, page * pageSize);
    }
    cache.set(page, buffer);
    return buffer[0];
  };
}

// ---------- phases (each in its own child inside the cgroup) ----------

/** Reads per second of fs.readSync + a JS LRU on `pages` (its Buffers are garbage once this returns). */
function measureLru(pages) {
  const fd = openSync(dataPath, 'r');
  const lruRead = readSyncLru(fd, poolBytes / pageSize);
  let sink = 0;
  const started = performance.now();
  for (const page of pages) sink += lruRead(page);
  const rate = pages.length / ((performance.now() - started) / 1000);
  closeSync(fd);
  return rate + sink * 0;
}

async function phaseUniform() {
  const { BufferPool } = await import('../packages/buffer-pool/dist/index.js');
  const { map } = await import('../packages/mmapkit/dist/index.js');
  const rounds = 3;
  const poolReads = quick ? 40_000 : 100_000;
  const mmapReads = quick ? 1_000 : 2_000;
  const result = { pool: [], buffered: [], lru: [], mmap: [], residentOverPool: 0 };
  // Baseline: the process after the same read loop over a tiny pool (V8's heap has grown to
  // what the loop's garbage needs), so what is measured above it is the pool's frames.
  {
    const warm = BufferPool.open(dataPath, { poolBytes: 4 * mebibyte, readOnly: true });
    for (const page of uniformPages(poolReads, 999)) warm.unpin(page * Math.min(1, warm.pin(page).length));
    warm.close();
  }
  globalThis.gc?.();
  const baseline = residentBytes();
  progress('baseline');
  const measurePool = (pages, directIo) => {
    dropPageCache(dataPath);
    const pool = BufferPool.open(dataPath, { poolBytes, readOnly: true, directIo });
    let sink = 0;
    let peak = 0;
    const started = performance.now();
    for (let index = 0; index < pages.length; index++) {
      const page = pages[index];
      sink += pool.pin(page)[0];
      pool.unpin(page);
      if ((index & 4095) === 0) peak = Math.max(peak, residentBytes());
    }
    const rate = pages.length / ((performance.now() - started) / 1000);
    result.residentOverPool = Math.max(result.residentOverPool, (Math.max(peak, residentBytes()) - baseline) / poolBytes);
    pool.close();
    return rate + sink * 0;
  };
  for (let round = 0; round < rounds; round++) {
    const pages = uniformPages(poolReads, 1 + round);
    // The order changes every round, so no contender always follows another's (host) cache.
    const contenders = [
      () => result.pool.push(measurePool(pages, true)),
      () => {
        dropPageCache(dataPath);
        result.lru.push(measureLru(pages));
        globalThis.gc?.();
      },
      () => result.buffered.push(measurePool(pages, false)),
    ];
    for (let index = 0; index < contenders.length; index++) contenders[(index + round) % contenders.length]();
    progress(`round ${round}`);
    // A plain mapping of the whole file: few reads, it thrashes.
    dropPageCache(dataPath);
    const mapping = map(dataPath);
    let sink = 0;
    const mapped = uniformPages(mmapReads, 100 + round);
    const started = performance.now();
    for (const page of mapped) sink += mapping.view(page * pageSize, 1)[0];
    result.mmap.push(mapped.length / ((performance.now() - started) / 1000) + sink * 0);
    mapping.close();
  }
  return result;
}

async function phaseZipf() {
  const { BufferPool } = await import('../packages/buffer-pool/dist/index.js');
  const reads = quick ? 300_000 : 1_000_000;
  const pages = zipfPages(reads, 9);
  dropPageCache(dataPath);
  const pool = BufferPool.open(dataPath, { poolBytes, readOnly: true, directIo: true });
  let sink = 0;
  for (const page of pages) sink += pool.read(page, (frame) => frame[0]);
  const stats = pool.stats();
  pool.close();
  return { pool: stats.hits / (stats.hits + stats.misses), lru: lruHitRate(pages, poolBytes / pageSize), sink };
}

async function phaseStalls() {
  const { BufferPool } = await import('../packages/buffer-pool/dist/index.js');
  const seconds = quick ? 10 : 30;
  dropPageCache(dataPath);
  const pool = BufferPool.open(dataPath, { poolBytes, readOnly: true, directIo: true });
  const next = seededGenerator(77);
  const buckets = new Uint32Array(seconds * 10);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const started = performance.now();
  const end = started + seconds * 1000;
  const concurrency = 16;
  delay.enable();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const page = next() % pageCount;
        const frame = await pool.pinAsync(page);
        const sink = frame[0];
        pool.unpin(page);
        const bucket = Math.floor((performance.now() - started) / 100);
        if (bucket < buckets.length) buckets[bucket] += 1 + sink * 0;
      }
    }),
  );
  delay.disable();
  pool.close();
  const counts = [...buckets].slice(1); // the first bucket includes the start
  return { worstOverMedian: Math.min(...counts) / median(counts), p99DelayMs: delay.percentile(99) / 1e6, medianPerBucket: median(counts) };
}

// ---------- the parent: cgroup, children, report ----------

function makeCgroup() {
  if (process.getuid?.() !== 0) return { error: 'not root' };
  const v1 = '/sys/fs/cgroup/memory';
  const name = `mmapkit-buffer-pool-${process.pid}`;
  try {
    if (existsSync(v1)) {
      const folder = join(v1, name);
      mkdirSync(folder);
      writeFileSync(join(folder, 'memory.limit_in_bytes'), String(limitBytes));
      return { folder, version: 1 };
    }
    const folder = join('/sys/fs/cgroup', name);
    mkdirSync(folder);
    writeFileSync(join(folder, 'memory.max'), String(limitBytes));
    return { folder, version: 2 };
  } catch (error) {
    return { error: error.message };
  }
}

function runPhase(cgroup, phase) {
  // The child moves itself into the cgroup first (see the bottom of this file).
  const run = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), phase, cgroup.folder], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * mebibyte,
  });
  if (run.status !== 0) throw new Error(`phase ${phase} failed: exit ${run.status}, signal ${run.signal}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1));
}

function report(target, goal, values, pass) {
  const measured = median(values);
  const line = { issue: 18, target, goal, measured, min: Math.min(...values), max: Math.max(...values), pass };
  console.log(`${pass ? 'PASS' : 'FAIL'} ${target}: ${measured.toFixed(3)} (min ${line.min.toFixed(3)}, max ${line.max.toFixed(3)}; goal ${goal})`);
  if (process.env.BENCH_RESULTS) appendFileSync(process.env.BENCH_RESULTS, `${JSON.stringify(line)}\n`);
}

async function main() {
  const cgroup = makeCgroup();
  if (cgroup.error !== undefined) {
    console.log(`SKIP: no writable memory cgroup here (${cgroup.error}); run as root on a machine with cgroup v1 or v2.`);
    return;
  }
  try {
    console.log(`cgroup v${cgroup.version} limit ${limitBytes / mebibyte} MiB, file ${fileBytes / mebibyte} MiB, pool ${poolBytes / mebibyte} MiB, ${pageSize} B pages`);
    ensureDataFile(dataPath, fileBytes, 18);
    const uniform = runPhase(cgroup, 'uniform');
    const ratioMmap = uniform.pool.map((rate, index) => rate / uniform.mmap[index]);
    const ratioLru = uniform.pool.map((rate, index) => rate / uniform.lru[index]);
    console.log(`uniform 4 KiB reads/s: pool (directIo) ${uniform.pool.map(Math.round)}, pool (buffered) ${uniform.buffered.map(Math.round)}, readSync+LRU ${uniform.lru.map(Math.round)}, plain mmap ${uniform.mmap.map(Math.round)}`);
    const bufferedLru = uniform.buffered.map((rate, index) => rate / uniform.lru[index]);
    console.log(`  pool (buffered reads, page cache too) / readSync+LRU: median ${median(bufferedLru).toFixed(3)} (not a target)`);
    report('uniform random 4 KiB reads, pool vs plain mmap', '≥ 10x', ratioMmap, median(ratioMmap) >= 10);
    report('uniform random 4 KiB reads, pool vs fs.readSync + JS LRU', '≥ 1.0x', ratioLru, median(ratioLru) >= 1);
    report('resident memory over the pool size (minus baseline)', '≤ 1.05', [uniform.residentOverPool], uniform.residentOverPool <= 1.05);
    const zipf = runPhase(cgroup, 'zipf');
    console.log(`Zipf 0.9 hit rate: pool ${zipf.pool.toFixed(4)}, ideal LRU ${zipf.lru.toFixed(4)}`);
    report('Zipf 0.9 hit rate, pool / ideal LRU', '≥ 0.95', [zipf.pool / zipf.lru], zipf.pool / zipf.lru >= 0.95);
    const stalls = runPhase(cgroup, 'stalls');
    console.log(`pinAsync load: median ${stalls.medianPerBucket} pins per 100 ms bucket`);
    report('no stalls: worst 100 ms bucket / median', '≥ 0.5', [stalls.worstOverMedian], stalls.worstOverMedian >= 0.5);
    report('event-loop p99 delay under pinAsync load (ms)', '≤ 5', [stalls.p99DelayMs], stalls.p99DelayMs <= 5);
    console.log('(the machine is shared with other helpers: rates are noisy)');
  } finally {
    rmdirSync(cgroup.folder);
  }
}

const phases = { uniform: phaseUniform, zipf: phaseZipf, stalls: phaseStalls };
const [phase, cgroupFolder] = process.argv.slice(2);
if (phase === undefined) await main();
else {
  writeFileSync(join(cgroupFolder, 'cgroup.procs'), String(process.pid));
  console.log(JSON.stringify(await phases[phase]()));
}
