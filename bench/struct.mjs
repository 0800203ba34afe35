// Benchmarks of @mmapkit/struct against hand-written DataView code measured in the same run.
//
//   npm run build -w @mmapkit/struct && node bench/struct.mjs
//
// Optional comparison with typed-struct and restructure, installed outside the repository:
//
//   mkdir -p /tmp/structbench && cd /tmp/structbench && npm init -y && npm install typed-struct restructure
//   STRUCT_BENCH_COMPARE_DIR=/tmp/structbench node bench/struct.mjs
//
// Prints ratios (library time / DataView time); asserts nothing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { float64, int32, struct, uint16, uint32, uint8 } from '../packages/struct/dist/index.js';

const RECORD_COUNT = 1_000_000;
const RUNS = 9;
const ROUNDS = 5;

// struct Record { uint32_t id; uint16_t flags; uint8_t kind; double x; double y; int32_t count; }  // 32 bytes
const Record = struct('Record', { id: uint32, flags: uint16, kind: uint8, x: float64, y: float64, count: int32 });
const buffer = new ArrayBuffer(Record.size * RECORD_COUNT);
{
  const view = new DataView(buffer);
  for (let index = 0; index < RECORD_COUNT; index++) {
    const base = index * 32;
    view.setUint32(base, index, true);
    view.setUint16(base + 4, index & 0xffff, true);
    view.setUint8(base + 6, index & 7);
    view.setFloat64(base + 8, index * 0.5, true);
    view.setFloat64(base + 16, index * 0.25, true);
  }
}

/** Fastest wall time in milliseconds of `RUNS` runs after two warm-up runs (the least noisy statistic on a busy machine). */
function measure(work) {
  work();
  work();
  let best = Infinity;
  for (let run = 0; run < RUNS; run++) {
    const start = process.hrtime.bigint();
    work();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return best;
}

/** Measures several workloads in alternation, `ROUNDS` times, keeping each one's fastest time. */
function measureInterleaved(workloads) {
  const best = workloads.map(() => Infinity);
  for (let round = 0; round < ROUNDS; round++) {
    workloads.forEach((work, index) => {
      best[index] = Math.min(best[index], measure(work));
    });
  }
  return best;
}

let sink = 0;

// The workload: read five fields of every record, increment a sixth.
function handWritten() {
  const view = new DataView(buffer);
  let sum = 0;
  for (let index = 0; index < RECORD_COUNT; index++) {
    const base = index * 32;
    sum += view.getUint32(base, true) + view.getUint16(base + 4, true) + view.getUint8(base + 6);
    sum += view.getFloat64(base + 8, true) + view.getFloat64(base + 16, true);
    view.setInt32(base + 24, view.getInt32(base + 24, true) + 1, true);
  }
  sink += sum;
}

function throughCursor() {
  const records = Record.array(buffer);
  let sum = 0;
  for (let index = 0; index < RECORD_COUNT; index++) {
    const record = records.at(index);
    sum += record.id + record.flags + record.kind;
    sum += record.x + record.y;
    record.count = record.count + 1;
  }
  sink += sum;
}

const results = [];
const [baseline, cursorTime] = measureInterleaved([handWritten, throughCursor]);
results.push(['hand-written DataView', baseline]);
results.push(['@mmapkit/struct cursor (at)', cursorTime]);

// Creating standalone record views.
const CREATE_COUNT = 1_000_000;
function createViews() {
  let sum = 0;
  for (let index = 0; index < CREATE_COUNT; index++) {
    sum += Record.view(buffer, (index & 1023) * 32).$byteOffset;
  }
  sink += sum;
}
function createDataViews() {
  let sum = 0;
  for (let index = 0; index < CREATE_COUNT; index++) {
    sum += new DataView(buffer, (index & 1023) * 32, 32).byteOffset;
  }
  sink += sum;
}
const [createTime, dataViewCreateTime] = measureInterleaved([createViews, createDataViews]);

// Optional comparison libraries.
const compareDirectory = process.env.STRUCT_BENCH_COMPARE_DIR;
const notes = [];
async function importFrom(name) {
  const packageJson = join(compareDirectory, 'node_modules', name, 'package.json');
  if (!existsSync(packageJson)) return undefined;
  const { createRequire } = await import('node:module');
  const require = createRequire(pathToFileURL(join(compareDirectory, 'package.json')));
  return import(pathToFileURL(require.resolve(name)).href);
}
if (compareDirectory === undefined) {
  notes.push('typed-struct and restructure were not compared (set STRUCT_BENCH_COMPARE_DIR to a folder where they are installed)');
} else {
  const typedStructModule = await importFrom('typed-struct');
  if (typedStructModule === undefined) {
    notes.push(`typed-struct was not compared: not installed in ${compareDirectory}`);
  } else {
    const { Struct } = typedStructModule.default ?? typedStructModule;
    const TypedRecord = new Struct('Record')
      .UInt32LE('id').UInt16LE('flags').UInt8('kind').UInt8('padding0')
      .Float64LE('x').Float64LE('y').Int32LE('count').UInt32LE('padding2')
      .compile();
    const bytes = Buffer.from(buffer);
    results.push([
      'typed-struct (one instance per record)',
      measure(() => {
        let sum = 0;
        for (let index = 0; index < RECORD_COUNT; index++) {
          const record = new TypedRecord(bytes.subarray(index * 32, index * 32 + 32));
          sum += record.id + record.flags + record.kind;
          sum += record.x + record.y;
          record.count = record.count + 1;
        }
        sink += sum;
      }),
    ]);
  }
  const restructureModule = await importFrom('restructure');
  if (restructureModule === undefined) {
    notes.push(`restructure was not compared: not installed in ${compareDirectory}`);
  } else {
    const r = restructureModule.Struct === undefined ? restructureModule.default : restructureModule;
    const RestructureRecord = new r.Struct({
      id: r.uint32le, flags: r.uint16le, kind: r.uint8, padding0: new r.Reserved(r.uint8, 1),
      x: r.doublele, y: r.doublele, count: r.int32le, padding2: new r.Reserved(r.uint8, 4),
    });
    const bytes = new Uint8Array(buffer);
    results.push([
      'restructure (decode + encode per record)',
      measure(() => {
        let sum = 0;
        for (let index = 0; index < RECORD_COUNT; index++) {
          const slice = bytes.subarray(index * 32, index * 32 + 32);
          const record = RestructureRecord.fromBuffer(slice);
          sum += record.id + record.flags + record.kind;
          sum += record.x + record.y;
          record.count = record.count + 1;
          slice.set(RestructureRecord.toBuffer(record));
        }
        sink += sum;
      }),
    ]);
  }
}

console.log(`node ${process.version}, ${RECORD_COUNT} records of ${Record.size} bytes, fastest of ${RUNS * ROUNDS} runs, workloads interleaved`);
console.log('');
console.log('| workload: read 5 fields, increment 1, per record | time (ms) | ratio vs DataView |');
console.log('|---|---:|---:|');
for (const [name, time] of results) {
  console.log(`| ${name} | ${time.toFixed(1)} | ${(time / baseline).toFixed(2)}x |`);
}
console.log('');
console.log(`| creating a standalone record view | ns per view |`);
console.log('|---|---:|');
console.log(`| Record.view(buffer, offset) | ${((createTime * 1e6) / CREATE_COUNT).toFixed(1)} |`);
console.log(`| new DataView(buffer, offset, 32) (reference) | ${((dataViewCreateTime * 1e6) / CREATE_COUNT).toFixed(1)} |`);
for (const note of notes) console.log(`\nnote: ${note}`);
if (sink === 42) console.log('');
