import { describe, expect, it } from 'vitest';
import { Arena } from '../src/index.js';

describe('realloc grows in place when it can', () => {
  it('grows into the free block after it (same offset, contents kept), shrinks in place, and moves only when the next block is in use', () => {
    using arena = Arena.create({ reserve: 4 * 2 ** 20 });
    const first = arena.alloc(100);
    const neighbour = arena.alloc(1000);
    const fence = arena.alloc(16);
    arena.bytes(first).fill(7);
    arena.free(neighbour);
    const grown = arena.realloc(first, 900);
    expect(grown).toBe(first);
    expect(arena.sizeOf(grown)).toBe(900);
    expect(arena.bytes(grown, 100).every((byte) => byte === 7)).toBe(true);
    const shrunk = arena.realloc(grown, 40);
    expect(shrunk).toBe(first);
    expect(arena.sizeOf(shrunk)).toBe(40);
    expect(arena.check()).toEqual([]);
    const moved = arena.realloc(shrunk, 4000);
    expect(moved).not.toBe(first);
    expect(arena.bytes(moved, 40).every((byte) => byte === 7)).toBe(true);
    expect(arena.blocks().map(([offset]) => offset)).toEqual([fence, moved].sort((left, right) => left - right));
    expect(arena.check()).toEqual([]);
  });
});

describe('stats() counts blocks per size class', () => {
  it('each first-level class reports the blocks in use whose size it holds', () => {
    using arena = Arena.create({ reserve: 16 * 2 ** 20 });
    const sizes = [16, 16, 100, 1000, 1000, 1000, 100_000];
    const offsets = sizes.map((size) => arena.alloc(size));
    const stats = arena.stats();
    expect(stats.blocks).toBe(sizes.length);
    expect(stats.requestedBytes).toBe(sizes.reduce((total, size) => total + size, 0));
    expect(stats.sizeClasses.reduce((total, sizeClass) => total + sizeClass.blocks, 0)).toBe(sizes.length);
    for (const size of sizes) {
      const holder = stats.sizeClasses.find((sizeClass) => sizeClass.maxSize >= size);
      expect(holder, `a class holds ${size} bytes`).toBeDefined();
    }
    const classOf = (size: number) => stats.sizeClasses.findIndex((sizeClass) => sizeClass.maxSize >= size);
    expect(classOf(1000)).toBeGreaterThan(classOf(100));
    expect(stats.sizeClasses[classOf(1000)]?.blocks).toBe(3);
    for (const offset of offsets) arena.free(offset);
    expect(arena.stats().sizeClasses).toEqual([]);
  });

  it("a class's maxSize is exact: a request of maxSize lands in it, one byte more in the next", () => {
    using arena = Arena.create({ reserve: 16 * 2 ** 20 });
    for (const size of [16, 1000, 5000, 100_000]) {
      const probe = arena.alloc(size);
      const [sizeClass] = arena.stats().sizeClasses;
      arena.free(probe);
      const largest = (sizeClass as { maxSize: number }).maxSize;
      const atLimit = arena.alloc(largest);
      expect(arena.stats().sizeClasses).toEqual([{ maxSize: largest, blocks: 1 }]);
      arena.free(atLimit);
      const past = arena.alloc(largest + 1);
      expect(arena.stats().sizeClasses[0]?.maxSize).toBeGreaterThan(largest);
      arena.free(past);
    }
  });
});
