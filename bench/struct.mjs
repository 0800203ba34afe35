// Benchmarks of @mmapkit/struct against hand-written DataView code measured in the same run.
//
//   npm run build -w @mmapkit/struct && node bench/struct.mjs
//
// Optional comparison with typed-struct and restructure, installed outside the repository:
//
//   mkdir -p /tmp/structbench && cd /tmp/structbench && npm init -y && npm install typed-struct restructure
//   STRUCT_BENCH_COMPARE_DIR=/tmp/structbench node bench/struct.mjs
//
// Environment: STRUCT_BENCH_ROUNDS (default 7) rounds of fresh processes.
//
// Methodology (see packages/struct/README.md, "Benchmarks"):
// - Every workload runs in its own `node` process (started by this script with the same flags),
//   so that one workload's JIT state, feedback and garbage never affect another's.
// - Each process warms its workload the same way before timing: many calls over a few records
//   (so every bytecode of the workload, including what runs before and after the loop, has type
//   feedback, and V8 compiles the whole function with Turbofan rather than only its loop by
//   on-stack replacement), then two full calls. Without that, whether a workload ends up in
//   whole-function Turbofan code or stays in its OSR code (about 2x slower for these loops) is a
//   race between the concurrent compiler and the main thread, decided once per process.
// - Each process then times RUNS full calls and reports their median; the process also checks
//   that the workload is Turbofan-compiled (`%GetOptimizationStatus`) and says so if not.
// - Rounds: each round starts one process per workload, in a rotating order. The ratio of the
//   struct cursor to DataView is taken within each round, then summarized over rounds (median,
//   min–max). A second DataView process per round gives the self-vs-self ratio: the noise floor.
//
// Prints ratios (library time / DataView time); asserts nothing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { float64, int32, struct, uint16, uint32, uint8 } from '../packages/struct/dist/index.js';
import { describeRecord, median, recordTarget } from './lib/targets.mjs';

const RECORD_COUNT = 1_000_000;
const RUNS = 15;
const ROUNDS = Number(process.env.STRUCT_BENCH_ROUNDS ?? 7);
const WARMUP_CALLS = 300;
const WARMUP_RECORDS = 1_000;

// struct Record { uint32_t id; uint16_t flags; uint8_t kind; double x; double y; int32_t count; }  // 32 bytes
const Record = struct('Record', { id: uint32, flags: uint16, kind: uint8, x: float64, y: float64, count: int32 });

function makeBuffer() {
  const buffer = new ArrayBuffer(Record.size * RECORD_COUNT);
  const view = new DataView(buffer);
  for (let index = 0; index < RECORD_COUNT; index++) {
    const base = index * 32;
    view.setUint32(base, index, true);
    view.setUint16(base + 4, index & 0xffff, true);
    view.setUint8(base + 6, index & 7);
    view.setFloat64(base + 8, index * 0.5, true);
    view.setFloat64(base + 16, index * 0.25, true);
  }
  return buffer;
}

let sink = 0;

// The workload: read five fields of every record, increment a sixth. Each takes the number of
// records to process (the warm-up uses few).
const RECORD_WORKLOADS = {
  dataview(buffer) {
    const view = new DataView(buffer);
    return function handWritten(count) {
      let sum = 0;
      for (let index = 0; index < count; index++) {
        const base = index * 32;
        sum += view.getUint32(base, true) + view.getUint16(base + 4, true) + view.getUint8(base + 6);
        sum += view.getFloat64(base + 8, true) + view.getFloat64(base + 16, true);
        view.setInt32(base + 24, view.getInt32(base + 24, true) + 1, true);
      }
      sink += sum;
    };
  },
  cursor(buffer) {
    const records = Record.array(buffer);
    return function throughCursor(count) {
      let sum = 0;
      for (let index = 0; index < count; index++) {
        const record = records.at(index);
        sum += record.id + record.flags + record.kind;
        sum += record.x + record.y;
        record.count = record.count + 1;
      }
      sink += sum;
    };
  },
  // The same loop with `Record.array()` called inside the timed function: V8 may then spend its
  // inlining budget on `array()` and leave the `count` setter as a call (see the README).
  'cursor-array-inside'(buffer) {
    return function throughCursorArrayInside(count) {
      const records = Record.array(buffer);
      let sum = 0;
      for (let index = 0; index < count; index++) {
        const record = records.at(index);
        sum += record.id + record.flags + record.kind;
        sum += record.x + record.y;
        record.count = record.count + 1;
      }
      sink += sum;
    };
  },
};

