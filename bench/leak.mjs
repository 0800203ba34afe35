// Native memory kept per map + view + close cycle, for each backend (issue 13 §3).
// Each measurement is its own child process (--expose-gc): 20,000 warm-up cycles, then
// BENCH_LEAK_CYCLES (default 200,000) cycles of map(one-page file) + read bytes[0] + close
// in one synchronous loop, then garbage collection over a few event-loop turns. Reported:
// growth of RSS outside the V8 heap (the heap's young generation grows to its configured
// size under any allocation-heavy loop) per cycle, median of BENCH_LEAK_ROUNDS (default 3)
// runs, next to a baseline loop in the same kind of child that allocates and reads a
// 4 KiB ArrayBuffer per cycle (the noise floor of this measurement).
// Goal: < 84 bytes/cycle (16 MiB per 200,000 cycles). Runs against the built dist/.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getHeapSpaceStatistics } from 'node:v8';

const packages = new URL('../packages/', import.meta.url);
const backendNames = ['native-napi', 'ffi-koffi', 'fallback-fs'];
const goalBytesPerCycle = (16 * 2 ** 20) / 200_000;

function sizes() {
  const heap = getHeapSpaceStatistics().reduce((total, space) => total + space.physical_space_size, 0);
  return { rss: Number(readFileSync('/proc/self/statm', 'utf8').split(' ')[1]) * 4096, heap };
}

async function collect() {
  for (let round = 0; round < 10; round++) {
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** In a child: runs the cycles and prints { bytesPerCycle, rssBytesPerCycle, seconds }. */
async function child(name, folder, cycles) {
  let cycle;
  if (name === 'baseline') {
    cycle = () => new Uint8Array(new ArrayBuffer(4096))[0];
  } else {
    const { mapFile } = await import(new URL('core/dist/index.js', packages).href);
    const { backend } = await import(new URL(`${name}/dist/index.js`, packages).href);
    const path = join(folder, 'page.bin');
    writeFileSync(path, new Uint8Array(4096).fill(1));
    cycle = () => {
      const mapping = mapFile(backend, { path });
      const byte = mapping.bytes[0];
      mapping.close();
      return byte;
    };
  }
  let sum = 0;
  for (let index = 0; index < 20_000; index++) sum += cycle();
  await collect();
  const before = sizes();
  const start = performance.now();
  for (let index = 0; index < cycles; index++) sum += cycle();
  const seconds = (performance.now() - start) / 1000;
  await collect();
  const after = sizes();
  const rss = after.rss - before.rss;
  const native = rss - (after.heap - before.heap);
  process.stdout.write(`${JSON.stringify({ sum, bytesPerCycle: native / cycles, rssBytesPerCycle: rss / cycles, seconds })}\n`);
}

function median(values) {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)];
}

function measure(name, folder, cycles, rounds) {
  const runs = [];
  for (let round = 0; round < rounds; round++) {
    const script = fileURLToPath(import.meta.url);
    const result = spawnSync(process.execPath, ['--expose-gc', script, '--child', name, folder, String(cycles)], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${name}: child failed (${result.status ?? result.signal}): ${result.stderr}`);
    runs.push(JSON.parse(result.stdout.trim().split('\n').pop()));
  }
  const perCycle = runs.map((run) => run.bytesPerCycle);
  return {
    measured: median(perCycle),
    min: Math.min(...perCycle),
    max: Math.max(...perCycle),
    rss: median(runs.map((run) => run.rssBytesPerCycle)),
    microseconds: (median(runs.map((run) => run.seconds)) / cycles) * 1e6,
  };
}

async function main() {
  const cycles = Number(process.env.BENCH_LEAK_CYCLES ?? 200_000);
  const rounds = Number(process.env.BENCH_LEAK_ROUNDS ?? 3);
  const folder = mkdtempSync(join(tmpdir(), 'mmapkit-leak-'));
  try {
    console.log(`${cycles} cycles of map(4 KiB file) + bytes[0] + close in one synchronous loop, then GC; median of ${rounds} child processes`);
    const baseline = measure('baseline', folder, cycles, rounds);
    console.log(`baseline (new 4 KiB ArrayBuffer per cycle): ${baseline.measured.toFixed(1)} bytes/cycle outside the V8 heap (${baseline.min.toFixed(1)}–${baseline.max.toFixed(1)})`);
    for (const name of backendNames) {
      const result = measure(name, folder, cycles, rounds);
      const pass = result.max < goalBytesPerCycle;
      console.log(
        `${name}: ${result.measured.toFixed(1)} bytes/cycle kept outside the V8 heap (${result.min.toFixed(1)}–${result.max.toFixed(1)}; ` +
          `RSS incl. heap ${result.rss.toFixed(1)}), ${(result.measured - baseline.measured).toFixed(1)} above the baseline, ` +
          `${result.microseconds.toFixed(1)} µs/cycle; goal < ${goalBytesPerCycle.toFixed(0)}: ${pass ? 'pass' : 'FAIL'}`,
      );
      if (process.env.BENCH_RESULTS) {
        const line = {
          issue: 13,
          target: `${name}: native memory kept per map + view + close cycle (${cycles} cycles, then GC)`,
          goal: `< ${goalBytesPerCycle.toFixed(0)} bytes/cycle`,
          measured: Number(result.measured.toFixed(1)),
          min: Number(result.min.toFixed(1)),
          max: Number(result.max.toFixed(1)),
          pass,
        };
        appendFileSync(process.env.BENCH_RESULTS, `${JSON.stringify(line)}\n`);
      }
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4], Number(process.argv[5]));
else await main();
