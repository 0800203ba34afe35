import { join } from 'node:path';
import { seededRandom, temporaryFolder } from '@mmapkit/conformance/cases';
import { afterAll, describe, expect, it } from 'vitest';
import { Arena, ArenaError, type CreateArenaOptions } from '../src/index.js';

const folder = temporaryFolder('mmapkit-arena-model-');
afterAll(() => folder.remove());

interface ModelBlock {
  size: number;
  fill: number;
  align: number;
}

function fillOf(offset: number, serial: number): number {
  return (offset / 16 + serial) & 255 || 1;
}

function verifyBlock(arena: Arena, offset: number, block: ModelBlock, length = block.size): void {
  const bytes = arena.bytes(offset);
  expect(bytes.length).toBe(block.size);
  for (let index = 0; index < length; index += 61) if (bytes[index] !== block.fill) throw new Error(`block ${offset} byte ${index} is ${bytes[index]}, expected ${block.fill}`);
  if (length > 0 && bytes[length - 1] !== block.fill) throw new Error(`block ${offset} last byte changed`);
}

/** Random alloc/free/realloc against a Map model; returns how many allocations ran out of memory. */
function runSequence(arena: Arena, seed: number, operations: number, largest: number): number {
  const random = seededRandom(seed);
  const model = new Map<number, ModelBlock>();
  let serial = 0;
  let outOfMemory = 0;
  for (let step = 0; step < operations; step++) {
    const choice = random();
    const offsets = [...model.keys()];
    if (choice < 0.5 || offsets.length === 0) {
      const size = Math.floor(random() ** 3 * largest);
      const align = random() < 0.2 ? 2 ** Math.floor(random() * 13) : 16;
      let offset: number;
      try {
        offset = arena.alloc(size, { align });
      } catch (error) {
        if (!(ArenaError.isInstance(error) && error.code === 'ERR_ARENA_OUT_OF_MEMORY')) throw error;
        expect(error.requested).toBe(size);
        expect(error.largestFree).toBeLessThan(size + align + 64);
        outOfMemory++;
        continue;
      }
      expect(offset).toBeGreaterThan(0);
      expect(offset % align).toBe(0);
      expect(model.has(offset)).toBe(false);
      const block = { size, fill: fillOf(offset, serial++), align };
      arena.bytes(offset).fill(block.fill);
      model.set(offset, block);
    } else {
      const offset = offsets[Math.floor(random() * offsets.length)] as number;
      const block = model.get(offset) as ModelBlock;
      verifyBlock(arena, offset, block);
      expect(arena.sizeOf(offset)).toBe(block.size);
      if (choice < 0.7) {
        const size = Math.floor(random() ** 3 * largest);
        let moved: number;
        try {
          moved = arena.realloc(offset, size);
        } catch (error) {
          if (!(ArenaError.isInstance(error) && error.code === 'ERR_ARENA_OUT_OF_MEMORY')) throw error;
          verifyBlock(arena, offset, block);
          outOfMemory++;
          continue;
        }
        model.delete(offset);
        const kept = { ...block, size };
        verifyBlock(arena, moved, kept, Math.min(size, block.size));
        kept.fill = fillOf(moved, serial++);
        arena.bytes(moved).fill(kept.fill);
        model.set(moved, kept);
      } else {
        arena.free(offset);
        model.delete(offset);
      }
    }
  }
  const blocks = arena.blocks();
  expect(blocks.map(([offset, size]) => [offset, size])).toEqual([...model].map(([offset, block]): [number, number] => [offset, block.size]).sort((left, right) => left[0] - right[0]));
  for (let index = 1; index < blocks.length; index++) {
    const [previous, previousSize] = blocks[index - 1] as [number, number];
    expect(previous + previousSize).toBeLessThanOrEqual((blocks[index] as [number, number])[0]);
  }
  for (const [offset, block] of model) verifyBlock(arena, offset, block);
  expect(arena.check()).toEqual([]);
  for (const offset of model.keys()) arena.free(offset);
  return outOfMemory;
}

