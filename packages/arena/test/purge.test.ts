import { statSync } from 'node:fs';
import { join } from 'node:path';
import { temporaryFolder } from '@mmapkit/conformance/cases';
import { afterAll, describe, expect, it } from 'vitest';
import { Arena } from '../src/index.js';

const folder = temporaryFolder('mmapkit-arena-purge-');
afterAll(() => folder.remove());

const mebibyte = 2 ** 20;

/** Allocates and touches `count` blocks of 1 MiB, returns their offsets. */
function fill(arena: Arena, count: number): number[] {
  const offsets: number[] = [];
  for (let index = 0; index < count; index++) {
    const offset = arena.alloc(mebibyte - 64);
    arena.bytes(offset).fill(index + 1);
    offsets.push(offset);
  }
  return offsets;
}

async function eventually(condition: () => boolean, what: string): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > 10_000) throw new Error(`${what} did not happen within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('freed large blocks go back to the operating system', () => {
  it('private anonymous memory: MADV_DONTNEED after the delay drops the resident pages', async () => {
    using arena = Arena.create({ reserve: 256 * mebibyte, purgeDelay: 50 });
    expect(arena.stats().purgeAdvice).toBe('dontneed');
    const offsets = fill(arena, 64);
    const resident = arena.stats().residentBytes as number;
    expect(resident).toBeGreaterThan(64 * mebibyte);
    for (const offset of offsets) arena.free(offset);
    await eventually(() => (arena.stats().residentBytes as number) < resident - 0.9 * 64 * mebibyte, 'the resident pages dropping');
    expect(arena.check()).toEqual([]);
    const again = arena.alloc(mebibyte);
    expect(arena.bytes(again).every((byte) => byte === 0 || byte === 1)).toBe(true);
  });

  it('a file: MADV_REMOVE on purge() punches holes, so the file’s allocated blocks drop', () => {
    const path = join(folder.folder, 'purge.arena');
    using arena = Arena.create({ path, size: 128 * mebibyte, purgeDelay: Number.POSITIVE_INFINITY });
    const offsets = fill(arena, 64);
    arena.sync();
    const allocated = statSync(path).blocks * 512;
    expect(allocated).toBeGreaterThan(64 * mebibyte);
    for (const offset of offsets) arena.free(offset);
    expect(arena.stats().pendingPurgeBytes).toBeGreaterThan(60 * mebibyte);
    const given = arena.purge();
    if (arena.stats().purgeAdvice === 'none') {
      // The temporary folder's file system cannot punch holes: say so rather than pass silently.
      expect.fail(`MADV_REMOVE is not supported on the file system of ${path}`);
    }
    expect(given).toBeGreaterThan(60 * mebibyte);
    expect(statSync(path).blocks * 512).toBeLessThan(allocated - 0.9 * 64 * mebibyte);
    expect(arena.check()).toEqual([]);
  });

  it('named shared memory: MADV_REMOVE frees the shared pages', async () => {
    const name = `mmapkit-arena-purge-${process.pid}`;
    const arena = Arena.create({ sharedMemory: name, size: 128 * mebibyte, purgeDelay: 20 });
    try {
      expect(arena.stats().purgeAdvice).toBe('remove');
      const offsets = fill(arena, 64);
      const resident = arena.stats().residentBytes as number;
      for (const offset of offsets) arena.free(offset);
      await eventually(() => (arena.stats().residentBytes as number) < resident - 0.9 * 64 * mebibyte, 'the shared pages being freed');
      expect(arena.check()).toEqual([]);
    } finally {
      arena.close();
      const { SharedMemory } = await import('mmapkit');
      SharedMemory.unlinkNamed(name);
    }
  });

  it('small frees are not purged one by one: nothing goes back below the 2 MiB batch unless forced', async () => {
    using arena = Arena.create({ reserve: 64 * mebibyte, purgeDelay: 10 });
    const offset = arena.alloc(mebibyte);
    arena.bytes(offset).fill(3);
    const keep = arena.alloc(16);
    arena.free(offset);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(arena.stats().pendingPurgeBytes).toBeGreaterThan(0);
    expect(arena.purge()).toBeGreaterThan(0.9 * mebibyte);
    expect(arena.stats().pendingPurgeBytes).toBe(0);
    arena.free(keep);
  });
});
