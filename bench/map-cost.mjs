// Per-call cost of map + first view + close against the kernel's, measured in the same run
// (issue 13 §5, and the 4 KiB map+close target of §7): the floor is a tiny C program
// (bench/c/map_cost.c, built here with `cc -O2`) making the same calls. The variants run
// round-robin (one round of each, repeated), and each ratio is the median of per-round ratios,
// so drifting load on the machine hits all alike.
// Build first: npx turbo run build
// Run: node bench/map-cost.mjs [--rounds 7] [--iterations 20000]
// With BENCH_RESULTS=<file>, appends one JSON line per target to that file.
import { execFileSync } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { map, mapAnonymous } from '../packages/mmapkit/dist/index.js';
import { ensureDataFile } from './lib/data.mjs';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    iterations: { type: 'string', default: '20000' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log('node bench/map-cost.mjs [--rounds 7] [--iterations 20000]   (BENCH_RESULTS=<file> appends JSON lines)');
  process.exit(0);
}
const rounds = Number(values.rounds);
const iterations = Number(values.iterations);
const benchDirectory = dirname(fileURLToPath(import.meta.url));
const dataDirectory = join(benchDirectory, '.data');
const sizes = { '4 KiB': 4096, '1 MiB': 2 ** 20 };
const files = Object.fromEntries(Object.entries(sizes).map(([label, length]) => [label, join(dataDirectory, `map-cost-${length}.bin`)]));
for (const [label, length] of Object.entries(sizes)) ensureDataFile(files[label], length, 4242);

/** The C floor, or `undefined` without a compiler (the report then says so and has no C ratios). */
function buildFloor() {
  const binary = join(dataDirectory, 'map_cost');
  try {
    mkdirSync(dataDirectory, { recursive: true });
    execFileSync('cc', ['-O2', '-o', binary, join(benchDirectory, 'c', 'map_cost.c')], { stdio: 'pipe' });
    return binary;
  } catch (error) {
    console.log(`no C floor: cc failed (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
    return undefined;
  }
}
const floor = buildFloor();

/** ns per operation of the C floor, in a child process (its own timing, without the spawn). */
function cFloor(...args) {
  return () => Number(execFileSync(floor, [...args.map(String)], { encoding: 'utf8' }).trim());
}

/** ns per operation of `operation`, run `count` times here. */
function timed(operation, count = iterations) {
  return () => {
    const start = process.hrtime.bigint();
    for (let index = 0; index < count; index++) operation();
    return Number(process.hrtime.bigint() - start) / count;
  };
}

let sink = 0;
function byFd(fd, backend) {
  const options = backend === undefined ? { fd } : { fd, backend };
  return () => {
    const mapping = map(options);
    sink ^= mapping.bytes[0];
    mapping.close();
  };
}
function byPath(path, backend) {
  const options = backend === undefined ? {} : { backend };
  return () => {
    const mapping = map(path, options);
    sink ^= mapping.bytes[0];
    mapping.close();
  };
}
function anonymousPage() {
  mapAnonymous(4096).close();
}

const descriptors = Object.fromEntries(Object.entries(files).map(([label, path]) => [label, openSync(path, 'r')]));
/** Fewer iterations for 1 MiB windows: the page-table work per call is larger. */
const countFor = (label) => (label === '1 MiB' ? Math.max(1, Math.floor(iterations / 4)) : iterations);

const variants = {};
if (floor !== undefined) variants['C anonymous 4 KiB mmap+munmap'] = cFloor('anon', iterations);
variants['mapAnonymous(4096) + close'] = timed(anonymousPage);
for (const label of Object.keys(sizes)) {
  const count = countFor(label);
  if (floor !== undefined) {
    variants[`C fd ${label}`] = cFloor('fd', files[label], sizes[label], count);
    variants[`C path ${label}`] = cFloor('path', files[label], sizes[label], count);
  }
  variants[`native fd ${label}`] = timed(byFd(descriptors[label], 'native-napi'), count);
  variants[`koffi fd ${label}`] = timed(byFd(descriptors[label], 'ffi-koffi'), count);
  variants[`default path ${label}`] = timed(byPath(files[label]), count);
  variants[`native path ${label}`] = timed(byPath(files[label], 'native-napi'), count);
  variants[`koffi path ${label}`] = timed(byPath(files[label], 'ffi-koffi'), count);
}

const times = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
for (const work of Object.values(variants)) work();
for (let round = 0; round < rounds; round++) {
  for (const [name, work] of Object.entries(variants)) times[name].push(work());
}
for (const fd of Object.values(descriptors)) closeSync(fd);

function median(list) {
  return [...list].sort((left, right) => left - right)[Math.floor(list.length / 2)];
}

console.log(`map-cost (issue 13 §5): ${rounds} rounds, ${iterations} calls per round (1 MiB: ${countFor('1 MiB')}); Node ${process.version}`);
for (const [name, list] of Object.entries(times)) console.log(`  ${name.padEnd(32)} ${(median(list) / 1000).toFixed(2).padStart(8)} µs per call`);

const targets = [];
function target(text, limit, slow, fast) {
  if (times[slow] === undefined || times[fast] === undefined) return;
  const ratios = times[slow].map((time, round) => time / times[fast][round]);
  const measured = median(ratios);
  targets.push({ issue: 13, target: text, goal: `≤ ${limit}x`, measured: round2(measured), min: round2(Math.min(...ratios)), max: round2(Math.max(...ratios)), pass: measured <= limit });
}
function round2(value) {
  return Math.round(value * 100) / 100;
}
for (const label of Object.keys(sizes)) {
  target(`native map({ fd }) + first view + close, ${label}, vs C mmap+touch+munmap`, 1.5, `native fd ${label}`, `C fd ${label}`);
  target(`native map(path) + first view + close, ${label}, vs C open+mmap+touch+munmap+close`, 1.5, `native path ${label}`, `C path ${label}`);
  target(`ffi-koffi vs native-napi, map({ fd }) + first view + close, ${label}`, 1.5, `koffi fd ${label}`, `native fd ${label}`);
  target(`ffi-koffi vs native-napi, map(path) + first view + close, ${label}`, 1.5, `koffi path ${label}`, `native path ${label}`);
  target(`named backend vs default, map(path) + first view + close, ${label}`, 1.1, `native path ${label}`, `default path ${label}`);
}
target('4 KiB mapAnonymous + close vs the C mmap+munmap pair (§7)', 1.5, 'mapAnonymous(4096) + close', 'C anonymous 4 KiB mmap+munmap');

for (const entry of targets) {
  console.log(`  ${entry.pass ? 'pass' : 'FAIL'}  ${entry.target}: ${entry.measured}x (${entry.min}–${entry.max}), goal ${entry.goal}`);
}
if (process.env.BENCH_RESULTS) {
  for (const entry of targets) appendFileSync(process.env.BENCH_RESULTS, `${JSON.stringify(entry)}\n`);
}
if (sink === -1) console.log('');
