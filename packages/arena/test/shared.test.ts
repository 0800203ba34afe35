import { join } from 'node:path';
import { temporaryFolder } from '@mmapkit/conformance/cases';
import { afterAll, describe, expect, it } from 'vitest';
import { SharedMemory } from 'mmapkit';
import { Arena } from '../src/index.js';
import { full, runChild } from './support.js';

const folder = temporaryFolder('mmapkit-arena-shared-');
afterAll(() => folder.remove());

const operations = full ? 100_000 : 10_000;

async function fourProcesses(where: string, backend: string): Promise<void> {
  const results = await Promise.all([1, 2, 3, 4].map((seed) => runChild(['random', where, backend, String(seed), String(operations)])));
  for (const result of results) {
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { operations: number }).operations).toBe(operations);
  }
}

describe(`four processes doing ${operations} random operations each on one arena`, () => {
  it('over a file (native backend): every block verified by its owner, check() clean, everything freed', async () => {
    const path = join(folder.folder, 'four.arena');
    using arena = Arena.create({ path, size: 64 * 2 ** 20 });
    expect(arena.sharing).toBe('shared');
    await fourProcesses(path, 'native-napi');
    expect(arena.check()).toEqual([]);
    expect(arena.stats().blocks).toBe(0);
    expect(arena.stats().largestFreeBlock).toBe(arena.maxAllocation);
  });

  it('over named shared memory (koffi backend): the same', async () => {
    const name = `mmapkit-arena-four-${process.pid}`;
    const arena = Arena.create({ sharedMemory: name, size: 64 * 2 ** 20, backend: 'ffi-koffi' });
    try {
      await fourProcesses(`shm:${name}`, 'ffi-koffi');
      expect(arena.check()).toEqual([]);
      expect(arena.stats().blocks).toBe(0);
    } finally {
      arena.close();
      SharedMemory.unlinkNamed(name);
    }
  });
});