// Creating standalone record views (count views per call).
const CREATE_COUNT = 1_000_000;
const CREATE_WORKLOADS = {
  'create-view'(buffer) {
    return function createViews(count) {
      let sum = 0;
      for (let index = 0; index < count; index++) sum += Record.view(buffer, (index & 1023) * 32).$byteOffset;
      sink += sum;
    };
  },
  'create-dataview'(buffer) {
    return function createDataViews(count) {
      let sum = 0;
      for (let index = 0; index < count; index++) sum += new DataView(buffer, (index & 1023) * 32, 32).byteOffset;
      sink += sum;
    };
  },
};

// Optional comparison libraries (one process each: they are orders of magnitude slower).
async function importFrom(compareDirectory, name) {
  const packageJson = join(compareDirectory, 'node_modules', name, 'package.json');
  if (!existsSync(packageJson)) return undefined;
  const { createRequire } = await import('node:module');
  const require = createRequire(pathToFileURL(join(compareDirectory, 'package.json')));
  return import(pathToFileURL(require.resolve(name)).href);
}

const COMPARE_WORKLOADS = {
  async 'typed-struct'(buffer, compareDirectory) {
    const module = await importFrom(compareDirectory, 'typed-struct');
    if (module === undefined) return undefined;
    const { Struct } = module.default ?? module;
    const TypedRecord = new Struct('Record')
      .UInt32LE('id').UInt16LE('flags').UInt8('kind').UInt8('padding0')
      .Float64LE('x').Float64LE('y').Int32LE('count').UInt32LE('padding2')
      .compile();
    const bytes = Buffer.from(buffer);
    return function typedStruct(count) {
      let sum = 0;
      for (let index = 0; index < count; index++) {
        const record = new TypedRecord(bytes.subarray(index * 32, index * 32 + 32));
        sum += record.id + record.flags + record.kind;
        sum += record.x + record.y;
        record.count = record.count + 1;
      }
      sink += sum;
    };
  },
  async restructure(buffer, compareDirectory) {
    const module = await importFrom(compareDirectory, 'restructure');
    if (module === undefined) return undefined;
    const r = module.Struct === undefined ? module.default : module;
    const RestructureRecord = new r.Struct({
      id: r.uint32le, flags: r.uint16le, kind: r.uint8, padding0: new r.Reserved(r.uint8, 1),
      x: r.doublele, y: r.doublele, count: r.int32le, padding2: new r.Reserved(r.uint8, 4),
    });
    const bytes = new Uint8Array(buffer);
    return function restructure(count) {
      let sum = 0;
      for (let index = 0; index < count; index++) {
        const slice = bytes.subarray(index * 32, index * 32 + 32);
        const record = RestructureRecord.fromBuffer(slice);
        sum += record.id + record.flags + record.kind;
        sum += record.x + record.y;
        record.count = record.count + 1;
        slice.set(RestructureRecord.toBuffer(record));
      }
      sink += sum;
    };
  },
};

/** `%GetOptimizationStatus` when natives syntax is allowed (always in child processes). */
function optimizationStatus(fn) {
  try {
    return new Function('fn', 'return %GetOptimizationStatus(fn);')(fn);
  } catch {
    return undefined;
  }
}
const TURBOFANNED = 1 << 6;

