/**
 * Mapping, viewing and closing many times keeps no native memory: Node frees the
 * bookkeeping of every external buffer and handle finalizer only on a later event-loop
 * turn, in one batch, and the addon gives that memory back to the system (native/memory.h).
 * In a child process (`--expose-gc`), so the measurement sees only this loop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureReport, runFixture, temporaryFolder } from './helpers.js';

/** MMAPKIT_FULL=1 runs the full million cycles. */
const cycles = process.env.MMAPKIT_FULL === '1' ? 1_000_000 : 200_000;

let folder: string;
let remove: () => void;
beforeAll(() => {
  ({ folder, remove } = temporaryFolder());
});
afterAll(() => remove());

interface LeakReport {
  readonly sum: number;
  readonly rssGrowthMiB: number;
  readonly heapGrowthMiB: number;
  readonly nativeGrowthMiB: number;
}

describe('native-napi memory', () => {
  it(`${cycles} cycles of map + bytes + close in one synchronous loop, then GC: RSS outside the V8 heap grows by less than 16 MiB`, async () => {
    const result = fixtureReport<LeakReport>(await runFixture('leak.mjs', [folder, String(cycles)], { flags: ['--expose-gc'] }));
    expect(result.sum).toBe(cycles + 20_000);
    expect(result.nativeGrowthMiB).toBeLessThan(16);
  }, 120_000);
});