const configurations: Array<[string, () => CreateArenaOptions]> = [
  ['private anonymous memory', () => ({ reserve: 64 * 2 ** 20 })],
  ['a file on the native backend (journaled, locked)', () => ({ path: join(folder.folder, 'native.arena'), size: 32 * 2 ** 20, backend: 'native-napi' })],
  ['a file on the koffi backend', () => ({ path: join(folder.folder, 'koffi.arena'), size: 32 * 2 ** 20, backend: 'ffi-koffi' })],
  ['a file on the fs backend (single-process)', () => ({ path: join(folder.folder, 'fs.arena'), size: 8 * 2 ** 20, backend: 'fallback-fs' })],
];

describe('random allocation sequences match a model', () => {
  for (const [name, options] of configurations) {
    it(`over ${name}: no overlap, alignment kept, sizes and contents preserved, check() clean, everything merges back`, () => {
      using arena = Arena.create(options());
      for (const seed of [1, 2, 3]) {
        runSequence(arena, seed, 1500, 64 * 1024);
        const stats = arena.stats();
        expect(stats.blocks).toBe(0);
        expect(stats.usedBytes).toBe(0);
        expect(stats.requestedBytes).toBe(0);
        expect(arena.check()).toEqual([]);
      }
    });
  }

  it('in an arena small enough to run out of memory: failures change nothing and report the largest free block', () => {
    using arena = Arena.create({ reserve: 1024 * 1024 });
    let outOfMemory = 0;
    for (const seed of [7, 8, 9]) outOfMemory += runSequence(arena, seed, 1500, 256 * 1024);
    expect(outOfMemory).toBeGreaterThan(0);
    expect(arena.stats().largestFreeBlock).toBe(arena.maxAllocation);
  });
});

describe('large reserves', () => {
  it('reserves 1 TiB of address space and hands out all of it in 1 GiB blocks without committing it', () => {
    using arena = Arena.create({ reserve: 2 ** 40 });
    expect(arena.sharing).toBe('private');
    const offsets: number[] = [];
    for (;;) {
      const offset = arena.tryAlloc(arena.maxAllocation);
      if (offset === 0) break;
      offsets.push(offset);
    }
    expect(offsets.length).toBe(1023);
    const last = offsets[offsets.length - 1] as number;
    expect(last).toBeGreaterThan(2 ** 40 - 2 ** 31);
    arena.bytes(last, 16).fill(9);
    expect(arena.bytes(last)[15]).toBe(9);
    const resident = arena.stats().residentBytes ?? 0;
    expect(resident).toBeLessThan(64 * 2 ** 20);
    expect(arena.check()).toEqual([]);
    for (const offset of offsets) arena.free(offset);
    expect(arena.stats().blocks).toBe(0);
    expect(arena.check()).toEqual([]);
  });

  it('works across 1 GiB segments past 4 GiB: blocks in later segments are writable and merge back', () => {
    using arena = Arena.create({ reserve: 5 * 2 ** 30 + 12345 * 16 });
    const random = seededRandom(11);
    const model = new Map<number, number>();
    for (let step = 0; step < 400; step++) {
      if (model.size === 0 || random() < 0.6) {
        const size = Math.floor(random() * 200 * 2 ** 20);
        const offset = arena.tryAlloc(size);
        if (offset === 0) continue;
        const fill = (offset / 16) & 255;
        arena.bytes(offset, Math.min(size, 64)).fill(fill);
        model.set(offset, fill);
      } else {
        const offset = [...model.keys()][Math.floor(random() * model.size)] as number;
        expect(arena.bytes(offset, 1)[0]).toBe(model.get(offset));
        arena.free(offset);
        model.delete(offset);
      }
    }
    expect(Math.max(...model.keys())).toBeGreaterThan(4 * 2 ** 30);
    expect(arena.check()).toEqual([]);
    for (const offset of model.keys()) arena.free(offset);
    expect(arena.check()).toEqual([]);
  });
});
