import { closeSync, openSync, readSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { temporaryFolder } from '@mmapkit/conformance/cases';
import { float64, struct, uint32 } from '@mmapkit/struct';
import { afterAll, describe, expect, it } from 'vitest';
import { Arena, ArenaError } from '../src/index.js';
import { codeOf } from './support.js';

const folder = temporaryFolder('mmapkit-arena-bad-');
afterAll(() => folder.remove());

describe('bad arguments are typed errors that name the argument and change nothing', () => {
  const arena = Arena.create({ reserve: 16 * 2 ** 20 });
  afterAll(() => arena.close());
  const live = arena.alloc(100);
  arena.bytes(live).fill(5);

  const cases: Array<[string, () => unknown, string]> = [
    ['alloc(-1)', () => arena.alloc(-1), 'RangeError:ERR_OUT_OF_RANGE'],
    ['alloc(NaN)', () => arena.alloc(Number.NaN), 'RangeError:ERR_OUT_OF_RANGE'],
    ['alloc(1.5)', () => arena.alloc(1.5), 'RangeError:ERR_OUT_OF_RANGE'],
    ["alloc('8')", () => arena.alloc('8' as unknown as number), 'TypeError:ERR_INVALID_ARG_TYPE'],
    ['alloc(more than the reserve)', () => arena.alloc(32 * 2 ** 20), 'RangeError:ERR_OUT_OF_RANGE'],
    ['alloc(8, { align: 24 })', () => arena.alloc(8, { align: 24 }), 'RangeError:ERR_OUT_OF_RANGE'],
    ['alloc(8, { align: 0 })', () => arena.alloc(8, { align: 0 }), 'RangeError:ERR_OUT_OF_RANGE'],
    ['alloc(8, { align: 2 ** 22 })', () => arena.alloc(8, { align: 2 ** 22 }), 'RangeError:ERR_OUT_OF_RANGE'],
    ['alloc(8, { alignment: 64 })', () => arena.alloc(8, { alignment: 64 } as never), 'TypeError:ERR_INVALID_ARG_TYPE'],
    ['free(-16)', () => arena.free(-16), 'RangeError:ERR_OUT_OF_RANGE'],
    ['free(NaN)', () => arena.free(Number.NaN), 'RangeError:ERR_OUT_OF_RANGE'],
    ['free(undefined)', () => arena.free(undefined as unknown as number), 'TypeError:ERR_INVALID_ARG_TYPE'],
    ['free(inside a block)', () => arena.free(live + 16), 'ERR_ARENA_BAD_FREE'],
    ['free(unaligned)', () => arena.free(live + 3), 'ERR_ARENA_BAD_FREE'],
    ['free(the header)', () => arena.free(64), 'ERR_ARENA_BAD_FREE'],
    ['free(past the end)', () => arena.free(2 ** 40), 'ERR_ARENA_BAD_FREE'],
    ['realloc(foreign offset)', () => arena.realloc(live + 32, 10), 'ERR_ARENA_BAD_FREE'],
    ['sizeOf(foreign offset)', () => arena.sizeOf(12345 * 16), 'ERR_ARENA_BAD_FREE'],
    ['bytes(live, past the block)', () => arena.bytes(live, 101), 'RangeError:ERR_OUT_OF_RANGE'],
    ['array(not a type)', () => arena.array({} as never, live), 'TypeError:ERR_INVALID_ARG_TYPE'],
    ['struct(not a layout)', () => arena.struct({} as never, live), 'TypeError:ERR_INVALID_ARG_TYPE'],
    ['setRoot(foreign offset)', () => arena.setRoot(live + 16), 'RangeError:ERR_OUT_OF_RANGE'],
    ['create()', () => Arena.create(undefined as never), 'TypeError:ERR_INVALID_ARG_TYPE'],
    ['create({})', () => Arena.create({}), 'TypeError:ERR_INVALID_ARG_TYPE'],
    ['create({ reserve: -1 })', () => Arena.create({ reserve: -1 }), 'RangeError:ERR_OUT_OF_RANGE'],
    ['create({ reserve, path })', () => Arena.create({ reserve: 2 ** 20, path: 'x' }), 'TypeError:ERR_INVALID_ARG_TYPE'],
    ['create({ reserv })', () => Arena.create({ reserv: 2 ** 20 } as never), 'TypeError:ERR_INVALID_ARG_TYPE'],
    ['create({ path, no size })', () => Arena.create({ path: join(folder.folder, 'none') }), 'TypeError:ERR_INVALID_ARG_TYPE'],
    ['create({ reserve, purgeDelay: -1 })', () => Arena.create({ reserve: 2 ** 20, purgeDelay: -1 }), 'RangeError:ERR_OUT_OF_RANGE'],
    ['create({ reserve: 2 ** 40, fs backend })', () => Arena.create({ reserve: 2 ** 40, backend: 'fallback-fs' }), 'ERR_ARENA_UNSUPPORTED'],
    ['open({ path: 42 })', () => Arena.open({ path: 42 as never }), 'TypeError:ERR_INVALID_ARG_TYPE'],
  ];

  for (const [name, action, expected] of cases) {
    it(`${name} throws ${expected}`, () => {
      expect(codeOf(action)).toBe(expected);
      expect(arena.check()).toEqual([]);
      expect(arena.bytes(live).every((byte) => byte === 5)).toBe(true);
    });
  }

  it('a double free is ERR_ARENA_BAD_FREE saying so, with the offset, and the heap stays sound', () => {
    const offset = arena.alloc(64);
    arena.free(offset);
    let caught: unknown;
    try {
      arena.free(offset);
    } catch (error) {
      caught = error;
    }
    expect(ArenaError.isInstance(caught)).toBe(true);
    expect((caught as ArenaError).code).toBe('ERR_ARENA_BAD_FREE');
    expect((caught as ArenaError).offset).toBe(offset);
    expect((caught as ArenaError).message).toMatch(/double free/);
    expect(arena.check()).toEqual([]);
  });

  it('free(0) does nothing, like free(NULL)', () => {
    const before = arena.stats();
    arena.free(0);
    expect(arena.stats().blocks).toBe(before.blocks);
  });

  it('out of memory is ERR_ARENA_OUT_OF_MEMORY with the size asked and the largest free block; tryAlloc returns 0', () => {
    const hog = arena.alloc(arena.stats().largestFreeBlock);
    let caught: unknown;
    try {
      arena.alloc(4096);
    } catch (error) {
      caught = error;
    }
    expect((caught as ArenaError).code).toBe('ERR_ARENA_OUT_OF_MEMORY');
    expect((caught as ArenaError).requested).toBe(4096);
    expect((caught as ArenaError).largestFree).toBeLessThan(4096);
    expect(arena.tryAlloc(4096)).toBe(0);
    arena.free(hog);
  });

  it('a closed arena throws ERR_ARENA_CLOSED and its views are detached', () => {
    const other = Arena.create({ reserve: 2 ** 20 });
    const offset = other.alloc(10);
    const view = other.bytes(offset);
    other.close();
    expect(codeOf(() => other.alloc(1))).toBe('ERR_ARENA_CLOSED');
    expect(codeOf(() => other.free(offset))).toBe('ERR_ARENA_CLOSED');
    expect(view.length).toBe(0);
    other.close();
  });

  it('struct views: allocStruct() returns a record over the block, struct() views it again, offsetOf() names it', () => {
    const Point = struct('Point', { id: uint32, x: float64 });
    const point = arena.allocStruct(Point);
    point.x = 2.5;
    point.id = 7;
    const offset = arena.offsetOf(point);
    expect(offset % 16).toBe(0);
    expect(arena.struct(Point, offset).x).toBe(2.5);
    expect(arena.array(Uint32Array, offset, 1)[0]).toBe(7);
    arena.free(offset);
  });
});

describe('files that are not sound arenas are ERR_ARENA_CORRUPT, never an out-of-bounds access', () => {
  function corruptCode(prepare: (path: string) => void): { code: string; problem: string | undefined } {
    const path = join(folder.folder, `corrupt-${Math.random().toString(36).slice(2)}.arena`);
    prepare(path);
    try {
      Arena.open({ path }).close();
    } catch (error) {
      return { code: String((error as { code?: unknown }).code), problem: (error as ArenaError).problem };
    }
    return { code: 'did not throw', problem: undefined };
  }

  function realArena(path: string): void {
    const arena = Arena.create({ path, size: 4 * 2 ** 20 });
    arena.alloc(1000);
    arena.close();
  }

  it('a foreign file', () => {
    const result = corruptCode((path) => writeFileSync(path, Buffer.alloc(65536, 0x41)));
    expect(result.code).toBe('ERR_ARENA_CORRUPT');
    expect(result.problem).toMatch(/magic/);
  });

  it('a file shorter than the header', () => {
    const result = corruptCode((path) => writeFileSync(path, Buffer.alloc(100)));
    expect(result.code).toBe('ERR_ARENA_CORRUPT');
    expect(result.problem).toMatch(/shorter/);
  });

  it('a truncated arena', () => {
    const result = corruptCode((path) => {
      realArena(path);
      truncateSync(path, 2 * 2 ** 20);
    });
    expect(result.code).toBe('ERR_ARENA_CORRUPT');
    expect(result.problem).toMatch(/truncated/);
  });

  it('a damaged header (checksum)', () => {
    const result = corruptCode((path) => {
      realArena(path);
      const fd = openSync(path, 'r+');
      // Flip every bit of one header byte: writing a fixed value is no change when the byte
      // (part of a field that differs from run to run) already holds it.
      const byte = Buffer.alloc(1);
      readSync(fd, byte, 0, 1, 20);
      writeSync(fd, Buffer.from([(byte[0] as number) ^ 0xff]), 0, 1, 20);
      closeSync(fd);
    });
    expect(result.code).toBe('ERR_ARENA_CORRUPT');
    expect(result.problem).toMatch(/checksum/);
  });

  it('damaged boundary tags are reported by check() as a list, not thrown', () => {
    const path = join(folder.folder, 'tags.arena');
    realArena(path);
    using arena = Arena.open({ path });
    const offset = arena.alloc(100);
    const words = new Int32Array(arena.mapping.view(offset - 16, 16).slice().buffer);
    expect(words[0]).toBeGreaterThan(0);
    arena.mapping.view(offset - 16, 4).fill(0xff);
    const problems = arena.check();
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]?.problem).toMatch(/impossible size|bad boundary tag/);
  });

  it('creating over a file that holds data is ERR_ARENA_EXISTS', () => {
    const path = join(folder.folder, 'exists.arena');
    realArena(path);
    expect(codeOf(() => Arena.create({ path, size: 4 * 2 ** 20 }))).toBe('ERR_ARENA_EXISTS');
  });
});