/** Child process: warm up, time `runs` full calls, print one JSON line. */
async function child(name) {
  const buffer = makeBuffer();
  let work;
  let full = RECORD_COUNT;
  let runs = RUNS;
  if (name in RECORD_WORKLOADS) work = RECORD_WORKLOADS[name](buffer);
  else if (name in CREATE_WORKLOADS) {
    work = CREATE_WORKLOADS[name](buffer);
    full = CREATE_COUNT;
  } else if (name in COMPARE_WORKLOADS) {
    work = await COMPARE_WORKLOADS[name](buffer, process.env.STRUCT_BENCH_COMPARE_DIR);
    if (work === undefined) {
      console.log(JSON.stringify({ name, missing: true }));
      return;
    }
    runs = 3;
  } else throw new Error(`unknown workload ${name}`);
  const warmupCalls = runs === RUNS ? WARMUP_CALLS : 10;
  for (let call = 0; call < warmupCalls; call++) work(WARMUP_RECORDS);
  work(full);
  work(full);
  const times = [];
  for (let run = 0; run < runs; run++) {
    const start = process.hrtime.bigint();
    work(full);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const status = optimizationStatus(work);
  console.log(
    JSON.stringify({
      name,
      median: median(times),
      min: Math.min(...times),
      turbofan: status === undefined ? undefined : (status & TURBOFANNED) !== 0,
      sink: sink === 42,
    }),
  );
}

function runChild(name) {
  const result = spawnSync(process.execPath, ['--allow-natives-syntax', fileURLToPath(import.meta.url), '--child', name], {
    encoding: 'utf8',
    env: process.env,
  });
  if (result.status !== 0) throw new Error(`workload ${name} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop());
}

function summary(values, digits = 2) {
  return `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)} – ${Math.max(...values).toFixed(digits)})`;
}

async function parent() {
  const notOptimized = new Set();
  const recordNames = ['dataview', 'cursor', 'dataview', 'cursor-array-inside'];
  const createNames = ['create-view', 'create-dataview'];
  const times = { dataview: [], control: [], cursor: [], inside: [], 'create-view': [], 'create-dataview': [] };
  const cursorRatios = [];
  const insideRatios = [];
  const controlRatios = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order so that no workload always runs first (or right after another one).
    const order = recordNames.map((_, index) => (index + round) % recordNames.length);
    const results = [];
    for (const index of order) results[index] = runChild(recordNames[index]);
    const [dataview, cursor, control, inside] = results;
    for (const result of results) if (result.turbofan === false) notOptimized.add(result.name);
    times.dataview.push(dataview.median);
    times.control.push(control.median);
    times.cursor.push(cursor.median);
    times.inside.push(inside.median);
    cursorRatios.push(cursor.median / dataview.median);
    insideRatios.push(inside.median / dataview.median);
    controlRatios.push(control.median / dataview.median);
    if (round < 3) for (const name of createNames) times[name].push(runChild(name).median);
    process.stderr.write(`round ${round + 1}/${ROUNDS}: dataview ${dataview.median.toFixed(2)} ms, cursor ${cursor.median.toFixed(2)} ms, control ${control.median.toFixed(2)} ms, array inside ${inside.median.toFixed(2)} ms\n`);
  }

  const compareRows = [];
  const notes = [];
  if (process.env.STRUCT_BENCH_COMPARE_DIR === undefined) {
    notes.push('typed-struct and restructure were not compared (set STRUCT_BENCH_COMPARE_DIR to a folder where they are installed)');
  } else {
    for (const name of Object.keys(COMPARE_WORKLOADS)) {
      const result = runChild(name);
      if (result.missing) notes.push(`${name} was not compared: not installed in ${process.env.STRUCT_BENCH_COMPARE_DIR}`);
      else compareRows.push([name, result.median]);
    }
  }
  const baseline = median(times.dataview);

  console.log(
    `node ${process.version}, ${RECORD_COUNT} records of ${Record.size} bytes; ${ROUNDS} rounds of one process per workload; ` +
      `per process: median of ${RUNS} timed calls after warm-up. Shown: median over rounds (min – max).`,
  );
  console.log('');
  console.log('| workload: read 5 fields, increment 1, per record | time (ms) | ratio vs DataView, same round |');
  console.log('|---|---:|---:|');
  console.log(`| hand-written DataView | ${summary(times.dataview)} | 1.00x |`);
  console.log(`| hand-written DataView again (noise floor) | ${summary(times.control)} | ${summary(controlRatios)}x |`);
  console.log(`| @mmapkit/struct cursor (at) | ${summary(times.cursor)} | ${summary(cursorRatios)}x |`);
  console.log(`| cursor, with Record.array() inside the timed function | ${summary(times.inside)} | ${summary(insideRatios)}x |`);
  for (const [name, time] of compareRows) {
    console.log(`| ${name} (1 process) | ${time.toFixed(0)} | ~${(time / baseline).toFixed(0)}x |`);
  }
  console.log('');
  console.log('| creating a standalone record view | ns per view |');
  console.log('|---|---:|');
  const perView = (values) => summary(values.map((time) => (time * 1e6) / CREATE_COUNT), 1);
  console.log(`| Record.view(buffer, offset) | ${perView(times['create-view'])} |`);
  console.log(`| new DataView(buffer, offset, 32) (reference) | ${perView(times['create-dataview'])} |`);
  console.log('');
  const targets = [
    recordTarget({ issue: 6, target: 'struct cursor (at) vs hand-written DataView, 1e6 records', goal: '≤ 1.2x', ratios: cursorRatios }),
    recordTarget({ issue: 6, target: 'struct cursor, Record.array() inside the timed function, vs DataView', goal: '≤ 1.2x', ratios: insideRatios }),
    recordTarget({
      issue: 6,
      target: 'creating a standalone record view',
      goal: '≤ 100 ns',
      ratios: times['create-view'].map((time) => (time * 1e6) / CREATE_COUNT),
    }),
  ];
  for (const record of targets) console.log(`target #${record.issue} ${record.target}: ${describeRecord(record)}`);
  if (notOptimized.size > 0) {
    notes.push(`not Turbofan-compiled at the end of timing in some process: ${[...notOptimized].join(', ')}`);
  }
  for (const note of notes) console.log(`\nnote: ${note}`);
}

if (process.argv[2] === '--child') await child(process.argv[3]);
else await parent();
