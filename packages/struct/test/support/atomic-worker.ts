/**
 * Worker body for the cross-thread atomics test (bundled by the test with esbuild, because
 * worker threads do not go through vitest's TypeScript transform).
 *
 * The writer increments `hits` by 1 and `total` by 3 in every record, round after round; the
 * reader keeps reading both and checks that no value ever goes backwards.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { int32, int64, struct, uint32, uint64, uint8 } from '../../src/index.js';

interface Job {
  readonly buffer: SharedArrayBuffer;
  readonly recordCount: number;
  readonly rounds: number;
  readonly role: 'writer' | 'reader';
}

// The same declaration as in the test: layouts are values, so each thread declares its own.
const Counter = struct('Counter', {
  hits: uint32.atomic(),
  balance: int32.atomic(),
  total: uint64.atomic(),
  signedTotal: int64.atomic().asNumber(),
  tag: uint8,
});

const job = workerData as Job;
const records = Counter.array(job.buffer);
const hits = Counter.atomic('hits');
const total = Counter.atomic('total');
let violations = 0;
let reads = 0;

if (job.role === 'writer') {
  for (let round = 0; round < job.rounds; round++) {
    for (let index = 0; index < job.recordCount; index++) {
      const record = records.at(index);
      hits.add(record, 1);
      total.add(record, 3n);
    }
  }
} else {
  const lastHits = new Array<number>(job.recordCount).fill(0);
  const lastTotals = new Array<bigint>(job.recordCount).fill(0n);
  const finalHits = job.rounds;
  let done = false;
  while (!done) {
    done = true;
    for (let index = 0; index < job.recordCount; index++) {
      const record = records.at(index);
      const seenHits = hits.load(record);
      const seenTotal = total.load(record);
      reads++;
      if (seenHits < (lastHits[index] ?? 0) || seenTotal < (lastTotals[index] ?? 0n)) violations++;
      lastHits[index] = seenHits;
      lastTotals[index] = seenTotal;
      if (seenHits !== finalHits) done = false;
    }
  }
}
parentPort?.postMessage({ violations, reads });
