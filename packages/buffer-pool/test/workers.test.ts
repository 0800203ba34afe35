import { afterAll, describe, expect, it } from 'vitest';
import { checksummedFileAt, full, poolBackends, runFixture, scratch } from './support/fixtures.js';
import { fixtureReport } from '@mmapkit/conformance/cases';

const folder = scratch();
afterAll(() => folder.remove());

/** Reads per worker: 1e6 in all with MMAPKIT_FULL=1, 4e4 otherwise (checksumming is slow in CI). */
const readsPerWorker = full ? 500_000 : 20_000;

interface WorkerReport {
  mismatches: number;
  writes: number;
  hits: number;
  misses: number;
  evictions: number;
  stalls: number;
}

describe.each(poolBackends)('two worker threads sharing one pool (%s, in a child process)', (backend) => {
  it(`${2 * readsPerWorker} checksummed page reads while both rewrite pages: 0 mismatches, the file ends with every last version`, async () => {
    const path = checksummedFileAt(folder.file(`workers-${backend}.bin`), 512, 4096);
    const run = await runFixture<{ workers: WorkerReport[]; staleOnDisk: number }>('workers.mjs', [path, backend, String(readsPerWorker)]);
    const report = fixtureReport<{ workers: WorkerReport[]; staleOnDisk: number }>(run);
    for (const worker of report.workers) {
      expect(worker.mismatches).toBe(0);
      expect(worker.writes).toBeGreaterThan(0);
      expect(worker.evictions).toBeGreaterThan(0);
    }
    expect(report.staleOnDisk).toBe(0);
  }, full ? 900_000 : 60_000);
});
