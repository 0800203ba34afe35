import { join } from 'node:path';
import { fixtureReport, runFixture, temporaryFolder } from '@mmapkit/conformance/cases';
import { SharedMemory } from 'mmapkit';
import { afterAll, describe, expect, it } from 'vitest';
import { Arena } from '../src/index.js';
import { full } from './support.js';

const folder = temporaryFolder('mmapkit-arena-threads-');
afterAll(() => folder.remove());

const threads = 4;
const operations = full ? 100_000 : 5_000;
const fixture = new URL('./fixtures/threads.mjs', import.meta.url);

interface ThreadsReport {
  threads: Array<{ threadId: number; operations: number; allocated: number }>;
}

async function fourThreads(where: string, backend: string): Promise<void> {
  const report = fixtureReport<ThreadsReport>(await runFixture(fixture, [where, backend, String(threads), String(operations)]));
  expect(report.threads.map((thread) => thread.operations)).toEqual(Array(threads).fill(operations));
  expect(new Set(report.threads.map((thread) => thread.threadId)).size).toBe(threads);
  for (const thread of report.threads) expect(thread.allocated).toBeGreaterThan(operations / 4);
}

describe(`${threads} worker threads of one process doing ${operations} random operations each on one arena`, () => {
  it('over a file (native backend): the lock excludes threads sharing a pid, every block verified by its thread, check() clean', async () => {
    const path = join(folder.folder, 'threads.arena');
    using arena = Arena.create({ path, size: 32 * 2 ** 20 });
    await fourThreads(path, 'native-napi');
    expect(arena.check()).toEqual([]);
    expect(arena.stats().blocks).toBe(0);
    expect(arena.stats().largestFreeBlock).toBe(arena.maxAllocation);
  });

  it('over named shared memory (koffi backend): the same', async () => {
    const name = `mmapkit-arena-threads-${process.pid}`;
    const arena = Arena.create({ sharedMemory: name, size: 32 * 2 ** 20, backend: 'ffi-koffi' });
    try {
      await fourThreads(`shm:${name}`, 'ffi-koffi');
      expect(arena.check()).toEqual([]);
      expect(arena.stats().blocks).toBe(0);
    } finally {
      arena.close();
      SharedMemory.unlinkNamed(name);
    }
  });
});
